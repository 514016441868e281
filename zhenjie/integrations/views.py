"""Staff pages of the integrations: the county administrator's keys and alarm-type mapping, and
the 12345 work-order import for dispatchers. Thin: parse → query for the user → action → render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhenjie.accounts.roles import RoleCode
from zhenjie.kernel import attachments
from zhenjie.kernel.errors import ActionError, NotFound
from zhenjie.kernel.ids import parse_id
from zhenjie.kernel.scoping import administered_county, reach_of
from zhenjie.kernel.serving import file_response
from zhenjie.workbench.console import role_required
from zhenjie.workbench.excel import XLSX
from zhenjie.workbench.paging import paginate, query_without_page
from zhenjie.workbench.views import staff_required

from . import actions, hotline_import, queries, satisfaction
from . import answers
from .forms import AlarmMappingForm, HotlineCallbackForm, HotlineUploadForm, KeyForm, Open311PolicyForm, SatisfactionUploadForm
from .hotline_import import COLUMNS, IMPORTER_ROLES, MAX_ROWS
from .jobs import run_hotline_import
from .models import HotlineAnswer, HotlineImport

HotlineAnswerState = HotlineAnswer.State
FAILED_SHOWN = 100  # failures shown above the list; more are one click away (?state=failed)


def _id(value) -> int:
    if (number := parse_id(value)) is None:
        raise NotFound("not_found", "记录不存在")
    return number


# ---- 外部接入 (county administrator) ------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(RoleCode.COUNTY_ADMIN)
def keys_page(request):
    key_form, mapping_form, new_key = KeyForm(prefix="key"), AlarmMappingForm(prefix="map"), None
    open311_form = Open311PolicyForm(prefix="open311", initial=queries.open311_policy_initial(request.user))
    callback = queries.hotline_callback_of(request.user)
    callback_form = HotlineCallbackForm(prefix="callback", initial={"url": callback.url, "is_active": callback.is_active} if callback else None)
    if request.method == "POST":
        try:
            if "revoke" in request.POST:
                key = actions.revoke_key(request.user, queries.get_key_for(request.user, _id(request.POST["revoke"])))
                messages.success(request, f"已停用密钥 {key}")
                return redirect(request.path)
            if "unmap" in request.POST:
                actions.unmap_alarm_type(request.user, queries.get_alarm_mapping_for(request.user, _id(request.POST["unmap"])))
                messages.success(request, "已删除对应关系")
                return redirect(request.path)
            if "callback-url" in request.POST:
                callback_form = HotlineCallbackForm(request.POST, prefix="callback")
                if callback_form.is_valid():
                    answers.set_callback(request.user, **callback_form.cleaned_data)
                    messages.success(request, "已保存12345办理结果回传设置")
                    return redirect(request.path)
            elif "open311-position_decimals" in request.POST:
                open311_form = Open311PolicyForm(request.POST, prefix="open311")
                if open311_form.is_valid():
                    actions.update_open311_policy(request.user, **open311_form.cleaned_data)
                    messages.success(request, "已保存 Open311 公开设置")
                    return redirect(request.path)
            elif "map-alarm_type" in request.POST:
                mapping_form = AlarmMappingForm(request.POST, prefix="map")
                if mapping_form.is_valid():
                    mapping = actions.map_alarm_type(request.user, mapping_form.cleaned_data["alarm_type"], mapping_form.cleaned_data["category"])
                    messages.success(request, f"视频告警「{mapping.alarm_type}」将作为「{mapping.category.name}」事件")
                    return redirect(request.path)
            else:
                key_form = KeyForm(request.POST, prefix="key")
                if key_form.is_valid():
                    key, new_key = actions.issue_key(request.user, key_form.cleaned_data["name"], key_form.cleaned_data["channel"])
                    key_form = KeyForm(prefix="key")
        except NotFound as error:
            messages.error(request, error.message)
        except ActionError as error:
            form = (callback_form if "callback-url" in request.POST else open311_form if "open311-position_decimals" in request.POST
                    else mapping_form if "map-alarm_type" in request.POST else key_form)
            form.add_action_error(error, request)
    context = {
        "keys": queries.keys_for(request.user),
        "mappings": queries.alarm_mappings_for(request.user),
        "county": administered_county(request.user, refuse=actions.NOT_COUNTY_ADMIN),
        "key_form": key_form,
        "mapping_form": mapping_form,
        "open311_form": open311_form,
        "callback": callback,
        "callback_form": callback_form,
        "new_key": new_key,
    }
    response = render(request, "integrations/keys.html", context)
    # The page may carry a key shown this once: no copy of it in any cache.
    response["Cache-Control"] = "no-store"
    return response


# ---- 12345办理结果回传 (county administrator) ----------------------------------------------


@require_GET
@role_required(RoleCode.COUNTY_ADMIN)
def hotline_answers(request):
    """The county's answers to the hotline: failures first (at most FAILED_SHOWN), then the rest."""
    return render(request, "integrations/hotline_answers.html", _answers_context(request))


