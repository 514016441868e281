"""The kit over the API (PAGES.md): one step endpoint for every kind's steps, one export, and the
documented list and step endpoints a kind keeps (`list_alias`, `step_alias`).

`POST /api/{kind}/{id}/{step}` takes the step's declared inputs as a JSON object (a unit by its
id, a case by its number as printed or its id), runs the same action as the page and returns the record as the kind's
detail schema shows it. The per-step endpoints a kind already documents (`/api/tasks/{id}/close`)
are aliases: their typed bodies become the same values and go through `take_step`."""

import keyword
from collections.abc import Callable
from typing import Any, Literal

from django.http import Http404
from django.utils.module_loading import import_string
from ninja import Body, Field, Query, Router, Schema
from pydantic import create_model

from zhenjie.kernel.errors import NotFound, Rejected
from zhenjie.kernel.workflow import BOOLEAN, CASE, CHOICE, FILES, INTEGER, LONGTEXT, TEXT, UNIT, UNITS, case_input
from zhenjie.units.queries import get_unit_for
from zhenjie.workbench.excel import XLSX
from zhenjie.workbench.kit import Kind, kind_for

from .schemas import ERRORS, MAX_ID, PageQuery, RecordId, page_of

router = Router(tags=["办理步骤"])  # added after every app's router: its paths are the catch-all
exports = Router(tags=["导出"])  # added before them: /tasks/export is not the task "export"


def _kind(slug: str) -> Kind:
    kind = kind_for(slug)
    if kind is None:
        raise Http404("没有这类事项")
    return kind


def _id(value, spec) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise Rejected(f"case.{spec.name}_invalid", f"{spec.label}须为记录ID", field=spec.name)
    return value


def _unit(user, value, spec):
    try:
        return get_unit_for(user, _id(value, spec))
    except NotFound:
        raise Rejected("case.unit_unknown", f"所选{spec.label}不存在或不在您的辖区内", field=spec.name) from None


def resolve(user, kind: Kind, name: str, body: dict) -> dict:
    """The JSON values of a step as its action takes them: text, numbers and choices checked as
    declared, units found in the user's reach; a case, named by its number as printed or by its
    id, becomes the id of one of the user's cases of the kind (workflow.case_input), which the
    action fetches for the user. Files come only through a kind's own multipart endpoint."""
    values = {}
    for spec in kind.inputs_of(name):
        raw = body.get(spec.name)
        if spec.kind == FILES:
            values[spec.name] = []
        elif raw is None and spec.kind in (UNIT, CASE):
            values[spec.name] = spec.clean(None, kind.label_of(name))
        elif spec.kind == UNIT:
            values[spec.name] = _unit(user, raw, spec)
        elif spec.kind == UNITS:
            values[spec.name] = [_unit(user, item, spec) for item in (raw if isinstance(raw, list) else [raw])]
        elif spec.kind == CASE:  # its number as printed, or its id; found among the user's cases of the kind
            values[spec.name] = case_input(user, spec, raw, kind.workflow.kind, kind.label_of(name))
        else:
            values[spec.name] = spec.clean(raw, kind.label_of(name))
    return values


def take_step(request, kind: Kind, case_id: int, name: str, values: Callable[[], dict] = dict):
    """Run step `name` on the record and return it afresh. `values` gives what the action takes,
    read once the record is found: out of reach is 404 whatever the body says."""
    record = kind.get(request.auth, case_id)
    kind.steps[name].run(request.auth, record, values())
    return kind.get(request.auth, case_id)


def _field(spec):
    """The JSON type of a declared input and its limits, for an alias's documented body."""
    default = ... if spec.required else None
    if spec.kind in (TEXT, LONGTEXT):
        kind, limits = str, {"min_length": 1 if spec.required else 0, "max_length": spec.max_length}
    elif spec.kind == INTEGER:
        kind, limits = int, {"ge": spec.minimum, "le": spec.maximum}
    elif spec.kind == BOOLEAN:
        kind, limits = bool, {}
    elif spec.kind == CHOICE:
        kind, limits = Literal[tuple(code for code, _ in spec.choices)], {}  # type: ignore[valid-type]
    elif spec.kind == CASE:  # a case by its number as printed (柳湾事〔2026〕第12号), or its id
        kind, limits = int | str, {}
    else:  # a unit, by its id
        kind, limits = int, {"ge": 1, "le": MAX_ID}
    return (kind if spec.required else kind | None), Field(default, description=spec.help or spec.label, **limits)


