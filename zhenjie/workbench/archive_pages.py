"""Archive packages (归档包) on the staff side: a case's packages with their state, the button to
archive, download and re-verification, for any kind of case; and the county administrator's
retention periods (归档保管期限). Rules are kernel.archive's and kernel.retention's."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhenjie.accounts.roles import RoleCode
from zhenjie.kernel import archive, retention
from zhenjie.kernel.errors import ActionError, NotFound
from zhenjie.kernel.ids import parse_id
from zhenjie.kernel.models import Case
from zhenjie.kernel.scoping import administered_county, get_visible_or_404, visible_cases
from zhenjie.kernel.workflow import registered_kinds, workflow_for

from .console import role_required
from .console_forms import RetentionForm
from .views import staff_required


def _case_for(user, case_id: int) -> Case:
    rows = visible_cases(user).select_related("area", "owner_unit")
    return get_visible_or_404(rows, "case.not_found", "事项不存在或不在您的辖区内", pk=case_id)


def _page(request, case: Case, *, checked=None, error: ActionError | None = None, status: int = 200):
    workflow = workflow_for(case.kind)
    context = {
        "case": case, "kind_label": workflow.label, "state_label": workflow.state_label(case.state),
        "detail_url": workflow.detail_url(case.pk), "packages": list(archive.packages_of_case_for(request.user, case.pk)),
        "may_archive": archive.may_archive(request.user, case), "checked": checked, "error": error,
    }  # fmt: skip
    return render(request, "workbench/case_archive.html", context, status=status)


@staff_required
def case_archive(request, case_id: int):
    """GET: the case's packages. POST: archive it (the package is built in the background)."""
    case = _case_for(request.user, case_id)
    if request.method == "POST":
        try:
            package = archive.archive_case(request.user, case)
        except ActionError as error:
            return _page(request, case, error=error, status=error.status)
        messages.success(request, "归档包已生成" if package.state == "ready" else "已提交归档，正在后台打包")
        return redirect("workbench:case_archive", case.pk)
    return _page(request, case)


@staff_required
def package_zip(request, case_id: int, pk: int):
    package = archive.get_package_for(request.user, case_id, pk)
    if package.attachment_id is None:
        return _page(request, package.case, error=ActionError("archive.not_ready", "归档包尚未打包完成"), status=409)
    return archive.package_response(package)


@staff_required
@require_POST
def package_verify(request, case_id: int, pk: int):
    """Re-check a stored package now, as the system can: files, journal links and digests, the seal."""
    package = archive.get_package_for(request.user, case_id, pk)
    if package.attachment_id is None:
        return _page(request, package.case, error=ActionError("archive.not_ready", "归档包尚未打包完成"), status=409)
    return _page(request, package.case, checked={"package": package, "problems": archive.verify_stored(package)})


@role_required(RoleCode.COUNTY_ADMIN)
def retention_page(request):
    county = administered_county(request.user, refuse=retention.NOT_ALLOWED)
    form = RetentionForm()
    if request.method == "POST":
        form = RetentionForm(request.POST)
        try:
            if "remove" in request.POST:
                retention.remove_retention(request.user, _rule_id(request.POST["remove"]))
                messages.success(request, "已删除该规则")
                return redirect(request.path)
            if form.is_valid():
                data = form.cleaned_data
                retention.set_retention(request.user, data["kind"], data["item_code"], data["years"], data["permanent"])
                messages.success(request, "归档保管期限已保存，此后生成的归档包按新期限计算")
                return redirect(request.path)
        except ActionError as error:
            form.add_action_error(error, request)
    kinds = registered_kinds()
    rules = [(rule, kinds.get(rule.kind, rule.kind)) for rule in retention.rules_for(county)]
    context = {"county": county, "form": form, "rules": rules, "default_years": retention.DEFAULT_YEARS}
    return render(request, "workbench/console_retention.html", context)


def _rule_id(value: str) -> int:
    rule_id = parse_id(value)
    if rule_id is None:
        raise NotFound("retention.not_found", "该保管期限规则不存在或已删除")
    return rule_id
