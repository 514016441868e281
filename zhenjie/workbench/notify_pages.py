"""消息接收设置 (each person their own) and 消息发送情况 (the system administrator's list of
deliveries that failed or are being retried). The rules are kernel/delivery.py's."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render

from zhenjie.accounts.roles import RoleCode
from zhenjie.kernel import delivery as deliveries
from zhenjie.kernel.errors import ActionError
from zhenjie.kernel.ids import parse_id
from zhenjie.kernel.models import Delivery, NotificationChannels, NotificationKind

from .console import role_required
from .forms import StyledFormMixin
from .paging import paginate, query_without_page
from .views import staff_required


class ChannelsForm(StyledFormMixin, forms.Form):
    # Lengths and shapes are checked by the action (kernel/delivery.py), in Chinese, the same for
    # every caller; the form only carries the text.
    email = forms.CharField(label="电子邮件地址", required=False, strip=True)
    clear_email = forms.BooleanField(label="清除已保存的电子邮件地址", required=False)
    robot = forms.ChoiceField(label="机器人类型", required=False, choices=[("", "—")] + NotificationChannels.Robot.choices)
    webhook = forms.CharField(label="机器人 Webhook 地址", required=False, strip=True)
    secret = forms.CharField(label="加签密钥(钉钉，可选)", required=False, strip=True, widget=forms.PasswordInput(render_value=False))
    clear_webhook = forms.BooleanField(label="清除已保存的机器人", required=False)


def _rows(saved: NotificationChannels, posted=None) -> list[dict]:
    """One row per kind with the channels ticked (as saved, or as just posted)."""
    rows = []
    for code, label in NotificationKind.choices:
        picked = posted.getlist(f"wanted_{code}") if posted is not None else saved.wanted.get(code, [])
        rows.append({"code": code, "label": label, "email": "email" in picked, "webhook": "webhook" in picked})
    return rows


@staff_required
def my_channels(request):
    """Only the person's own settings: no id in the address, nothing of anyone else's is read."""
    saved = deliveries.channels_of(request.user)
    form = ChannelsForm()
    rows = _rows(saved)
    if request.method == "POST":
        form = ChannelsForm(request.POST)
        rows = _rows(saved, request.POST)
        if form.is_valid():
            wanted = {code: request.POST.getlist(f"wanted_{code}")[:4] for code in NotificationKind.values}
            try:
                deliveries.save_channels(request.user, wanted=wanted, **form.cleaned_data)
                messages.success(request, "消息接收设置已保存")
                return redirect(request.path)
            except ActionError as error:
                form.add_action_error(error)
                saved = deliveries.channels_of(request.user)
    context = {"form": form, "saved": saved, "rows": rows, "email_ready": bool(settings.EMAIL_HOST) or not settings.EMAIL_BACKEND.endswith("smtp.EmailBackend")}
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "workbench/notification_channels.html", context, status=status)


@role_required(RoleCode.SYSTEM_ADMIN)
def deliveries_page(request):
    """Deliveries retrying or failed for the people this administrator looks after; the
    recipient's address masked; 重新发送 tries one again now."""
    if request.method == "POST":
        # Another administrator's people, or no such delivery: NotFound rises to the 404 page.
        delivery = deliveries.resend(request.user, parse_id(request.POST.get("resend", "")) or 0)
        messages.success(request, f"已重新发送（{delivery.get_channel_display()}），结果见下表")
        return redirect(request.get_full_path())
    page = paginate(request, deliveries.troubled_for(request.user).select_related("notification"), per_page=50)
    return render(request, "workbench/console_deliveries.html", {
        "page": page, "query": query_without_page(request), "states": Delivery.State,
        "retry_note": "、".join(str(m) for m in settings.NOTIFY_RETRY_MINUTES) + " 分钟",
    })
