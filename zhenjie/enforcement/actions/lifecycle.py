"""An enforcement case from the lead to decision-ready: open a lead, register it (立案) under a
power the township may exercise that day and within the limitation period, or decline it,
transfer it out, suspend, resume or terminate it. Each is one transaction through the kernel's
workflow engine; nothing is written when a rule refuses."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.paths import county_of
from zhenjie.kernel import deadlines, parties, workflow
from zhenjie.kernel.assignments import Assign
from zhenjie.kernel.deadlines import Limit
from zhenjie.kernel.errors import Forbidden, NotFound, Rejected
from zhenjie.kernel.models import CaseParty, DeadlineUnit, Party
from zhenjie.kernel.scoping import can_see_case, reach_of, visible_cases
from zhenjie.kernel.workflow import CASE, LONGTEXT, TEXT, Input, case_input, clean_inputs
from zhenjie.lists import queries as lists
from zhenjie.units.models import Unit

from ..documents import issue_registration_form
from ..models import EnforcementCase, Source
from ..workflow import ENFORCEMENT_WORKFLOW, KIND

# 行政处罚法 Art. 60: decided within 90 days of registration; longer periods than Art. 85's
# "二日、三日、五日、七日" are natural days (shared/reference/statutory-deadlines.md §0).
DECISION_LIMIT = Limit(90, DeadlineUnit.NATURAL_DAYS)
# Art. 36: no penalty for an act undiscovered for 2 years, 5 where it endangers life, health or
# financial security and caused harm; counted from the day the act occurred or, when it went
# on, ended.
LIMITATION_YEARS, LIMITATION_YEARS_SAFETY = 2, 5
FACTS_MAX = 5000
# Leads the team opens itself; a department's transfer comes in through the transfers part.
LEAD_SOURCES = (Source.EVENT, Source.PATROL, Source.COMPLAINT, Source.INSPECTION)
TEAM_KINDS = (Unit.Kind.CENTRE, Unit.Kind.OFFICE)

LEAD_INPUTS = (
    Input("title", "案由", TEXT, required=True, max_length=200),
    Input("place", "违法地点", TEXT, required=True, max_length=200),
    Input("facts", "案情摘要", LONGTEXT, required=True, max_length=FACTS_MAX),
)
EVENT_INPUT = Input("event", "事件编号", CASE, required=True)


@dataclass(kw_only=True)
class Lead:
    source: str
    title: str
    place: str
    facts: str
    occurred_on: date | None
    endangers_safety: bool = False
    event: int | str | None = None  # the event's number as printed, or its case id: the case's parent
    party_kind: str = ""  # empty: the party is not known yet
    party_name: str = ""
    id_number: str = ""
    phone: str = ""


def team_of(actor) -> Unit:
    """The enforcement team the officer works in: the unit of their officer post in a township."""
    for post in reach_of(actor).posts:
        if R.ENFORCEMENT_OFFICER in post.roles and post.path and post.for_user_id is None:
            unit = Unit.objects.select_related("area").get(pk=post.unit_id)
            if unit.kind in TEAM_KINDS:
                return unit
    raise Forbidden("enforcement.officer_only", "只有乡镇(街道)综合执法队的执法人员可以登记案件线索")


def _occurred_on(value, today: date) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise Rejected("enforcement.occurred_on_required", "请填写违法行为发生(终了)日期", field="occurred_on")
    if value > today:
        raise Rejected("enforcement.occurred_on_future", "违法行为发生(终了)日期不能晚于今天", field="occurred_on")
    return value


def _event_case(actor, lead: Lead, team: Unit):
    """The event a lead comes from, by its number as printed or its id, among the events the
    officer can see (another township's and a missing one are refused alike); it must lie in the
    team's township, in whose name the team acts."""
    if lead.source != Source.EVENT:
        if lead.event not in (None, ""):
            raise Rejected("enforcement.event_not_expected", "只有来源为「事件转来」的线索才关联事件", field="event")
        return None
    event_id = case_input(actor, EVENT_INPUT, lead.event, "event", "登记线索", "enforcement")
    event = visible_cases(actor).filter(pk=event_id).select_related("area").get()
    if not event.area.path.startswith(team.area.path):
        raise Rejected("enforcement.event_elsewhere", f"该事件不在{team.area.name}，不能由{team.name}立案查处", field="event")
    return event


def _party(actor, lead: Lead, team: Unit) -> Party | None:
    if not (lead.party_kind or lead.party_name or lead.id_number or lead.phone):
        return None
    return parties.register_party(actor, county_of(team.area), lead.party_kind, lead.party_name, id_number=lead.id_number, phone=lead.phone)


@transaction.atomic
def open_lead(actor, lead: Lead) -> EnforcementCase:
    """Record a lead (线索) for the team to decide on: who, where, what, and when the act
    occurred. In the team's registration queue until it is registered, declined or transferred."""
    team = team_of(actor)
    if lead.source not in LEAD_SOURCES:
        raise Rejected("enforcement.source_invalid", "案件来源须为事件转来、巡查发现、投诉举报或执法检查", field="source")
    values = clean_inputs(LEAD_INPUTS, {"title": lead.title, "place": lead.place, "facts": lead.facts}, "登记线索", "enforcement")
    occurred_on = _occurred_on(lead.occurred_on, timezone.localdate())
    if not isinstance(lead.endangers_safety, bool):
        raise Rejected("enforcement.endangers_safety_invalid", "是否涉及生命健康、金融安全须为是或否", field="endangers_safety")
    event = _event_case(actor, lead, team)
    party = _party(actor, lead, team)
    case = workflow.open_case(
        actor, kind=KIND, title=values["title"], area=event.area if event else team.area, owner_unit=team, channel=lead.source,
        parent=event, number_unit=team, assign=[Assign(team, "register", role=R.ENFORCEMENT_OFFICER)],
        data={"source": lead.source, "event": event.number if event else ""},
    )  # fmt: skip
    if party is not None:
        parties.link_party(actor, case, party, CaseParty.Role.PARTY)
    return EnforcementCase.objects.create(
        case=case, team=team, source=lead.source, party=party, place=values["place"], facts=values["facts"],
        occurred_on=occurred_on, endangers_safety=lead.endangers_safety, discovered_at=case.opened_at,
    )  # fmt: skip


def limitation_ends(occurred_on: date, endangers_safety: bool) -> date:
    """The last day on which the act may still be discovered (Art. 36)."""
    years = LIMITATION_YEARS_SAFETY if endangers_safety else LIMITATION_YEARS
    try:
        return occurred_on.replace(year=occurred_on.year + years)
    except ValueError:  # 29 February: the period ends with February
        return occurred_on.replace(year=occurred_on.year + years, day=28)


def _check_limitation(enforcement: EnforcementCase, endangers_safety: bool) -> None:
    discovered = timezone.localdate(enforcement.discovered_at)
    ends = limitation_ends(enforcement.occurred_on, endangers_safety)
    if discovered > ends:
        years = LIMITATION_YEARS_SAFETY if endangers_safety else LIMITATION_YEARS
        raise Rejected(
            "enforcement.limitation_passed",
            f"违法行为发生(终了)于{enforcement.occurred_on:%Y-%m-%d}，至{discovered:%Y-%m-%d}发现已超过{years}年，"
            f"依《行政处罚法》第三十六条不再给予行政处罚，不能立案；请作不予立案处理",
            field="occurred_on",
        )  # fmt: skip


def transfer_offer(enforcement: EnforcementCase, code: str, on: date) -> str:
    """Who holds a power the township may not exercise: the county department whose item it is."""
    holder = lists.holder_of(county_of(enforcement.team.area), code, on)
    if holder is None:
        return "请核对权责事项编码"
    return f"该事项由{holder.implementing_unit.name}行使({holder.name})，可将案件移送{holder.implementing_unit.name}"


@transaction.atomic
def register_case(actor, enforcement: EnforcementCase, power_code: str, endangers_safety: bool | None = None) -> EnforcementCase:
    """立案 (Art. 54) under `power_code`: only a power the township may exercise today — its own
    power list in force or a delegation in force (lists.queries.exercise_basis) — else refused
    with the holder to transfer to; only within Art. 36's limitation period. The power (code,
    name, legal basis, source, delegation) is copied onto the case, and the 90 days of Art. 60
    start."""
    case = enforcement.case
    if not can_see_case(actor, case):
        raise NotFound("enforcement.not_found", "执法案件不存在或不在您的辖区内")
    values = ENFORCEMENT_WORKFLOW.transitions["register"].clean({"power_code": power_code, "endangers_safety": endangers_safety})
    code = values["power_code"]
    safety = enforcement.endangers_safety if values["endangers_safety"] is None else values["endangers_safety"]
    _check_limitation(enforcement, safety)
    today = timezone.localdate()
    basis = lists.exercise_basis(enforcement.team, code, today)
    if not basis.allowed:
        raise Rejected("enforcement.power_not_held", f"{basis.reason}，不能立案。{transfer_offer(enforcement, code, today)}", field="power_code")
    item = lists.item_behind(basis, enforcement.team.area, code, today)
    at = timezone.now()
    workflow.perform(
        actor, case, "register", assign=[Assign(enforcement.team, "investigate", role=R.ENFORCEMENT_OFFICER)],
        before_save=lambda c: deadlines.start(c, DECISION_LIMIT, at), summary=f"立案：{code} {basis.item_name}",
        data={"power_code": code, "basis": basis.reason, "delegation": basis.delegation_id, "endangers_safety": safety},
    )  # fmt: skip
    fields = dict(
        power_code=code, power_name=basis.item_name, legal_basis=item.legal_basis if item else "", power_source=basis.source,
        delegation_id=basis.delegation_id, registered_at=at, endangers_safety=safety,
    )  # fmt: skip
    EnforcementCase.objects.filter(pk=enforcement.pk).update(**fields)
    for name, value in fields.items():
        setattr(enforcement, name, value)
    issue_registration_form(actor, enforcement)  # the 立案审批表, numbered with the registration
    return enforcement


def decline_case(actor, enforcement: EnforcementCase, reason: str) -> EnforcementCase:
    """不予立案, with the reason (no violation, beyond the limitation period, too minor …)."""
    workflow.perform(actor, enforcement.case, "decline", reason=reason)
    return enforcement


def suspend_case(actor, enforcement: EnforcementCase, reason: str) -> EnforcementCase:
    """中止: the 90 days stop running until the case resumes (the workflow pauses the clock)."""
    workflow.perform(actor, enforcement.case, "suspend", reason=reason)
    return enforcement


def resume_case(actor, enforcement: EnforcementCase, reason: str = "") -> EnforcementCase:
    """恢复办理: the clock runs again, pushed back by the days suspended; the team investigates."""
    workflow.perform(actor, enforcement.case, "resume", reason=reason,
                     assign=[Assign(enforcement.team, "investigate", role=R.ENFORCEMENT_OFFICER)])  # fmt: skip
    return enforcement


def terminate_case(actor, enforcement: EnforcementCase, reason: str) -> EnforcementCase:
    """终结, with the reason (the party died or dissolved with no one to bear it, …)."""
    workflow.perform(actor, enforcement.case, "terminate", reason=reason)
    return enforcement
