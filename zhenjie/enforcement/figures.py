"""执法统计 (issue 16 item 7, part 10): the figures the assessment reads of a township's team, over
the enforcement cases opened (the lead recorded, kernel.Case.opened_at) in a period:

- by power item (the code and name copied on the case at registration; leads without one in a
  row of their own) and in total: opened, registered, summary procedure, decided with a penalty,
  declined (不予立案), transferred out (accepted by the department), returned to the sending
  department, terminated (终结), closed by outcome (paid / court / other), still open;
- on-time decisions: decided at or before the case's deadline (kernel.Case.due_at: Art. 60's 90
  days, paused while suspended and moved by approved extensions) or after it; the summary
  procedure (Art. 51, decided on the spot, no 90-day clock) counted apart;
- legal review (Art. 58): reviews, returned, return rate (queries_decision.review_counts);
- hearings (Art. 64): requested, held, the party absent or withdrawn, not concluded;
- transfers (seed 004 §二): out and in, by answer, answered by the acknowledge_transfer
  assignment's due time or late, pending past it (queries_transfers' rule);
- penalties: fines decided, paid, surcharge collected (payments beyond the fine: payments go to
  the fine first, surcharge.py), fines outstanding on cases still open, court applications;
- publicity (Art. 48) and late service (Art. 61): publicity.publicity_counts.

Which cases: the user's jurisdiction (kernel.scoping.jurisdiction_cases, the kernel's scoping
for screens and figures: the rows cases_for shows for the user's own areas), optionally one
township the user may see; or, without a user, an area's (figures_of_area). Counting is
aggregate SQL only: a fixed number of queries whatever the number of cases."""

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from zhenjie.areas.models import Area
from zhenjie.kernel import periods
from zhenjie.kernel.errors import Rejected
from zhenjie.kernel.models import Case
from zhenjie.kernel.scoping import jurisdiction_cases, unscoped, visible_areas
from zhenjie.workbench.excel import Column

from .models import (
    Answer, ClosingOutcome, CourtApplication, CourtResult, Direction, EnforcementCase, Hearing, HearingOutcome, Payment,
    Procedure, Transfer,
)  # fmt: skip
from .publicity import PublicityFigures, publicity_counts
from .queries_decision import ReviewFigures, review_counts
from .queries_transfers import ANSWERED, ANSWERED_LATE, pending_overdue
from .workflow import KIND, State

PREFIX = "enforcement_figures"
BAR = 200  # the longest bar of the page's chart, in the SVG's units

# States in which the case has left the team's hands (the workflow's phase 已结束).
ENDED = (State.CLOSED, State.NOT_REGISTERED, State.TRANSFERRED, State.TERMINATED)


# ---- what is asked ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """Cases opened from `start` to `end` (inclusive, local days), in `township` when given."""

    start: date
    end: date
    township: Area | None = None

    @property
    def bounds(self):
        return periods.Period(self.start, self.end).bounds

    def params(self) -> dict[str, str]:
        found = {"from": self.start.isoformat(), "to": self.end.isoformat(), "township": str(self.township.pk) if self.township else ""}
        return {key: value for key, value in found.items() if value}


def townships_for(user) -> QuerySet[Area]:
    """The townships (and subdistricts) the user may narrow the figures to: those of their
    jurisdiction, today's tree only."""
    return visible_areas(user).live().filter(level=Area.Level.TOWNSHIP).order_by("path")


def _township(user, raw) -> Area | None:
    if raw in (None, ""):
        return None
    try:
        area_id = int(str(raw).strip())
        if not 0 < area_id < 2**63:
            raise ValueError
    except ValueError:
        area_id = None
    found = townships_for(user).filter(pk=area_id).first() if area_id else None
    if found is None:
        raise Rejected(f"{PREFIX}.township_unknown", "所选乡镇(街道)不存在或不在您的辖区内", field="township")
    return found


def choose(user, *, start=None, end=None, township=None) -> Choice:
    """The choice checked, or Rejected in Chinese naming the field: the period (kernel.periods:
    the last periods.DEFAULT_DAYS days by default, at most periods.MAX_DAYS), a township of the
    user's jurisdiction (by id)."""
    chosen = periods.period(start, end, prefix=PREFIX, default_days=periods.DEFAULT_DAYS)
    return Choice(chosen.start, chosen.end, _township(user, township))


