"""Case transfers (案件移送, part 8), both ways, each one transaction through the workflow engine.

Out: the team sends a lead or a registered case to the county department holding the power
(`lists.queries.holder_of` suggests it; any department of the county may be named), with the
facts and the evidence list as they stand and a numbered 案件移送函; the department must
acknowledge (签收) within the county's working days (执法设置) or refuse with its reasons,
the case then going back to the team where it was.

In: a department sends the township's team a case whose power the township holds (its own list
or a delegation): a lead of source 部门移送 with the sending unit and its letter, which the team
acknowledges within the same deadline or returns.

Why not the calls machinery (乡呼县应): a call is the township's command centre asking a
department to act and report back on the township's case, answered in the county's response
hours; a transfer hands the case itself over, is sent by the team's officers, and may be
refused, which moves the case back. So the waiting is the kernel's own: an assignment on the
case to the receiving unit with its deadline (in its inbox, carded by the supervision sweep:
`acknowledge_transfer` is a supervised todo), the answer a step on the case's timeline."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.models import Area
from zhenjie.areas.paths import county_of, county_path
from zhenjie.kernel import deadlines, documents, workflow
from zhenjie.kernel.assignments import Assign
from zhenjie.kernel.deadlines import Limit
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected
from zhenjie.kernel.inputs import past_date, text
from zhenjie.kernel.models import Assignment, DeadlineUnit
from zhenjie.kernel.scoping import reach_of
from zhenjie.lists import queries as lists
from zhenjie.units.models import Unit

from ..models import EnforcementCase, Source
from ..models.transfers import Answer, Direction, Transfer
from ..policy import policy_for
from ..rules_transfers import ACKNOWLEDGE
from ..workflow import ENFORCEMENT_WORKFLOW, KIND
from .lifecycle import LEAD_INPUTS, TEAM_KINDS

CODE = "enforcement"
LETTER_MAX = 64  # Transfer.letter_number
REASON_MAX = 2000
LETTER_KIND = "enforcement_transfer_letter"  # papers_transfers.py


def _acknowledge_due(area: Area):
    days = policy_for(area).transfer_acknowledge_days
    return deadlines.due_after(timezone.now(), Limit(days, DeadlineUnit.WORKING_DAYS))


def _pending(enforcement: EnforcementCase, direction: str) -> Transfer:
    transfer = enforcement.transfers.filter(direction=direction, answer=Answer.PENDING).order_by("-pk").first()
    if transfer is None:
        raise Conflict("enforcement.no_pending_transfer", "该案没有待签收的移送")
    return transfer


def _answer(transfer: Transfer, actor, answer: str, reason: str = "") -> Transfer:
    fields = {"answer": answer, "answer_reason": reason, "answered_by": actor, "answered_at": timezone.now()}
    Transfer.objects.filter(pk=transfer.pk).update(**fields)
    for name, value in fields.items():
        setattr(transfer, name, value)
    return transfer


# ---- out: the team to a county department ----------------------------------------------------


def _receiving_department(enforcement: EnforcementCase, department) -> Unit:
    """Any active department of the team's own county (seed 004 §二: 与县直部门…案件移送)."""
    if department is None:
        raise Rejected("enforcement.department_required", "「移送」须选择接收部门", field="department")
    county = county_path(enforcement.team.area.path)
    if (
        not isinstance(department, Unit)
        or department.kind != Unit.Kind.DEPARTMENT
        or not department.is_active
        or department.area.path != county
    ):
        raise Rejected("enforcement.department_invalid", "只能移送本县的县直部门", field="department")
    return department


def evidence_list(enforcement: EnforcementCase) -> list[dict]:
    """The evidence as it stands, passed along with the case (its files stay here, by hash)."""
    return [
        {
            "title": e.title,
            "kind": e.get_kind_display(),
            "taken_at": timezone.localtime(e.taken_at).isoformat(),
            "sha256": e.sha256,
        }
        for e in enforcement.evidence.order_by("taken_at", "pk")
    ]


