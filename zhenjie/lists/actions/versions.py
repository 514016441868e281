"""Every change to a list: create it, start a draft, edit items, replace them all (import),
publish, discard. Each is one transaction, journaled on the "rules" chain with who and when.

A published version is never changed: every item action locks the version row and refuses
unless it is the draft, so an edit and a publication of the same draft cannot interleave."""

from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from zhenjie.areas.models import Area
from zhenjie.kernel import journal, records
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected

from .. import queries
from ..diffs import diff_versions
from ..layouts import Layout, UnitDirectory, check_item, item_values, layout_for, parse_values, with_headers
from ..models import ListKind, ListSeries, ListVersion, LocalDutyCategory, PowerItem, ServiceMaterial
from ..search import initials_of

NAME_MAX = 100
NOTE_MAX = 500
DRAFT = ListVersion.State.DRAFT
PUBLISHED = ListVersion.State.PUBLISHED


def subject_of(series: ListSeries) -> str:
    return f"list:{series.pk}"


def require_editor(actor, series_or_area) -> None:
    area = series_or_area.area if isinstance(series_or_area, ListSeries) else series_or_area
    probe = ListSeries(area=area)
    if not queries.can_edit(actor, probe):
        raise Forbidden("list.not_allowed", "只有县级管理员(编办)可以修改和发布清单")


def _locked_draft(version: ListVersion) -> ListVersion:
    locked = ListVersion.objects.select_for_update().select_related("series", "series__area").get(pk=version.pk)
    if locked.state != DRAFT:
        raise Conflict("list.not_draft", f"{locked.series.name}第{locked.number}版已发布，不能再修改；请先建立新的草稿")
    return locked


# ---- lists and drafts -----------------------------------------------------------------------


@transaction.atomic
def create_list(actor, *, kind: str, name: str, area: Area) -> ListSeries:
    """A new list with an empty draft (第1版)."""
    if kind not in ListKind.values:
        raise Rejected("list.kind_invalid", "清单类型不正确", field="kind")
    if area is None or area.level not in (Area.Level.COUNTY, Area.Level.TOWNSHIP):
        raise Rejected("list.area_invalid", "清单须适用于县或某个乡镇(街道)", field="area")
    require_editor(actor, area)
    if kind in queries.COUNTY_WIDE_KINDS and area.level != Area.Level.COUNTY:
        # seed 003 二 and 002 二(一)2: these lists are made once by the county for every township.
        raise Rejected("list.county_wide", f"{ListKind(kind).label}由县统一制定，适用区划应为县", field="area")
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise Rejected("list.name_invalid", f"请填写清单名称(不超过{NAME_MAX}字)", field="name")
    if ListSeries.objects.filter(area=area, kind=kind, name=name).exists():
        raise Conflict("list.name_taken", f"{area.name}已有名为「{name}」的{ListKind(kind).label}", field="name")
    series = ListSeries.objects.create(kind=kind, name=name, area=area)
    ListVersion.objects.create(series=series, number=1, state=DRAFT, created_by=_user(actor))
    journal.record(
        actor=actor, verb="list.create", subject=subject_of(series), summary=f"新建{ListKind(kind).label}：{name}",
        data={"kind": kind, "area": area.pk, "name": name},
    )
    return series


@transaction.atomic
def start_draft(actor, series: ListSeries) -> ListVersion:
    """A new draft holding a copy of the latest published version."""
    require_editor(actor, series)
    ListSeries.objects.select_for_update().get(pk=series.pk)
    if ListVersion.objects.filter(series=series, state=DRAFT).exists():
        raise Conflict("list.draft_exists", f"{series.name}已有草稿，请在草稿上修改")
    source = queries.latest_published(series)
    number = (ListVersion.objects.filter(series=series).aggregate(n=Max("number"))["n"] or 0) + 1
    draft = ListVersion.objects.create(series=series, number=number, state=DRAFT, created_by=_user(actor))
    copied = 0
    if source is not None:
        layout = layout_for(series.kind)
        rows = [item_values(layout, item) for item in queries.items_of(source).iterator(chunk_size=2000)]
        copied = _write_items(layout, draft, rows)
    journal.record(
        actor=actor, verb="list.draft", subject=subject_of(series),
        summary=f"{series.name}建立第{number}版草稿" + (f"(复制第{source.number}版，{copied}项)" if source else ""),
        data={"version": number, "from_version": source.number if source else None, "items": copied},
    )
    return draft


@transaction.atomic
def discard_draft(actor, version: ListVersion) -> None:
    require_editor(actor, version.series)
    draft = _locked_draft(version)
    if not ListVersion.objects.filter(series=draft.series).exclude(pk=draft.pk).exists():
        raise Conflict("list.only_version", "这是该清单唯一的版本，不能废弃；可修改后发布")
    count = queries.item_count(draft)
    journal.record(
        actor=actor, verb="list.discard", subject=subject_of(draft.series),
        summary=f"{draft.series.name}废弃第{draft.number}版草稿({count}项)", data={"version": draft.number, "items": count},
    )
    draft.delete()


