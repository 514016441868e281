"""人员变动 pages (issue 13 item 3; docs/OPERATIONS.md "人员变动：调岗、离岗交接、AB岗"): one page per
person for their administrator — the post history, ending a post from a date, a transfer, AB岗
periods and 离岗交接 with what it will move — and, for everyone, their own AB岗 periods. The
rules are accounts.actions'; this module parses, picks the person through the administrator's
own scope and calls them."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone

from zhenjie.accounts import actions as account_actions
from zhenjie.accounts.models import Coverage, Post, StandIn
from zhenjie.accounts.queries import (
    handover_colleagues, people_administered_by, post_history, stand_in_candidates, stand_in_periods,
)
from zhenjie.accounts.roles import BUSINESS_ROLES, SEPARATED_ADMIN_ROLES, RoleCode
from zhenjie.areas.models import Area
from zhenjie.kernel.errors import ActionError
from zhenjie.kernel.ids import parse_id
from zhenjie.kernel.scoping import get_visible_or_404, paths_q, reach_of
from zhenjie.units.models import Unit

from .console_forms import EndPostForm, HandoverForm, StandInForm, TransferForm
from .views import staff_required


def _administering_role(user) -> str:
    """The system administrator changes business staff; the security administrator the three
    administrators (三权分立, accounts.actions)."""
    roles = reach_of(user).roles
    if RoleCode.SYSTEM_ADMIN in roles:
        return RoleCode.SYSTEM_ADMIN
    if RoleCode.SECURITY_ADMIN in roles:
        return RoleCode.SECURITY_ADMIN
    raise PermissionDenied("您没有访问该页面的权限")


def _stand_in_form(person, data=None, prefix="standin"):
    form = StandInForm(data, prefix=prefix)
    form.fields["stand_in"].queryset = stand_in_candidates(person)
    return form


@staff_required
def person_page(request, pk):
    role = _administering_role(request.user)
    person = get_visible_or_404(
        people_administered_by(request.user, role), "user.not_found", "人员不存在，或不在您的管理范围内", pk=pk
    )
    roots = account_actions.administered_roots(request.user, role)
    offered = BUSINESS_ROLES if role == RoleCode.SYSTEM_ADMIN else SEPARATED_ADMIN_ROLES

    def transfer_form(data=None):
        form = TransferForm(data, prefix="transfer")
        form.fields["unit"].queryset = Unit.objects.filter(paths_q(roots, "area__path"), is_active=True).select_related("area").order_by("area__path", "sort_order")
        form.fields["jurisdiction"].queryset = Area.objects.filter(paths_q(roots)).order_by("path")
        form.fields["roles"].choices = [(code, label) for code, label in RoleCode.choices if code in offered]
        form.fields["colleague"].queryset = handover_colleagues(person)
        return form

    def handover_form(data=None):
        form = HandoverForm(data, prefix="handover")
        form.fields["colleague"].queryset = handover_colleagues(person)
        led = Coverage.objects.filter(worker=person, is_lead=True, ended_at__isnull=True).select_related("grid").first()
        if led is not None:
            from zhenjie.grid.actions.coverage import eligible_workers

            form.fields["new_lead"].queryset = eligible_workers(led.grid).exclude(pk=person.pk)
            form.fields["new_lead"].required = True
        else:
            del form.fields["new_lead"]
        return form

    forms = {"end": EndPostForm(prefix="end"), "transfer": transfer_form(), "handover": handover_form(), "standin": _stand_in_form(person)}
    op = request.POST.get("op", "") if request.method == "POST" else ""
    if op:
        try:
            if op in ("end", "transfer"):
                post = Post.objects.select_related("user", "unit__area", "jurisdiction").get(
                    pk=parse_id(request.POST.get("post")) or 0, user=person, is_active=True
                )
                if op == "end":
                    forms["end"] = form = EndPostForm(request.POST, prefix="end")
                    if form.is_valid():
                        account_actions.end_post(request.user, post, **form.cleaned_data)
                        messages.success(request, f"已免去 {person.display_name} 的 {post}")
                        return redirect(request.path)
                else:
                    forms["transfer"] = form = transfer_form(request.POST)
                    if form.is_valid():
                        new = account_actions.transfer_post(request.user, post, **form.cleaned_data)
                        messages.success(request, f"{person.display_name} 已调至 {new}")
                        return redirect(request.path)
            elif op == "handover":
                forms["handover"] = form = handover_form(request.POST)
                if form.is_valid():
                    moved = account_actions.hand_over(request.user, person, **form.cleaned_data)
                    to_whom = form.cleaned_data["colleague"].display_name if form.cleaned_data["colleague"] else "所在单位"
                    messages.success(request, f"{person.display_name} 已离岗：{moved['assignments']}项待办已转交 {to_whom}，账号已停用")
                    return redirect(request.path)
            elif op == "standin":
                forms["standin"] = form = _stand_in_form(person, request.POST)
                if form.is_valid():
                    account_actions.set_stand_in(request.user, absent=person, **form.cleaned_data)
                    messages.success(request, "AB岗已设置")
                    return redirect(request.path)
            elif op == "cancel_standin":
                period = StandIn.objects.select_related("absent", "stand_in").get(pk=parse_id(request.POST.get("period")) or 0, absent=person)
                account_actions.cancel_stand_in(request.user, period)
                messages.success(request, "AB岗已撤销")
                return redirect(request.path)
        except (Post.DoesNotExist, StandIn.DoesNotExist):
            messages.error(request, "该记录不存在或已变更，请刷新后重试")
        except ActionError as error:
            forms.get(op, forms["end"]).add_action_error(error, request)
    context = {
        "person": person,
        "posts": post_history(person),
        "coverages": Coverage.objects.filter(worker=person, ended_at__isnull=True).select_related("grid").order_by("grid__path"),
        "periods": stand_in_periods(person),
        "preview": account_actions.handover_preview(person) if person.is_active else None,
        "forms": forms,
        "op": op,
        "today": timezone.localdate(),
        "back": "workbench:users" if role == RoleCode.SYSTEM_ADMIN else "workbench:admins",
    }
    return render(request, "workbench/console_person.html", context)


@staff_required
def my_leave(request):
    """The person's own AB岗: name who covers their work while they are away, see whom they cover."""
    person = request.user
    form = _stand_in_form(person)
    if request.method == "POST":
        try:
            if request.POST.get("op") == "cancel_standin":
                period = StandIn.objects.select_related("absent", "stand_in").get(pk=parse_id(request.POST.get("period")) or 0, absent=person)
                account_actions.cancel_stand_in(person, period)
                messages.success(request, "AB岗已撤销")
                return redirect(request.path)
            form = _stand_in_form(person, request.POST)
            if form.is_valid():
                account_actions.set_stand_in(person, absent=person, **form.cleaned_data)
                messages.success(request, "AB岗已设置，期间顶岗人员可查看并办理您的待办")
                return redirect(request.path)
        except StandIn.DoesNotExist:
            messages.error(request, "该记录不存在或已变更，请刷新后重试")
        except ActionError as error:
            form.add_action_error(error, request)
    return render(request, "workbench/my_leave.html", {"form": form, "periods": stand_in_periods(person), "person": person, "today": timezone.localdate()})