@transaction.atomic
def transfer_case(actor, enforcement: EnforcementCase, reason: str, department=None) -> EnforcementCase:
    """移送 the case to `department` with the reason: the department's liaisons get the case to
    acknowledge within the county's working days; a numbered 案件移送函 is issued."""
    department = _receiving_department(enforcement, department)
    reason = ENFORCEMENT_WORKFLOW.transitions["transfer_out"].clean_reason(reason)
    due, uncertain = _acknowledge_due(enforcement.case.area)
    holder = (
        lists.holder_of(county_of(enforcement.team.area), enforcement.power_code, timezone.localdate())
        if enforcement.power_code
        else None
    )
    workflow.perform(
        actor, enforcement.case, "transfer_out", reason=reason, summary=f"移送{department.name}",
        assign=[Assign(department, ACKNOWLEDGE, due_at=due, due_uncertain=uncertain, role=R.DEPARTMENT_LIAISON)],
        data={"department": department.pk, "acknowledge_due": due.isoformat(),
              "holder": holder.implementing_unit_id if holder else None},
    )  # fmt: skip
    transfer = Transfer.objects.create(
        enforcement=enforcement, direction=Direction.OUT, department=department, team=enforcement.team, reason=reason,
        power_code=enforcement.power_code, facts=enforcement.facts, evidence_list=evidence_list(enforcement), sent_by=actor,
        sent_at=timezone.now(), acknowledge_due=due,
    )  # fmt: skip
    letter = documents.issue_document(actor, enforcement.case, LETTER_KIND)
    Transfer.objects.filter(pk=transfer.pk).update(document=letter, letter_number=letter.number)
    return enforcement


@transaction.atomic
def accept_transfer(actor, enforcement: EnforcementCase) -> EnforcementCase:
    """签收: the department takes the case over; it is closed here as 已移送."""
    transfer = _pending(enforcement, Direction.OUT)
    workflow.perform(actor, enforcement.case, "accept_transfer", summary=f"{transfer.department.name}签收移送")
    _answer(transfer, actor, Answer.ACCEPTED)
    return enforcement


@transaction.atomic
def refuse_transfer(actor, enforcement: EnforcementCase, reason: str) -> EnforcementCase:
    """不予接收: with the department's reasons the case goes back to the team — a lead to its
    registration queue, a registered case to its investigation."""
    transfer = _pending(enforcement, Direction.OUT)
    registered = enforcement.registered_at is not None
    name, todo = ("refuse_registered_transfer", "investigate") if registered else ("refuse_transfer", "register")
    reason = ENFORCEMENT_WORKFLOW.transitions[name].clean_reason(reason)
    workflow.perform(actor, enforcement.case, name, reason=reason, summary=f"{transfer.department.name}不予接收，退回{enforcement.team.name}",
                     assign=[Assign(enforcement.team, todo, role=R.ENFORCEMENT_OFFICER)])  # fmt: skip
    _answer(transfer, actor, Answer.REFUSED, reason)
    return enforcement


# ---- in: a county department to the township's team ------------------------------------------


@dataclass(kw_only=True)
class IncomingTransfer:
    township: object  # the township's Area (or its id, from the API)
    title: str
    place: str
    facts: str
    reason: str
    occurred_on: date | None
    letter_number: str = ""
    power_code: str = ""


def sending_department(actor) -> Unit:
    """The county department on whose behalf the actor sends: one where they are liaison."""
    unit_ids = [post.unit_id for post in reach_of(actor).posts if R.DEPARTMENT_LIAISON in post.roles]
    department = (
        Unit.objects.filter(pk__in=unit_ids, kind=Unit.Kind.DEPARTMENT, is_active=True)
        .select_related("area")
        .order_by("pk")
        .first()
    )
    if department is None:
        raise Forbidden("enforcement.transfer_in_forbidden", "只有县直部门的联络员可以向乡镇(街道)移送案件")
    return department


def _township(department: Unit, township) -> Area:
    township_id = township.pk if isinstance(township, Area) else township
    if isinstance(township_id, bool) or not isinstance(township_id, int):
        raise Rejected("enforcement.township_required", "请选择接收案件的乡镇(街道)", field="township")
    found = Area.objects.filter(
        pk=township_id, level=Area.Level.TOWNSHIP, path__startswith=county_path(department.area.path)
    ).first()
    if found is None:
        raise Rejected("enforcement.township_invalid", "只能移送本县的乡镇(街道)", field="township")
    return found


