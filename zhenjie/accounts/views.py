from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from zhenjie.kernel.errors import ActionError

from . import gate, second_factor
from .credentials import change_password
from .forms import EnrolForm, LoginForm, TokenForm
from .login import log_in


def safe_next(request) -> str:
    """Where to go after logging in: a path or a URL of this site, else nowhere ("" → home).
    Anything else — another host, or a word such as `next=foo`, which redirect() would take for
    a URL name and fail on with a 500 — is dropped (ASVS 5.0 V3 open redirect; issue 12 item 6)."""
    next_url = (request.POST.get("next") or request.GET.get("next") or "").strip()
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return ""
    if not next_url.startswith(("/", "http://", "https://")):
        return ""
    return next_url


# Where a citizen account lands: the public pages (report, follow and rate by number and code).
# Not "/", the staff workbench, which sends citizens away again — the loop of issue 14 item 11.
CITIZEN_HOME = "events_public:track"


def home_of(user) -> str:
    return CITIZEN_HOME if user.kind == user.Kind.CITIZEN else "workbench:home"


@never_cache
@csrf_protect
def login_view(request):
    next_url = safe_next(request)
    if request.user.is_authenticated and request.method == "GET":
        return redirect(next_url or home_of(request.user))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = log_in(request, form.cleaned_data["username"], form.cleaned_data["password"])
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            login(request, user)
            if step := second_factor.step_after_password(user):
                request.session[second_factor.SESSION_KEY] = step
            return redirect(next_url or home_of(user))
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, "您已安全退出。")
    return redirect("accounts:login")


class ChangePasswordView(PasswordChangeView):
    """Django's form checks the old password and the two new ones agree; the rules and what ends
    with the old password are the action's (credentials.change_password)."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("workbench:home")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["owed"] = gate.pending(self.request.user, self.request)
        return context

    def form_valid(self, form):
        try:
            change_password(self.request.user, form.cleaned_data["new_password1"], request=self.request)
        except ActionError as error:
            form.add_error("new_password1", error.message)
            return self.form_invalid(form)
        messages.success(self.request, "密码已修改，您在其他设备上的登录和接口令牌已失效。")
        return redirect(self.get_success_url())


@never_cache
@login_required
def otp_verify_view(request):
    """The second step of a login with an authenticator: its code, or one recovery code."""
    if request.session.get(second_factor.SESSION_KEY) != second_factor.VERIFY:
        return redirect("workbench:home")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            second_factor.verify(request, request.user, form.cleaned_data["token"])
        except ActionError as error:
            form.add_error("token", error.message)
        else:
            return redirect("workbench:home")
    return render(request, "accounts/otp_verify.html", {"form": form})


@never_cache
@login_required
def otp_enrol_view(request):
    """Binding an authenticator app: scan (or type) the secret, confirm with a code and the
    password; the recovery codes are shown once. Optional for staff, owed by the administrators."""
    device = second_factor.pending_device(request.user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor.enrol(request, request.user, form.cleaned_data["password"], form.cleaned_data["token"])
        except ActionError as error:
            form.add_error(error.field, error.message)
        else:
            return render(request, "accounts/otp_codes.html", {"codes": codes})
    context = {
        "form": form, "qr": second_factor.qr_svg(device), "secret": second_factor.secret_text(device),
        "has_device": second_factor.has_device(request.user), "owed": gate.pending(request.user, request),
    }
    return render(request, "accounts/otp_enrol.html", context)