# ---- items ----------------------------------------------------------------------------------


def _clean_item(actor, draft: ListVersion, raw: dict, *, current=None) -> tuple[Layout, dict]:
    if not isinstance(raw, dict):
        raise Rejected("list.item_invalid", "事项内容格式不正确", field="values")
    layout = layout_for(draft.series.kind)
    values, errors = parse_values(layout, raw, UnitDirectory(draft.series))
    if not errors:
        errors = check_item(layout, draft.series, values)
    model = layout.model
    if "code" not in errors:
        clash = model.objects.filter(version=draft, code=values["code"])
        if current is not None:
            clash = clash.exclude(pk=current.pk)
        if clash.exists():
            errors["code"] = f"本清单已有编码为{values['code']}的事项"
    if layout.kind == ListKind.POWER and values.get("parent_code") and "parent_code" not in errors:
        parent = PowerItem.objects.filter(version=draft, code=values["parent_code"]).first()
        if parent is None or (current is not None and parent.pk == current.pk):
            errors["parent_code"] = f"本清单没有编码为{values['parent_code']}的主项"
        elif parent.parent_code:
            errors["parent_code"] = f"{values['parent_code']}本身是子项，子项下不能再设子项"
    if current is not None and layout.kind == ListKind.POWER and "code" not in errors and values["code"] != current.code:
        if PowerItem.objects.filter(version=draft, parent_code=current.code).exists():
            errors["code"] = "该事项下有子项，不能修改编码"
    if errors:
        first = next(iter(errors))
        raise Rejected("list.item_invalid", with_headers(layout, errors), field=first, fields=errors)
    return layout, values


@transaction.atomic
def add_item(actor, version: ListVersion, raw: dict):
    """Add one item at the end of the draft."""
    require_editor(actor, version.series)
    draft = _locked_draft(version)
    layout, values = _clean_item(actor, draft, raw)
    last = layout.model.objects.filter(version=draft).aggregate(n=Max("position"))["n"] or 0
    _write_items(layout, draft, [values], start=last + 1)
    item = layout.model.objects.get(version=draft, code=values["code"])
    journal.record(
        actor=actor, verb="list.item_add", subject=subject_of(draft.series),
        summary=f"{draft.series.name}第{draft.number}版草稿新增：{item.code} {item.name}",
        data={"version": draft.number, "code": item.code},
    )
    return item


@transaction.atomic
def change_item(actor, version: ListVersion, item, raw: dict):
    """Change one item of the draft; the journal keeps what each field was and became."""
    require_editor(actor, version.series)
    draft = _locked_draft(version)
    layout = layout_for(draft.series.kind)
    current = queries.item_by_id(draft, item.pk)
    layout, values = _clean_item(actor, draft, raw, current=current)
    before = item_values(layout, current)
    changes = _changes(layout, before, values)
    if not changes:
        return current
    _assign(layout, current, values)
    current.save()
    _write_children(layout, draft, [(current, values)], replace=True)
    journal.record(
        actor=actor, verb="list.item_change", subject=subject_of(draft.series),
        summary=f"{draft.series.name}第{draft.number}版草稿修改：{values['code']} {values['name']}",
        data={"version": draft.number, "code": values["code"], "changes": changes},
    )
    return queries.item_by_id(draft, current.pk)


@transaction.atomic
def remove_item(actor, version: ListVersion, item) -> None:
    require_editor(actor, version.series)
    draft = _locked_draft(version)
    layout = layout_for(draft.series.kind)
    current = queries.item_by_id(draft, item.pk)
    if layout.kind == ListKind.POWER and PowerItem.objects.filter(version=draft, parent_code=current.code).exists():
        raise Conflict("list.item_has_subitems", f"{current.code}下有子项，请先删除或改挂子项", field="code")
    current.delete()
    journal.record(
        actor=actor, verb="list.item_remove", subject=subject_of(draft.series),
        summary=f"{draft.series.name}第{draft.number}版草稿删除：{current.code} {current.name}",
        data={"version": draft.number, "code": current.code, "name": current.name},
    )


@transaction.atomic
def replace_items(actor, version: ListVersion, rows: list[dict], *, source: str) -> int:
    """Replace every item of the draft with `rows` (already validated as a whole: see
    imports.read_workbook). All or nothing: one transaction."""
    require_editor(actor, version.series)
    draft = _locked_draft(version)
    layout = layout_for(draft.series.kind)
    before = queries.item_count(draft)
    layout.model.objects.filter(version=draft).delete()
    count = _write_items(layout, draft, rows)
    journal.record(
        actor=actor, verb="list.import", subject=subject_of(draft.series),
        summary=f"{draft.series.name}第{draft.number}版草稿导入{count}项(原有{before}项)"[:200],
        data={"version": draft.number, "items": count, "replaced": before, "source": source[:200]},
    )
    return count