def inputs_schema(kind: Kind, name: str) -> type[Schema] | None:
    """The body of step `name` as its inputs declare it (None: it takes none)."""
    specs = [spec for spec in kind.inputs_of(name) if spec.kind not in (FILES, UNITS)]
    if not specs:
        return None
    title = "".join(part.title() for part in f"{kind.slug}_{name}_in".split("_"))
    return create_model(title, __base__=Schema, **{spec.name: _field(spec) for spec in specs})


def step_alias(router: Router, kind: Kind, name: str, summary: str, response, operation_id: str = "") -> None:
    """The documented endpoint `/{kind}/{id}/{name}` of one step, with its typed body: the same
    step as the generic endpoint. Its operation id is the one it had before the kit: by default
    `zhenjie_{kind}_api_{step}` (the name of the function it was), else `operation_id`."""
    path = f"/{kind.slug}/{{case_id}}/{name}"
    operation_id = operation_id or f"zhenjie_{kind.slug}_api_{name}{'_' * keyword.iskeyword(name)}"
    schema = inputs_schema(kind, name)
    if schema is None:
        def endpoint(request, case_id: RecordId):
            return take_step(request, kind, case_id, name)
    else:
        def endpoint(request, case_id: RecordId, payload: schema):  # type: ignore[valid-type]
            return take_step(request, kind, case_id, name, lambda: resolve(request.auth, kind, name, payload.dict()))
    router.post(path, response={200: response, **ERRORS}, summary=summary, operation_id=operation_id)(endpoint)


def list_alias(router: Router, kind: Kind, summary: str, response) -> None:
    """The documented list `GET /{kind}`: the user's rows (`kind.rows`, scoped, in order), in one
    of the workflow's states when `state` names one (any other value is a 400 naming the field),
    a page at a time (`page`, `page_size`). Operation id as before the kit:
    `zhenjie_{kind}_api_list_{kind}`."""
    states = Literal[tuple(kind.workflow.states)]  # type: ignore[valid-type]
    title = response.__name__.removesuffix("PageOut") + "Filter"  # TaskPageOut's TaskFilter, the name it was documented by
    filters_schema = create_model(title, __base__=PageQuery, state=(states | None, None))

    def endpoint(request, filters: Query[filters_schema]):  # type: ignore[valid-type]
        rows = kind.rows(request.auth)
        if filters.state:
            rows = rows.filter(case__state=filters.state)
        known = kind.counted(request.auth, [filters.state] if filters.state else None) if kind.counted else None
        return page_of(rows, filters, known=known)

    operation_id = f"zhenjie_{kind.slug}_api_list_{kind.slug}"
    router.get(f"/{kind.slug}", response={200: response, **ERRORS}, summary=summary, operation_id=operation_id)(endpoint)


def detail(request, kind: Kind, record) -> dict:
    return import_string(kind.api_schema).model_validate(record, context={"request": request}).model_dump(mode="json")


@router.post("/{kind}/{case_id}/{step}", response={200: dict[str, Any], **ERRORS}, summary="办理一步(任何事项类型)")
def step(request, kind: str, case_id: RecordId, step: str, payload: Body[dict[str, Any]] = None):
    """kind 为事项类型(tasks 交办件、events 事件)，step 为其办理步骤(见该类型的工作流，如 acknowledge、close)；
    请求体为该步骤声明的输入(JSON 对象；单位、事项以ID表示)。返回办理后的事项。"""
    found = _kind(kind)
    if step not in found.steps or not found.steps[step].api:
        raise Http404("不支持的操作")
    record = take_step(request, found, case_id, step, lambda: resolve(request.auth, found, step, payload or {}))
    return detail(request, found, record)


@exports.get(
    "/{kind}/export", response={200: None, **ERRORS}, summary="导出列表为 Excel(任何事项类型)",
    openapi_extra={"responses": {200: {"description": "Excel 文件", "content": {XLSX: {}}}}},
)
def export(request, kind: str):
    """kind 为事项类型(tasks 交办件、events 事件、calls 乡呼县应)：辖区内的全部记录(至多10万行)，列与页面导出相同。"""
    found = _kind(kind)
    if not found.columns:
        raise Http404("该类事项不提供导出")
    return found.export(request.auth)
