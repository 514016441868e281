"""Who decides an accepted application (issue 15 item 3, seed 001 §四(一)2 "前台一口受理、后台
协调通办"): the township's own back office when the township may exercise the item's power on the
day of acceptance (its power list, or a delegation in force — lists.queries.exercise_basis), else
the county department holding that power in the county power list in force that day. An item with
no power code (a public service) handled at township or village level is decided by the township.
A joint item (联合办理, 行政许可法 Art. 42 para. 2) names further powers; each is routed the same
way and gets its own `decide` assignment, and the case waits for all of them."""

import re
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from zhenjie.accounts.roles import RoleCode
from zhenjie.areas.models import Area
from zhenjie.areas.paths import township_path
from zhenjie.kernel.errors import Rejected
from zhenjie.kernel.models import Assignment
from zhenjie.lists.models import HandlingLevel, ListKind, ListSeries, PowerItem
from zhenjie.lists.queries import exercise_basis, versions_in_force
from zhenjie.units.models import Unit

from .models import Application, DecisionRoute, RouteSource

DECIDE = "decide"
CODE_SEPARATORS = re.compile(r"[、,，;；\s]+")


@dataclass(frozen=True)
class Decider:
    unit: Unit
    power_code: str
    source: str  # RouteSource
    basis: str  # why this unit, in words the clerk and the applicant can read
    role: str  # the role the decide assignment asks for ("" : anyone in a county department)


def split_codes(text: str) -> list[str]:
    return [code for code in CODE_SEPARATORS.split(text or "") if code]


def township_of(application: Application) -> Area:
    return Area.objects.get(path=township_path(application.intake_unit.area.path))


def township_back_office(application: Application, township: Area) -> Unit:
    """The back office of the township: the service centre that took the application in, or —
    for an agent point or a home visit — the township's centre where back-office handlers sit."""
    intake = application.intake_unit
    if intake.kind == Unit.Kind.SERVICE_CENTRE and intake.area_id == township.pk:
        return intake
    centre = (
        Unit.objects.filter(area=township, kind=Unit.Kind.SERVICE_CENTRE, is_active=True, posts__roles__code=RoleCode.BACK_OFFICE_HANDLER)
        .order_by("sort_order", "pk")
        .first()
    )
    if centre is None:
        raise Rejected("window.no_back_office", f"{township.name}没有设置后台审批人员的便民服务中心，无法确定审批单位")
    return centre


def _department_holding(county: Area, code: str, on: date) -> PowerItem | None:
    versions = versions_in_force(list(ListSeries.objects.filter(kind=ListKind.POWER, area=county)), on)
    if not versions:
        return None
    return (
        PowerItem.objects.filter(version__in=list(versions.values()), code=code, implementing_unit__kind=Unit.Kind.DEPARTMENT)
        .select_related("implementing_unit")
        .order_by("version__series_id")
        .first()
    )


def decider_for(application: Application, township: Area, code: str, on: date) -> Decider:
    government = Unit.objects.filter(area=township, kind=Unit.Kind.TOWNSHIP_GOVERNMENT, is_active=True).order_by("pk").first()
    basis = exercise_basis(government, code, on) if government else None
    if basis is not None and basis.allowed:
        centre = township_back_office(application, township)
        return Decider(centre, code, basis.source, f"{basis.reason}；由{centre.name}后台审批", RoleCode.BACK_OFFICE_HANDLER)
    held = _department_holding(township.parent, code, on)
    why_not = basis.reason if basis else f"{township.name}没有人民政府机构"
    if held is None:
        raise Rejected("window.no_decider", f"{why_not}；{on:%Y-%m-%d}施行的县级权责清单中也没有编码为{code}的事项，无法确定审批单位")
    department = held.implementing_unit
    return Decider(
        department, code, RouteSource.DEPARTMENT,
        f"{why_not}；依据县级权责清单(第{held.version.number}版)「{held.name}」由{department.name}审批", "",
    )


def route(application: Application, on: date) -> list[Decider]:
    """The deciding units on `on`, the lead first; raises Rejected when none can be found."""
    item = application.service_item
    township = township_of(application)
    code = item.power_code.strip()
    if not code:
        if item.handling_level == HandlingLevel.COUNTY:
            raise Rejected("window.no_decider", "该事项为县级办理事项，办事指南未写明对应权责事项编码，无法确定审批部门，请联系县级管理员补充")
        centre = township_back_office(application, township)
        return [Decider(centre, "", RouteSource.LEVEL, f"事项办理层级为{item.get_handling_level_display()}，不涉及县级权责事项；由{centre.name}后台审批",
                        RoleCode.BACK_OFFICE_HANDLER)]
    deciders: list[Decider] = []
    for each in [code, *split_codes(item.joint_power_codes)]:
        decider = decider_for(application, township, each, on)
        if all(d.unit.pk != decider.unit.pk for d in deciders):  # two powers of one unit: one decision
            deciders.append(decider)
    return deciders


def route_rows(application: Application, deciders: list[Decider]) -> list[DecisionRoute]:
    return [
        DecisionRoute(application=application, unit=d.unit, power_code=d.power_code, source=d.source, basis=d.basis[:500],
                      lead=index == 0, position=index)
        for index, d in enumerate(deciders)
    ]


def record(application: Application, deciders: list[Decider]) -> None:
    DecisionRoute.objects.bulk_create(route_rows(application, deciders))


def is_joint(deciders: list[Decider]) -> bool:
    return len(deciders) > 1


# ---- for the decision part: a joint item moves on only when every unit has decided ----------


def _open_decisions(application: Application) -> QuerySet[Assignment]:
    return Assignment.objects.filter(case_id=application.case_id, todo=DECIDE, state=Assignment.State.OPEN)


def pending_deciders(application: Application) -> list[Unit]:
    """The deciding units whose `decide` assignment is still open, in routing order."""
    open_units = set(_open_decisions(application).values_list("unit_id", flat=True))
    routes = DecisionRoute.objects.filter(application=application).select_related("unit").order_by("position")
    return [r.unit for r in routes if r.unit_id in open_units]


def all_decided(application: Application) -> bool:
    """Whether no deciding unit's `decide` assignment is open any more."""
    return not _open_decisions(application).exists()