def _assign(layout: Layout, item, values: dict) -> None:
    for column in layout.columns:
        if column.kind == "codes":
            continue
        value = values.get(column.field)
        if column.kind == "lines":
            value = list(value or ())
        elif value is None and column.kind in ("text", "longtext"):
            value = ""
        setattr(item, column.field, value)
    item.initials = initials_of(values["name"])


def _write_items(layout: Layout, version: ListVersion, rows: list[dict], start: int = 1) -> int:
    """Insert items and their children in a handful of queries (bulk), whatever the count."""
    model = layout.model
    objects = []
    for index, values in enumerate(rows):
        item = model(version=version, position=start + index)
        _assign(layout, item, values)
        objects.append(item)
    created = model.objects.bulk_create(objects, batch_size=1000)
    if any(item.pk is None for item in created):
        # Backends that do not return ids from a bulk insert: read them back by code.
        ids = dict(model.objects.filter(version=version).values_list("code", "pk"))
        for item in created:
            item.pk = ids[item.code]
    _write_children(layout, version, list(zip(created, rows)))
    return len(created)


def _write_children(layout: Layout, version: ListVersion, pairs: list, replace: bool = False) -> None:
    if layout.has_categories:
        if replace:
            LocalDutyCategory.objects.filter(item__in=[item for item, _ in pairs]).delete()
        LocalDutyCategory.objects.bulk_create(
            [
                LocalDutyCategory(item_id=item.pk, version=version, position=position, code=code)
                for item, values in pairs
                for position, code in enumerate(values.get("categories") or ())
            ],
            batch_size=2000,
        )
    if layout.has_materials:
        if replace:
            ServiceMaterial.objects.filter(item__in=[item for item, _ in pairs]).delete()
        ServiceMaterial.objects.bulk_create(
            [
                ServiceMaterial(item_id=item.pk, position=position, name=name, form=form, copies=copies, requirement=requirement, note=note or "")
                for item, values in pairs
                for position, (name, form, copies, requirement, note) in enumerate(values.get("materials") or ())
            ],
            batch_size=2000,
        )


def _changes(layout: Layout, before: dict, after: dict) -> dict:
    from ..layouts import comparable, describe

    old, new = comparable(layout, before), comparable(layout, after)
    return {
        key: [describe(layout, key, before[key])[:300], describe(layout, key, after[key])[:300]]
        for key in new
        if old.get(key) != new[key]
    }


# ---- publication ----------------------------------------------------------------------------


@transaction.atomic
def publish_version(actor, version: ListVersion, *, effective_from: date, note: str = "") -> ListVersion:
    """Freeze the draft as a published version in force from `effective_from`.

    Versions of a list take effect in order: a version may not take effect before the one it
    follows, so "the version in force on a day" is always one version."""
    require_editor(actor, version.series)
    draft = _locked_draft(version)
    if not isinstance(effective_from, date):
        raise Rejected("list.effective_required", "请填写生效日期", field="effective_from")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise Rejected("list.note_too_long", f"修订说明不能超过{NOTE_MAX}字", field="note")
    previous = queries.latest_published(draft.series)
    if previous is not None and effective_from < previous.effective_from:
        raise Rejected(
            "list.effective_too_early",
            f"生效日期不能早于上一版(第{previous.number}版)的生效日期{previous.effective_from:%Y-%m-%d}",
            field="effective_from",
        )
    count = queries.item_count(draft)
    if count == 0:
        raise Rejected("list.empty", "草稿中没有事项，不能发布", field="version")
    summary = {"added": count, "removed": 0, "changed": 0}
    if previous is not None:
        diff = diff_versions(previous, draft)
        summary = {"added": len(diff.added), "removed": len(diff.removed), "changed": len(diff.changed)}
    return records.transition(
        draft, to=PUBLISHED, sources=DRAFT, code="list.not_draft", noun=f"{draft.series.name}第{draft.number}版", label="发布",
        also={"effective_from": effective_from, "published_at": timezone.now(), "published_by": _user(actor), "note": note, "item_count": count},
        actor=actor, verb="list.publish", subject=subject_of(draft.series),
        summary=f"发布{draft.series.name}第{draft.number}版({count}项)，{effective_from:%Y-%m-%d}起施行"[:200],
        note=note,
        data={"version": draft.number, "effective_from": effective_from, "items": count, "previous": previous.number if previous else None, **summary},
    )


def _user(actor):
    return actor if getattr(actor, "pk", None) else None
