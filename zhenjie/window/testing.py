"""Builders for the window's tests: two townships' service centres with a clerk and a back-office
handler each, a village agent in township A, each township's published service guide, and
applications put in a given state through the workflow engine.

`make_application` opens the case directly with the engine (the filing action's own checks are
tested in its own tests); it is what every other part's tests start from."""

from dataclasses import dataclass
from datetime import date, datetime

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.models import Area
from zhenjie.kernel import workflow
from zhenjie.kernel.assignments import Assign
from zhenjie.kernel.deadlines import Limit, due_after
from zhenjie.kernel.models import Party
from zhenjie.kernel.parties import register_party
from zhenjie.lists.models import ListKind, ServiceItem, ServiceMaterial
from zhenjie.lists.tests.builders import published_list, service_row
from zhenjie.testing import World, citizen_id, make_user, make_world
from zhenjie.units.actions import create_unit
from zhenjie.units.models import Unit

from .models import Application, ApplicationMaterial, Channel, MaterialStatus
from .workflow import KIND, State

# The materials of every test guide item: one required, one the guide lets be deferred (容缺).
MATERIALS = [
    {"name": "居民身份证", "form": "原件", "copies": 1, "requirement": "必需", "note": ""},
    {"name": "户口簿", "form": "复印件", "copies": 2, "requirement": "容缺(可后补)", "note": "户主页和本人页"},
    {"name": "申请表", "form": "原件", "copies": 1, "requirement": "必需", "note": ""},
]


@dataclass
class WindowWorld:
    world: World
    centre_a: Unit  # 甲镇便民服务中心
    centre_b: Unit
    clerk_a: object  # window clerk of A
    backoffice_a: object
    clerk_b: object
    backoffice_b: object
    agent_a: object  # village agent of 甲一村 (world.agent_a)
    items_a: dict  # code → ServiceItem of A's guide in force
    items_b: dict


def make_window_world(world: World | None = None, rows: tuple[dict, ...] = ()) -> WindowWorld:
    """`rows`: further guide items (lists.tests.builders.service_row) in both townships' guides."""
    world = world or make_world()
    centre_a = create_unit(None, name="甲镇便民服务中心", kind=Unit.Kind.SERVICE_CENTRE, area=world.a)
    centre_b = create_unit(None, name="乙镇便民服务中心", kind=Unit.Kind.SERVICE_CENTRE, area=world.b)
    items = {}
    for township, centre in ((world.a, centre_a), (world.b, centre_b)):
        guide = [
            service_row("ZW0001", "最低生活保障申请", materials=MATERIALS),
            service_row("ZW0002", "高龄津贴申请", materials=MATERIALS),
            service_row("BM001", "老年人优待证代办", level="村(社区)", agent="是", materials=MATERIALS),
            *rows,
        ]
        version = published_list(world.county_admin, kind=ListKind.SERVICE, name=f"{township.name}政务服务事项清单",
                                 area=township, rows=guide, effective_from=date(2026, 1, 1))
        items[township.pk] = {item.code: item for item in ServiceItem.objects.filter(version=version)}
    return WindowWorld(
        world=world, centre_a=centre_a, centre_b=centre_b,
        clerk_a=make_user("window_a", centre_a, [R.WINDOW_CLERK], world.a),
        backoffice_a=make_user("backoffice_a", centre_a, [R.BACK_OFFICE_HANDLER], world.a),
        clerk_b=make_user("window_b", centre_b, [R.WINDOW_CLERK], world.b),
        backoffice_b=make_user("backoffice_b", centre_b, [R.BACK_OFFICE_HANDLER], world.b),
        agent_a=world.agent_a, items_a=items[world.a.pk], items_b=items[world.b.pk],
    )  # fmt: skip


def make_applicant(ww: WindowWorld, sequence: int = 1, name: str = "王秀英") -> Party:
    return register_party(ww.clerk_a, ww.world.county, Party.Kind.PERSON, name, id_number=citizen_id(sequence), phone="13800138000")