def team_of_township(township: Area) -> Unit:
    """The township's enforcement team: its centre or office where enforcement officers are posted."""
    team = (
        Unit.objects.filter(area=township, kind__in=TEAM_KINDS, is_active=True, posts__is_active=True,
                            posts__roles__code=R.ENFORCEMENT_OFFICER)
        .select_related("area").order_by("pk").first()
    )  # fmt: skip
    if team is None:
        raise Rejected("enforcement.no_team", f"{township.name}尚无综合行政执法队，不能移送", field="township")
    return team


@transaction.atomic
def receive_transfer(actor, incoming: IncomingTransfer) -> EnforcementCase:
    """A department's 移送 to the township's team: a lead of source 部门移送, the sending unit and
    its letter recorded, in the team's inbox to acknowledge within the county's working days.
    The department keeps sight of this case (a finished assignment of its own on it) and of no
    other of the township's."""
    department = sending_department(actor)
    township = _township(department, incoming.township)
    team = team_of_township(township)
    values = {spec.name: spec.clean(getattr(incoming, spec.name), "部门移送", CODE) for spec in LEAD_INPUTS}
    reason = text(incoming.reason, field="reason", label="移送理由", max_length=REASON_MAX, code=CODE, required=True)
    letter = text(incoming.letter_number, field="letter_number", label="移送函文号", max_length=LETTER_MAX, code=CODE)
    code = text(incoming.power_code, field="power_code", label="权责事项编码", max_length=64, code=CODE)
    occurred_on = past_date(incoming.occurred_on, field="occurred_on", label="违法行为发生(终了)日期", code=CODE)
    if code:
        # The township acts only on a power it holds that day (行政处罚法 Art. 24: delegated by
        # the province's decision; its own list or a delegation in force).
        basis = lists.exercise_basis(team, code, timezone.localdate())
        if not basis.allowed:
            raise Rejected("enforcement.power_not_held", f"{basis.reason}，{township.name}不能承办，不能移送", field="power_code")
    due, uncertain = _acknowledge_due(township)
    case = workflow.open_case(
        actor, kind=KIND, title=values["title"], area=township, owner_unit=team, channel=Source.TRANSFER, number_unit=team,
        assign=[Assign(team, ACKNOWLEDGE, due_at=due, due_uncertain=uncertain, role=R.ENFORCEMENT_OFFICER)], note=reason,
        data={"source": Source.TRANSFER, "department": department.pk, "letter_number": letter, "power_code": code},
    )  # fmt: skip
    now = timezone.now()
    Assignment.objects.create(case=case, unit=department, user=actor, todo="transfer", state=Assignment.State.DONE,
                              created_at=now, done_at=now, done_by=actor)  # fmt: skip
    enforcement = EnforcementCase.objects.create(
        case=case, team=team, source=Source.TRANSFER, place=values["place"], facts=values["facts"], occurred_on=occurred_on,
        discovered_at=case.opened_at,
    )  # fmt: skip
    Transfer.objects.create(
        enforcement=enforcement, direction=Direction.IN, department=department, team=team, reason=reason, letter_number=letter,
        power_code=code, facts=values["facts"], sent_by=actor, sent_at=now, acknowledge_due=due,
    )  # fmt: skip
    return enforcement


@transaction.atomic
def acknowledge_transfer_in(actor, enforcement: EnforcementCase) -> EnforcementCase:
    """签收: the team takes the department's case on; it waits in the registration queue."""
    transfer = _pending(enforcement, Direction.IN)
    workflow.perform(actor, enforcement.case, "acknowledge_transfer", complete=ACKNOWLEDGE, summary=f"签收{transfer.department.name}移送",
                     assign=[Assign(enforcement.team, "register", role=R.ENFORCEMENT_OFFICER)])  # fmt: skip
    _answer(transfer, actor, Answer.ACCEPTED)
    return enforcement


@transaction.atomic
def return_transfer_in(actor, enforcement: EnforcementCase, reason: str) -> EnforcementCase:
    """退回: the team returns the department's case with its reasons; closed here."""
    transfer = _pending(enforcement, Direction.IN)
    reason = ENFORCEMENT_WORKFLOW.transitions["return_transfer"].clean_reason(reason)
    workflow.perform(actor, enforcement.case, "return_transfer", reason=reason, summary=f"退回{transfer.department.name}")
    _answer(transfer, actor, Answer.REFUSED, reason)
    return enforcement
