"""The movein pages: pick a kind, upload, see the preview, confirm. Thin: every step is a
function of movein/actions.py, which the management commands call too."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from zhenjie.kernel.errors import ActionError, Forbidden
from zhenjie.kernel.serving import file_response
from zhenjie.workbench.views import staff_required

from . import actions
from .files import XLSX
from .forms import ConfirmForm, UploadForm
from .kinds import KINDS
from .models import ImportRun


def _scope_or_403(user, kind):
    try:
        return actions.scope_for(user, kind)
    except Forbidden as error:
        raise PermissionDenied(error.message) from None


@require_GET
@staff_required
def home(request):
    """The kinds this person may import, in the order a county moves in."""
    allowed = []
    for kind in KINDS.values():
        try:
            actions.scope_for(request.user, kind)
        except Forbidden:
            continue
        allowed.append(kind)
    if not allowed:
        raise PermissionDenied("您没有导入数据的权限")
    return render(request, "movein/home.html", {"kinds": allowed})


@require_http_methods(["GET", "POST"])
@staff_required
def kind_page(request, code: str):
    kind = actions.get_kind(code)
    scope = _scope_or_403(request.user, kind)
    form = UploadForm()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > kind.max_bytes:
                form.add_error("file", f"文件过大：{upload.size / 1048576:.1f} MB，上限为 {kind.max_bytes // 1048576} MB")
            else:
                try:
                    run, _ = actions.preview_import(request.user, kind.code, upload.read(kind.max_bytes + 1), upload.name or "upload")
                    return redirect("movein:run", pk=run.pk)
                except ActionError as error:
                    form.add_action_error(error)
    runs = actions.runs_for(request.user, kind.code)[:10]
    return render(request, "movein/kind.html", {"kind": kind, "scope": scope, "form": form, "runs": runs})


@require_http_methods(["GET", "POST"])
@staff_required
def run_page(request, pk: int):
    run = actions.get_run_for(request.user, pk)
    kind = actions.get_kind(run.kind)
    scope = _scope_or_403(request.user, kind)
    form = ConfirmForm()
    plan = None
    if request.method == "POST":
        form = ConfirmForm(request.POST)
        if form.is_valid():
            try:
                done = actions.confirm_import(request.user, run, remove=form.cleaned_data["remove"])
                counts = done.counts()
                removed = counts["removed"] if form.cleaned_data["remove"] else 0
                messages.success(request, f"已导入{kind.label}：新增{counts['new']}、修改{counts['changed']}、删除{removed}")
                return redirect(kind.result_url(scope) or request.path)
            except ActionError as error:
                messages.error(request, error.message)
                run.refresh_from_db()
    if run.state == ImportRun.State.PREVIEWED:
        try:
            plan = actions.kept_plan(request.user, run)
        except (ActionError, OSError):
            plan = None
            messages.error(request, "无法重新读取该文件，请重新上传")
    elif run.state == ImportRun.State.REFUSED and kind.preview_template:
        try:  # for the kind's own drawing of what was refused (the grids' map)
            plan = actions.kept_plan(request.user, run)
        except (ActionError, OSError):
            plan = None
    return render(request, "movein/run.html", {"run": run, "kind": kind, "plan": plan, "form": form})


@require_GET
@staff_required
def error_report(request, pk: int):
    run = actions.get_run_for(request.user, pk)
    return file_response(actions.error_report_of(run), filename=f"错误报告-{run.file_name.rsplit('.', 1)[0]}.xlsx", content_type=XLSX)


@require_GET
@staff_required
def template(request, code: str):
    kind = actions.get_kind(code)
    _scope_or_403(request.user, kind)
    content, name, content_type = kind.template_file()
    return file_response(content, filename=name, content_type=content_type)


@require_GET
@staff_required
def export(request, code: str):
    kind = actions.get_kind(code)
    content, name, content_type = kind.export_file(_scope_or_403(request.user, kind))
    return file_response(content, filename=name, content_type=content_type)