def choose_from(user, params) -> Choice:
    """choose() from the page's query string (?from=&to=&township=)."""
    return choose(user, start=params.get("from", ""), end=params.get("to", ""), township=params.get("township", ""))


# ---- the counts -----------------------------------------------------------------------------------

DECIDED = Q(decided_at__isnull=False)
GENERAL_DECIDED = DECIDED & ~Q(procedure=Procedure.SUMMARY)
LATE = GENERAL_DECIDED & Q(case__due_at__isnull=False, decided_at__gt=F("case__due_at"))


def _transfer(direction: str, answer: str) -> Exists:
    return Exists(Transfer.objects.filter(enforcement_id=OuterRef("pk"), direction=direction, answer=answer))


RESULTS = {
    # key: (label, condition on an EnforcementCase)
    "opened": ("线索", Q()),
    "registered": ("立案", Q(registered_at__isnull=False)),
    "summary": ("简易程序", Q(procedure=Procedure.SUMMARY, decided_at__isnull=False)),
    "decided": ("作出处罚决定", DECIDED),
    "declined": ("不予立案", Q(case__state=State.NOT_REGISTERED)),
    "transferred": ("移送部门", Q(_transfer(Direction.OUT, Answer.ACCEPTED))),
    "returned": ("退回部门移送", Q(_transfer(Direction.IN, Answer.REFUSED))),
    "terminated": ("终结", Q(case__state=State.TERMINATED)),
    "closed_paid": ("结案·缴清", Q(case__state=State.CLOSED, closure__outcome=ClosingOutcome.PAID)),
    "closed_court": ("结案·法院执行", Q(case__state=State.CLOSED, closure__outcome=ClosingOutcome.COURT)),
    "closed_other": ("结案·其他", Q(case__state=State.CLOSED, closure__outcome=ClosingOutcome.OTHER)),
    "open": ("在办", ~Q(case__state__in=ENDED)),
    "on_time": ("按期决定", GENERAL_DECIDED & ~LATE),
    "late": ("超期决定", LATE),
}


@dataclass
class Row:
    """One power item's counts (or the total's): counts[key] for each key of RESULTS."""

    code: str
    name: str
    counts: dict
    bar: int = 0  # the chart's bar, 0–BAR

    @property
    def cells(self) -> list[int]:
        """The counts in RESULTS' order, as the table shows them."""
        return [self.counts[key] for key in RESULTS]

    @property
    def on_time_rate(self) -> float | None:
        decided = self.counts["on_time"] + self.counts["late"]
        return round(100 * self.counts["on_time"] / decided, 1) if decided else None


@dataclass(frozen=True)
class Hearings:
    requested: int
    held: int
    absent_or_withdrawn: int
    pending: int


@dataclass(frozen=True)
class TransferCounts:
    """One direction's transfers: sent (out) or received (in)."""

    sent: int
    accepted: int
    refused: int
    pending: int
    on_time: int
    late: int
    pending_overdue: int


@dataclass(frozen=True)
class Penalties:
    fines_decided: Decimal
    paid: Decimal
    surcharge_collected: Decimal
    outstanding: Decimal
    court_applications: int
    court_enforced: int
    court_refused: int
    court_pending: int


@dataclass
class Figures:
    start: date
    end: date
    township: Area | None
    powers: list[Row]
    total: Row
    reviews: ReviewFigures
    hearings: Hearings
    transfers_out: TransferCounts
    transfers_in: TransferCounts
    penalties: Penalties
    publicity: PublicityFigures


def _hearings(cases: QuerySet[EnforcementCase]) -> Hearings:
    found = Hearing.objects.filter(notice__enforcement__in=cases.values("pk")).aggregate(
        requested=Count("pk"),
        held=Count("pk", filter=Q(outcome=HearingOutcome.HELD)),
        absent_or_withdrawn=Count("pk", filter=Q(outcome__in=[HearingOutcome.ABSENT, HearingOutcome.WITHDREW])),
        pending=Count("pk", filter=Q(outcome="")),
    )
    return Hearings(**found)


