"""The officers' pages (执法人员与执法证): the officers of the user's jurisdiction with their
certificates' status (Excel export), and — for the county administrator and township leaders —
recording, renewing, training hours and revoking a certificate. Thin: parse, fetch for the user,
call the action, render."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhenjie.kernel.errors import ActionError
from zhenjie.workbench import excel
from zhenjie.workbench.paging import paginate
from zhenjie.workbench.views import staff_required

from . import certificates as queries
from .actions import officers as actions
from .forms_officers import CertificateForm, RenewForm, RevokeForm, TrainingForm


@staff_required
def officer_list(request):
    today = timezone.localdate()
    rows = queries.officers_for(request.user)
    expiring_days = queries.expiring_days_for(request.user)
    if request.GET.get("format") == "xlsx":
        return excel.export("执法人员", queries.COLUMNS, (queries.line_of(officer, today, expiring_days) for officer in rows.iterator(chunk_size=2000)))
    page = paginate(request, rows)
    lines = [queries.line_of(officer, today, expiring_days) for officer in page.object_list]
    context = {"page": page, "lines": lines, "can_add": queries.managed_areas(request.user).exists(), "expiring_days": expiring_days}
    return render(request, "enforcement/officers/officer_list.html", context)


@staff_required
def certificate_new(request):
    form = CertificateForm(request.POST or None, initial={"officer": request.GET.get("officer")},
                           officers=queries.managed_officers(request.user), areas=queries.managed_areas(request.user))  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            certificate = actions.record_certificate(request.user, **form.cleaned_data)
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, f"已登记执法证 {certificate.number}")
            return redirect("enforcement_officers:certificate", certificate.pk)
    return render(request, "enforcement/officers/certificate_form.html", {"form": form})


def _render_certificate(request, certificate, status=200, **forms):
    manage = queries.can_manage(request.user, certificate.area) and certificate.revoked_at is None
    context = {
        "certificate": certificate, "manage": manage,
        "status_label": queries.STATUS_LABELS[queries.status_of(certificate, timezone.localdate(), queries.expiring_days_for(request.user))],
        "renew_form": forms.get("renew_form") or RenewForm(), "training_form": forms.get("training_form")
        or TrainingForm(initial={"training_hours": certificate.training_hours}), "revoke_form": forms.get("revoke_form") or RevokeForm(),
    }  # fmt: skip
    return render(request, "enforcement/officers/certificate_detail.html", context, status=status)


@staff_required
def certificate_detail(request, pk: int):
    return _render_certificate(request, queries.get_certificate_for(request.user, pk))


# (form class, action, the form's name on the page, what the success message says)
CHANGES = {
    "renew": (RenewForm, actions.renew_certificate, "renew_form", "执法证有效期已延续"),
    "training": (TrainingForm, actions.record_training, "training_form", "年度培训学时已登记"),
    "revoke": (RevokeForm, actions.revoke_certificate, "revoke_form", "执法证已注销"),
}


@require_POST
@staff_required
def certificate_change(request, pk: int, change: str):
    certificate = queries.get_certificate_for(request.user, pk)
    form_class, action, name, done = CHANGES[change]
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(request.user, certificate, **form.cleaned_data)
        except ActionError as error:
            form.add_action_error(error, request)
        else:
            messages.success(request, done)
            return redirect("enforcement_officers:certificate", certificate.pk)
    return _render_certificate(request, certificate, **{name: form})