def _answers_context(request, **extra) -> dict:
    state = request.GET.get("state", "")
    rows = queries.hotline_answers_for(request.user, state)
    failed = [] if state else list(rows.filter(state=HotlineAnswerState.FAILED)[:FAILED_SHOWN])
    page = paginate(request, rows if state else rows.exclude(state=HotlineAnswerState.FAILED))
    return {"failed": failed, "page": page, "query": query_without_page(request), "state": state,
            "states": HotlineAnswerState.choices, "failed_shown": FAILED_SHOWN, "max_attempts": answers.MAX_ATTEMPTS, **extra}


@require_POST
@role_required(RoleCode.COUNTY_ADMIN)
def hotline_answer_resend(request, pk: int):
    answer = queries.get_hotline_answer_for(request.user, pk)
    try:
        answers.resend(request.user, answer)
    except ActionError as error:
        return render(request, "integrations/hotline_answers.html", _answers_context(request, error=error.message), status=error.status)
    messages.success(request, f"已重新发送工单 {answer.order_id} 的办理结果")
    return redirect("integrations:hotline_answers")


# ---- 12345工单导入 (dispatchers, county administrator) ---------------------------------------


def importer_required(view):
    @staff_required
    def wrapped(request, *args, **kwargs):
        if not reach_of(request.user).roles & IMPORTER_ROLES:
            raise PermissionDenied("只有指挥中心调度员或县级管理员可以导入12345工单")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    return wrapped


@require_http_methods(["GET", "POST"])
@importer_required
def hotline_imports(request):
    form = HotlineUploadForm()
    if request.method == "POST":
        form = HotlineUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                administered_county(request.user, IMPORTER_ROLES, refuse=hotline_import.NOT_IMPORTER)
                with transaction.atomic():
                    stored = attachments.store(upload.read(), upload.name, "document", case=None, actor=request.user, field="file")
                    record = HotlineImport.objects.create(created_by=request.user, file_name=stored.name, source=stored.blob)
            except ActionError as error:
                form.add_action_error(error)
            else:
                # Queued after the row is committed; the job runs in the Huey consumer (in tests, at once).
                run_hotline_import(record.pk)
                return redirect("integrations:hotline_import", record.pk)
    page = paginate(request, queries.imports_for(request.user))
    context = {"form": form, "page": page, "query": query_without_page(request), "columns": COLUMNS, "max_rows": MAX_ROWS}
    return render(request, "integrations/hotline_imports.html", context)


def _progress_context(record: HotlineImport) -> dict:
    progress = None if record.is_finished else hotline_import.read_progress(record.pk)
    percent = 0
    if progress and progress.get("stage") == "importing" and progress.get("total"):
        # Checking the rows is quick; taking in the events is most of the work.
        percent = 10 + 89 * progress["done"] // progress["total"]
    elif progress:
        percent = 5
    return {"record": record, "progress": progress, "percent": percent}


@require_GET
@importer_required
def hotline_import_detail(request, pk: int):
    record = queries.get_import_for(request.user, pk)
    return render(request, "integrations/hotline_import.html", _progress_context(record))


@require_GET
@importer_required
def hotline_import_progress(request, pk: int):
    """The progress panel alone, polled by HTMX while the import runs."""
    record = queries.get_import_for(request.user, pk)
    return render(request, "integrations/_import_progress.html", _progress_context(record))


@require_GET
@importer_required
def hotline_import_errors(request, pk: int):
    record = queries.get_import_for(request.user, pk)
    if record.error_report_id is None:
        raise Http404("该导入没有错误报告")
    with attachments.open_blob(record.error_report) as handle:
        return file_response(handle.read(), filename=f"12345导入错误报告-{record.pk}.xlsx", content_type=XLSX)


@require_GET
@importer_required
def hotline_template(request):
    return file_response(hotline_import.template(), filename="12345工单导入模板.xlsx", content_type=XLSX)


# ---- 12345回访结果导入 (dispatchers, county administrator) -----------------------------------

ERRORS_SHOWN = 200


@require_http_methods(["GET", "POST"])
@importer_required
def hotline_satisfaction(request):
    """Upload the hotline's return visits; every row lands or none does (satisfaction.py)."""
    form, outcome, status = SatisfactionUploadForm(), None, 200
    if request.method == "POST":
        form = SatisfactionUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                outcome = satisfaction.import_visits(request.user, form.cleaned_data["file"].read())
            except ActionError as error:
                form.add_action_error(error)
                status = error.status
            else:
                if not outcome.errors:
                    messages.success(request, f"已导入回访结果{outcome.imported}条")
                    return redirect("integrations:hotline_satisfaction")
                status = 400
        else:
            status = 400
    context = {"form": form, "outcome": outcome, "columns": satisfaction.COLUMNS, "errors_shown": ERRORS_SHOWN,
               "errors": outcome.errors[:ERRORS_SHOWN] if outcome else []}
    return render(request, "integrations/hotline_satisfaction.html", context, status=status)


@require_GET
@importer_required
def hotline_satisfaction_template(request):
    return file_response(satisfaction.template(), filename="12345回访结果导入模板.xlsx", content_type=XLSX)
