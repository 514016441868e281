"""The demo county's lists, built through the same actions a county administrator uses: each list
is created, filled by a checked import, and published; delegations go through proposal, capacity
check, approval and publication. Idempotent: if the county already has lists, nothing is done.

Dates are set relative to today, so the demo keeps its story in any year: the lists took effect
last year, the local-duty list was revised on 1 January this year (two versions to compare), the
first delegation batch has been in force since last July and the second is proposed for next year."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from zhenjie.accounts.models import User
from zhenjie.areas.models import Area

from . import actions
from .demo_data import duties, powers, services, village
from .models import DelegationBatch, ListKind, ListSeries


@transaction.atomic
def build_lists(progress, county: Area, units: dict) -> None:
    """All or nothing: a failure half-way leaves no lists, so the next run builds them whole."""
    if ListSeries.objects.filter(area__path__startswith=county.path).exists():
        progress.step("清单与赋权", 1).finish("已存在，跳过")
        return
    admin = User.objects.get(username="county.admin")
    departments = units["departments"]
    year = timezone.localdate().year
    townships = list(Area.objects.filter(parent=county, level=Area.Level.TOWNSHIP).order_by("path"))
    with progress.step("清单与赋权", 8 + 2 * len(townships)) as step:
        _publish(admin, ListKind.POWER, f"{county.name}县直部门权责清单", county, powers.department_power_rows(departments), date(year - 1, 1, 1))
        step.advance()
        _local_duties(admin, county, departments, year)
        step.advance(2)
        _publish(admin, ListKind.VILLAGE_DUTY, f"{county.name}村(居)民委员会依法履职事项清单", county,
                 village.village_rows(village.VILLAGE_DUTIES, departments, "LZ"), date(year - 1, 3, 1))
        _publish(admin, ListKind.VILLAGE_ASSISTANCE, f"{county.name}村(居)民委员会协助政府工作事项清单", county,
                 village.village_rows(village.VILLAGE_ASSISTANCE, departments, "XZ"), date(year - 1, 3, 1))
        _publish(admin, ListKind.PURCHASED_SERVICE, f"{county.name}乡镇(街道)政府购买服务指导性目录", county, village.purchased_rows(), date(year - 1, 3, 1))
        step.advance(3)
        for township in townships:
            government = units_of(units, township)["government"]
            kind = township.township_kind
            _publish(admin, ListKind.POWER, f"{township.name}权责清单", township, powers.township_power_rows(government.name, kind), date(year - 1, 1, 1))
            step.advance()
            _publish(admin, ListKind.SERVICE, f"{township.name}政务服务事项清单", township, services.service_rows(township.name, government.phone), date(year - 1, 6, 1))
            step.advance()
        _delegations(admin, county, departments, year)
        step.advance(2)


def units_of(units: dict, township: Area) -> dict:
    return next(own for own in units["townships"].values() if own["government"].area_id == township.pk)


@transaction.atomic
def _publish(admin, kind, name, area, rows, effective_from, *, note="首次发布"):
    series = actions.create_list(admin, kind=kind, name=name, area=area)
    draft = series.versions.get()
    actions.import_rows(admin, draft, rows, source="演示数据")
    return actions.publish_version(admin, draft, effective_from=effective_from, note=note)


@transaction.atomic
def _local_duties(admin, county, departments, year):
    """Two versions: the first lacked two matters and worded gas safety more loosely."""
    later = duties.duty_rows(departments)
    earlier = duties.duty_rows(departments, drop=("建筑工地扬尘管控", "车辆超限超载治理"))
    for row in earlier:
        if row["name"] == "燃气安全管理":
            row["township_duty"] = "负责配合县住房和城乡建设局开展燃气安全宣传和检查。"
    first = _publish(admin, ListKind.LOCAL_DUTY, f"{county.name}乡镇(街道)属地管理事项清单", county, earlier, date(year - 1, 3, 1))
    draft = actions.start_draft(admin, first.series)
    actions.import_rows(admin, draft, later, source="演示数据(修订)")
    actions.publish_version(
        admin, draft, effective_from=date(year, 1, 1), note="增加建筑工地扬尘管控、车辆超限超载治理两项；明确乡镇在燃气安全排查中的配合责任",
    )


@transaction.atomic
def _delegations(admin, county, departments, year):
    if DelegationBatch.objects.filter(county=county).exists():
        return
    first = actions.create_batch(admin, county, title="赋予乡镇(街道)县级经济社会管理权限事项", document_number=f"青政发〔{year - 1}〕12号")
    for slug, code, scope in powers.FIRST_BATCH:
        delegation = actions.propose_delegation(
            admin, first, department=departments[slug], power_code=code, scope=scope, effective_from=date(year - 1, 7, 1),
            note="依法下放、宜放则放，由乡镇(街道)以自身名义实施",
        )
        for target in delegation.targets.select_related("township", "receiving_unit"):
            actions.assess_capacity(admin, target, receiving_unit=target.receiving_unit, trained_staff=4 + len(target.township.name) % 3,
                                    assessment="承接机构已设立，执法人员已取得执法证件并完成业务培训")
        actions.approve_delegation(admin, delegation)
        actions.bring_into_force(admin, delegation)
    second = actions.create_batch(admin, county, title="赋予经济发达镇和乡镇(街道)第二批县级权限事项(征求意见稿)")
    for slug, code, scope in powers.SECOND_BATCH:
        actions.propose_delegation(
            admin, second, department=departments[slug], power_code=code, scope=scope, effective_from=date(year + 1, 1, 1),
            note="拟于明年施行，待承接评估后报批",
        )
