"""County settings for the command centre, changed by the county administrator and journaled:
event categories and their deadlines, early-warning and duplicate thresholds. The supervision
warning period and the response time of 乡呼县应 calls are the kernel's, for every kind of case
(kernel.supervision.update_policy, on the console page 督办设置)."""

from django.db import transaction

from zhenjie.areas.models import Area
from zhenjie.kernel import journal
from zhenjie.kernel.county_settings import NOT_COUNTY_ADMIN, CountySettings
from zhenjie.kernel.errors import Conflict, Rejected
from zhenjie.kernel.models import DeadlineUnit
from zhenjie.kernel.scoping import administered_county

from .models import Category, EventPolicy, Urgency

# Ranges a county may choose from. The documents set no number (seed 004 §三 names 研判预警 only);
# below two events there is no "piling up", and a window past a quarter no longer says "now".
POLICY_LIMITS = {
    "warning_threshold": (2, 100, "预警阈值须在2至100件之间"),
    "warning_window_days": (1, 90, "预警时间窗须在1至90天之间"),
    "duplicate_window_hours": (1, 720, "疑似重复时间窗须在1至720小时之间"),
    "duplicate_radius_m": (10, 5000, "疑似重复距离须在10至5000米之间"),
    # 回访: no document sets these; a month is the longest a call back still answers a rating.
    "follow_up_days": (1, 20, "回访时限须在1至20个工作日之间"),
    "follow_up_sample_percent": (0, 100, "抽样回访比例须在0至100之间"),
}
LIMIT_FIELDS = ("acknowledge", "handle", "verify")

DEFAULTS = {"warning_threshold": 3, "warning_scope": EventPolicy.WarningScope.VILLAGE, "warning_window_days": 7, "duplicate_window_hours": 48,
            "duplicate_radius_m": 200, "follow_up_days": 3, "follow_up_sample_percent": 0}  # fmt: skip
SETTINGS = CountySettings(
    EventPolicy, POLICY_LIMITS, DEFAULTS, verb="settings.events", summary="修改指挥中心设置",
    choices={"warning_scope": (frozenset(EventPolicy.WarningScope.values), "请选择预警范围：村(社区)或网格")},
)  # fmt: skip


def policy_for(area: Area) -> EventPolicy:
    """The settings of the county holding `area` (an unsaved row of defaults where none was saved)."""
    return SETTINGS.for_area(area)


def update_event_policy(actor, *, version: int | None = None, **values) -> EventPolicy:
    """Save the actor's county's settings (a save over a newer version is a Conflict)."""
    return SETTINGS.update(actor, version=version, **values)


def _check_int(value, low, high, message, field):
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Rejected("settings.invalid", message, field=field)


POWER_CODE_MAX = 64


def _check_category(values: dict) -> None:
    name = (values.get("name") or "").strip()
    if not name or len(name) > 40:
        raise Rejected("category.name_invalid", "类别名称不能为空，且不超过40字", field="name")
    if values.get("urgency") not in Urgency.values:
        raise Rejected("category.urgency_invalid", "请选择紧急程度", field="urgency")
    for prefix in LIMIT_FIELDS:
        _check_int(values.get(f"{prefix}_amount"), 1, 720, "时限须为1至720的整数", f"{prefix}_amount")
        if values.get(f"{prefix}_unit") not in DeadlineUnit.values:
            raise Rejected("category.unit_invalid", "请选择时限单位", field=f"{prefix}_unit")
    if "power_code" in values:
        code = values["power_code"]
        if code is not None and not isinstance(code, str):
            raise Rejected("category.power_code_invalid", "权责事项编码须为文本", field="power_code")
        if len((code or "").strip()) > POWER_CODE_MAX:
            raise Rejected("category.power_code_too_long", f"权责事项编码不能超过{POWER_CODE_MAX}字", field="power_code")


def _check_parent(category: Category | None, parent: Category | None) -> None:
    """Two levels, as the 12345 and grid classifications use: a first-level category, or a
    second-level one under it. No deeper, and none under itself. Both rows are locked and read
    again first, so two administrators nesting A under B and B under C at once cannot make three
    levels: the second waits, then sees the first's change."""
    if parent is None:
        return
    locked = {c.pk: c for c in Category.objects.select_for_update().filter(pk__in=[parent.pk, getattr(category, "pk", None)])}
    parent = locked[parent.pk]
    if parent.parent_id is not None:
        raise Rejected("category.parent_too_deep", "上级类别须为一级类别（类别最多两级）", field="parent")
    if category is not None and (parent.pk == category.pk or category.children.exists()):
        raise Rejected("category.parent_invalid", "该类别本身有下级类别，或选择了自己，不能作为二级类别", field="parent")


def _journal_values(values: dict) -> dict:
    parent = values.get("parent")
    return values | {"parent": parent.code if parent else None} if "parent" in values else values


@transaction.atomic
def save_category(actor, category: Category | None, **values) -> Category:
    """Create a category (category None) or change one; codes never change, events refer to them."""
    administered_county(actor, refuse=NOT_COUNTY_ADMIN)
    _check_category(values)
    _check_parent(category, values.get("parent"))
    values["name"] = values["name"].strip()
    if "power_code" in values:
        values["power_code"] = (values["power_code"] or "").strip()
    if category is None:
        code = (values.pop("code", "") or "").strip()
        import re

        if not re.fullmatch(r"[a-z][a-z0-9_]{1,39}", code):
            raise Rejected("category.code_invalid", "代码须为2至40位小写字母、数字或下划线，以字母开头", field="code")
        if Category.objects.filter(code=code).exists():
            raise Conflict("category.code_taken", f"代码 {code} 已存在", field="code")
        category = Category.objects.create(code=code, **values)
        journal.record(actor=actor, verb="settings.category_create", summary=f"新增事件类别 {category.name}", data={"code": code, **_journal_values(values)})
        return category
    values.pop("code", None)
    before = {field: getattr(category, field) for field in values}
    for field, value in values.items():
        setattr(category, field, value)
    category.save()
    journal.record(actor=actor, verb="settings.category_update", summary=f"修改事件类别 {category.name}",
                   data={"code": category.code, "before": _journal_values(before), "after": _journal_values(values)})
    return category