def _transfers(cases: QuerySet[EnforcementCase], now) -> tuple[TransferCounts, TransferCounts]:
    rows = Transfer.objects.filter(enforcement__in=cases.values("pk"))
    counts = {}
    for direction in (Direction.OUT, Direction.IN):
        this = Q(direction=direction)
        counts.update({
            f"{direction}_sent": Count("pk", filter=this),
            f"{direction}_accepted": Count("pk", filter=this & Q(answer=Answer.ACCEPTED)),
            f"{direction}_refused": Count("pk", filter=this & Q(answer=Answer.REFUSED)),
            f"{direction}_pending": Count("pk", filter=this & Q(answer=Answer.PENDING)),
            f"{direction}_on_time": Count("pk", filter=this & ANSWERED & ~ANSWERED_LATE),
            f"{direction}_late": Count("pk", filter=this & ANSWERED_LATE),
            f"{direction}_pending_overdue": Count("pk", filter=this & pending_overdue(now)),
        })  # fmt: skip
    found = rows.aggregate(**counts)
    names = [f.name for f in fields(TransferCounts)]
    return tuple(TransferCounts(**{name: found[f"{d}_{name}"] for name in names}) for d in (Direction.OUT, Direction.IN))


MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = Value(Decimal("0"), output_field=MONEY)


def _penalties(cases: QuerySet[EnforcementCase]) -> Penalties:
    paid_per_case = Subquery(
        Payment.objects.filter(enforcement_id=OuterRef("pk")).values("enforcement_id").annotate(s=Sum("amount")).values("s"),
        output_field=MONEY,
    )
    fine = Coalesce(F("fine_amount"), ZERO, output_field=MONEY)
    paid = Coalesce(paid_per_case, ZERO, output_field=MONEY)
    found = EnforcementCase.objects.filter(pk__in=cases.values("pk")).aggregate(
        fines=Coalesce(Sum("fine_amount", filter=DECIDED), ZERO, output_field=MONEY),
        paid=Coalesce(Sum(paid), ZERO, output_field=MONEY),
        # Payments go to the fine first (surcharge.py, Art. 72(1)(一)): what is paid beyond it is surcharge.
        surcharge=Coalesce(Sum(Greatest(paid - fine, ZERO, output_field=MONEY)), ZERO, output_field=MONEY),
        outstanding=Coalesce(Sum(Greatest(fine - paid, ZERO, output_field=MONEY), filter=DECIDED & ~Q(case__state__in=ENDED)),
                             ZERO, output_field=MONEY),
    )  # fmt: skip
    court = CourtApplication.objects.filter(enforcement__in=cases.values("pk")).aggregate(
        applications=Count("pk"),
        enforced=Count("pk", filter=Q(result=CourtResult.ENFORCED)),
        refused=Count("pk", filter=Q(result=CourtResult.REFUSED)),
        pending=Count("pk", filter=Q(result=CourtResult.PENDING)),
    )
    cent = Decimal("0.01")
    return Penalties(
        Decimal(found["fines"]).quantize(cent), Decimal(found["paid"]).quantize(cent), Decimal(found["surcharge"]).quantize(cent),
        Decimal(found["outstanding"]).quantize(cent), court["applications"], court["enforced"], court["refused"], court["pending"],
    )  # fmt: skip


def _powers(cases: QuerySet[EnforcementCase]) -> list[Row]:
    aggregates = {f"n_{key}": Count("pk", filter=condition) for key, (_, condition) in RESULTS.items()}
    found = cases.values("power_code").annotate(name=Max("power_name"), **aggregates).order_by("power_code")
    return [Row(r["power_code"], r["name"] or ("" if r["power_code"] else "尚未立案的线索"), {k: r[f"n_{k}"] for k in RESULTS})
            for r in found]  # fmt: skip


def _figures(cases: QuerySet[EnforcementCase], start: date, end: date, township: Area | None) -> Figures:
    """Eight queries: the power rows (the total is their sum), reviews, hearings, transfers, two
    for penalties, two for publicity."""
    powers = _powers(cases)
    total = Row("", "合计", {key: sum(row.counts[key] for row in powers) for key in RESULTS})
    most = max([row.counts["opened"] for row in powers] + [1])
    for row in powers:
        row.bar = round(BAR * row.counts["opened"] / most)
    transfers_out, transfers_in = _transfers(cases, timezone.now())
    return Figures(start, end, township, powers, total, review_counts(cases), _hearings(cases), transfers_out, transfers_in,
                   _penalties(cases), publicity_counts(cases))  # fmt: skip