def make_application(ww: WindowWorld, code: str = "ZW0001", *, township: Area | None = None, state: str = State.RECEIVED,
                     applicant: Party | None = None, received_at: datetime | None = None, at_point: Unit | None = None,
                     at_agent_point: bool = False) -> Application:
    """An application in `state` (received, notified, reviewing, decided), every paper received,
    decided (when asked) by the township's back office. `at_point`: filed by its village agent at
    the agent point of that unit (a village committee) — channel agent_point, the case on the unit's
    area; `at_agent_point=True` is township A's 甲一村 committee."""
    township = township or ww.world.a
    in_a = township == ww.world.a
    clerk, centre, backoffice = (ww.clerk_a, ww.centre_a, ww.backoffice_a) if in_a else (ww.clerk_b, ww.centre_b, ww.backoffice_b)
    item = (ww.items_a if in_a else ww.items_b)[code]
    applicant = applicant or make_applicant(ww)
    if at_agent_point and at_point is None:
        at_point = ww.world.committee_a
    intake_unit, filer, area, channel, handover_role = (
        (at_point, ww.agent_a, at_point.area, Channel.AGENT_POINT, R.VILLAGE_AGENT) if at_point is not None
        else (centre, clerk, township, Channel.WINDOW, R.WINDOW_CLERK)
    )  # fmt: skip
    case = workflow.open_case(
        filer, kind=KIND, title=f"{item.name}({applicant.name})", area=area, owner_unit=centre, channel=channel,
        limit=Limit(5), number_unit=centre, opened_at=received_at, assign=[Assign(centre, "check", role=R.WINDOW_CLERK)],
    )  # fmt: skip
    application = Application.objects.create(
        case=case, service_item=item, item_code=item.code, item_name=item.name, applicant=applicant, intake_unit=intake_unit,
        filed_by=filer, received_at=case.opened_at, notice_due_at=case.due_at,
    )  # fmt: skip
    for material in ServiceMaterial.objects.filter(item=item).order_by("position"):
        ApplicationMaterial.objects.create(
            application=application, guide_material=material, position=material.position, name=material.name,
            status=MaterialStatus.RECEIVED, form=material.form, copies=material.copies,
        )  # fmt: skip
    if state == State.NOTIFIED:
        workflow.perform(clerk, case, "notify")
    if state in (State.REVIEWING, State.DECIDED):
        def start_clock(c):
            c.due_at, c.due_uncertain = due_after(c.updated_at, Limit(item.promised_days))

        workflow.perform(clerk, case, "accept", assign=[Assign(centre, "decide", role=R.BACK_OFFICE_HANDLER)], before_save=start_clock)
        Application.objects.filter(pk=application.pk).update(accepted_at=case.updated_at, deciding_unit=centre)
    if state == State.DECIDED:
        workflow.perform(backoffice, case, "approve", assign=[Assign(intake_unit, "deliver", role=handover_role)])
        Application.objects.filter(pk=application.pk).update(decision="approved", decided_at=case.updated_at)
    application.refresh_from_db()
    return application


def make_point(ww: WindowWorld, *, name: str = "甲一村代办点"):
    """Township A's agent point in 甲一村's village committee, serving 甲一村, with agent_a on
    duty Monday to Friday mornings."""
    from .actions.agents import create_point, set_roster

    world = ww.world
    point = create_point(world.leader_a, unit=world.committee_a, name=name, villages=[world.village_a], phone="0317-1234567",
                         address="甲一村村委会一楼", hours="周一至周五 8:30-12:00 14:00-17:30")  # fmt: skip
    slots = [{"weekday": day, "starts": "08:30", "ends": "12:00", "agent_id": world.agent_a.pk} for day in range(5)]
    return set_roster(world.leader_a, point, slots, expected_version=0)