def _opened_in(cases: QuerySet[Case], start: date, end: date) -> QuerySet[EnforcementCase]:
    low, high = periods.Period(start, end).bounds
    chosen = cases.filter(kind=KIND, opened_at__gte=low, opened_at__lt=high)
    return EnforcementCase.objects.filter(case_id__in=chosen.values("pk")).order_by()


def cases_behind(user, choice: Choice) -> QuerySet[EnforcementCase]:
    """The enforcement cases the figures of `choice` count."""
    return _opened_in(jurisdiction_cases(user, within=choice.township), choice.start, choice.end)


def figures_for(user, choice: Choice) -> Figures:
    """The figures a user sees (the page, the API, the Excel) for a checked choice (choose)."""
    return _figures(cases_behind(user, choice), choice.start, choice.end, choice.township)


def figures_of_area(area: Area, start: date, end: date) -> Figures:
    """The figures of a township or a county (its townships' cases together) for the cases opened
    from `start` to `end`, with no user: what the assessment (考核, DESIGN.md; the app does not
    exist yet) reads of each township. The period is checked as on the page (Rejected beyond
    periods.MAX_DAYS or reversed)."""
    chosen = periods.period(start, end, prefix=PREFIX)
    cases = unscoped(Case, why="考核: the assessment reads every township's figures, no user's jurisdiction").filter(
        area__path__startswith=area.path
    )
    return _figures(_opened_in(cases, chosen.start, chosen.end), chosen.start, chosen.end, area)


RESULT_LABELS = [label for label, _ in RESULTS.values()]


# ---- the export ---------------------------------------------------------------------------------


def percent(value: float | None):
    return value if value is not None else "—"


COLUMNS = (
    Column("权责事项编码", lambda r: r.code, 14), Column("权责事项名称", lambda r: r.name, 30),
    *(Column(label, lambda r, key=key: r.counts[key], 9) for key, (label, _) in RESULTS.items()),
    Column("按期决定率(%)", lambda r: percent(r.on_time_rate), 12),
)  # fmt: skip


def summary_lines(found: Figures) -> list[tuple[str, object]]:
    """The figures beside the table, as (label, value): the page's cards and the export's second sheet."""
    r, h, o, i, p, pub = found.reviews, found.hearings, found.transfers_out, found.transfers_in, found.penalties, found.publicity
    return [
        ("法制审核(件)", r.reviews), ("审核退回(件)", r.returned), ("审核退回率(%)", r.return_rate),
        ("申请听证(件)", h.requested), ("举行听证(件)", h.held), ("当事人缺席或撤回(件)", h.absent_or_withdrawn), ("听证未结(件)", h.pending),
        ("移出部门(件)", o.sent), ("部门签收(件)", o.accepted), ("部门退回(件)", o.refused), ("待部门签收(件)", o.pending),
        ("部门按期答复(件)", o.on_time), ("部门超期答复(件)", o.late), ("部门超期未答复(件)", o.pending_overdue),
        ("部门移入(件)", i.sent), ("本队签收(件)", i.accepted), ("本队退回(件)", i.refused), ("待本队签收(件)", i.pending),
        ("本队按期答复(件)", i.on_time), ("本队超期答复(件)", i.late), ("本队超期未答复(件)", i.pending_overdue),
        ("决定罚款(元)", p.fines_decided), ("已缴纳(元)", p.paid), ("其中加处罚款(元)", p.surcharge_collected),
        ("在办案件未缴罚款(元)", p.outstanding), ("申请法院强制执行(件)", p.court_applications), ("法院已执行(件)", p.court_enforced),
        ("法院不予执行(件)", p.court_refused), ("法院待裁定(件)", p.court_pending),
        ("已公示(件)", pub.published), ("逾期公示(件)", pub.published_late), ("应公示逾期未公示(件)", pub.overdue_unpublished),
        ("撤回公示(件)", pub.withdrawn), ("逾期撤回(件)", pub.withdrawn_late), ("逾期送达(件)", pub.served_late),
    ]  # fmt: skip
