"""The window's figures (issue 15 item 8), the ones the assessment reads of a service centre:
applications per service item and per deciding unit, and for each

- 按期办结率 (on-time rate): applications decided by the case's deadline (kernel.Case.due_at,
  which already holds the excluded periods and any extension: kernel/DEADLINES.md) among those
  decided; a decision without a running deadline is not late;
- 最多跑一次 (one-visit rate), see ONE_VISIT below, among those delivered;
- 容缺后补 (deferred papers): papers the window let come later (a due date was set), how many
  came by their date, how many late, how many are still missing after it;
- 告知逾期 (notices issued late): the one-time notice issued after its 5-working-day limit, or the
  application counted as accepted because none was (行政许可法 Art. 32(4));
- 好差评 (ratings): how many were rated, each grade, the average; and their rectification: the
  follow-ups (kernel.FollowUp: a poor rating opens one, kernel/followups.py) opened, closed by
  their deadline, late.

Which applications: those received in the period (the case's opened_at, read from the (kind,
opened_at) index), in the user's jurisdiction (kernel.scoping.jurisdiction_cases: a county
administrator sees every township, a township's staff their own). Each count is the size of
`applications_behind(user, choice)` for one `measure`; the application list filtered by the same
query string (`applications_matching`) shows exactly those applications. Counting is aggregate
SQL only — the total, GROUP BY item, GROUP BY deciding unit, and the papers the same three ways —
whatever the number of applications."""

from dataclasses import dataclass, field, replace
from datetime import date
from urllib.parse import urlencode

from django.db.models import Avg, Count, Exists, F, Max, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from zhenjie.kernel import periods
from zhenjie.kernel.errors import Rejected
from zhenjie.kernel.models import FollowUp, JournalEntry
from zhenjie.kernel.rating import GRADES
from zhenjie.kernel.scoping import jurisdiction_cases
from zhenjie.units.models import Unit
from zhenjie.units.queries import chosen_unit
from zhenjie.workbench.excel import Column

from .models import Application, ApplicationMaterial, DeliveryMethod
from .workflow import KIND

ITEM_CODE_MAX = 64  # Application.item_code
RATING_BAR = 200  # the longest bar of the ratings' distribution, in the SVG's units

# What a figure's link asks the list for: the applications behind each count.
MEASURES = {
    "received": "收件", "decided": "已决定", "on_time": "按期决定", "late": "超期决定", "delivered": "已送达",
    "one_visit": "最多跑一次", "notified": "一次性告知", "notice_late": "告知逾期", "deferred": "有容缺材料",
    "deferred_late": "容缺材料逾期", "rated": "已评价", **{f"rating_{g}": f"评价{label}" for g, label in GRADES.items()},
    "follow_up": "差评回访整改", "follow_up_on_time": "按期整改", "follow_up_late": "整改逾期",
}


# ---- the hooks: where a figure reads the notice --------------------------------------------------
# The one-time notice is issued by the `notify` transition, so its journal entry (verb "notify",
# the (case, seq) index) says whether and when a notice was issued. When the notice's own record
# (window/models/notice.py) is merged, these two functions are the only place to point at it.


def notice_issued(case_ref: str = "case_id") -> Exists:
    """EXISTS a one-time notice on the application's case."""
    return Exists(JournalEntry.objects.filter(case_id=OuterRef(case_ref), verb="notify"))


def notice_issued_late(case_ref: str = "case_id", due_ref: str = "notice_due_at") -> Q:
    """The notice came after its limit (Art. 32(4): on the spot or within 5 working days), or none
    came in time and the application counts as accepted from receipt (deemed_accepted)."""
    late = JournalEntry.objects.filter(case_id=OuterRef(case_ref), verb="notify", created_at__gt=OuterRef(due_ref))
    return Q(deemed_accepted=True) | Q(Exists(late))


# ---- the conditions ---------------------------------------------------------------------------------

DECIDED = Q(decided_at__isnull=False)
LATE = DECIDED & Q(case__due_at__isnull=False, decided_at__gt=F("case__due_at"))
DELIVERED = Q(delivered_at__isnull=False)
# 最多跑一次, from the data: the applicant came to the window at most once — the materials were
# complete at the first visit (no one-time notice, which means a second trip with the papers),
# and the result needed no further trip: sent by post, handed over at the village agent point
# (简单事项不出村, seed 001 (一)2), or taken at the window the day it was received (即办). Counted
# among the delivered: an application still open has not finished its trips.
ONE_VISIT = DELIVERED & ~Q(notice_issued()) & (~Q(delivery_method=DeliveryMethod.WINDOW) | Q(delivered_at__date=TruncDate("received_at")))


def _deferred_papers() -> QuerySet[ApplicationMaterial]:
    # A deferral granted is a paper with a due date (容缺后补: the model requires one when deferred);
    # read by the date, not the status, so a paper later marked received still counts.
    return ApplicationMaterial.objects.filter(application_id=OuterRef("pk"), due_on__isnull=False)


def _paper_late(today: date) -> Q:
    """A deferred paper supplied after its day, or still missing after it."""
    return Q(supplied_at__date__gt=F("due_on")) | Q(supplied_at__isnull=True, due_on__lt=today)


def _follow_ups() -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(case_id=OuterRef("case_id"))


def _follow_up_late(now) -> Q:
    return Q(state=FollowUp.State.DONE, due_at__isnull=False, done_at__gt=F("due_at")) | Q(
        state=FollowUp.State.OPEN, due_at__lt=now
    )


def condition(measure: str) -> Q:
    """The condition on an application of the applications behind one figure."""
    now = timezone.now()
    if measure.startswith("rating_"):
        return Q(case__rating=int(measure[7:]))
    return {
        "received": Q(),
        "decided": DECIDED,
        "on_time": DECIDED & ~LATE,
        "late": LATE,
        "delivered": DELIVERED,
        "one_visit": ONE_VISIT,
        "notified": Q(notice_issued()),
        "notice_late": notice_issued_late(),
        "deferred": Q(Exists(_deferred_papers())),
        "deferred_late": Q(Exists(_deferred_papers().filter(_paper_late(timezone.localdate())))),
        "rated": Q(case__rating__isnull=False),
        "follow_up": Q(Exists(_follow_ups())),
        "follow_up_on_time": Q(Exists(_follow_ups().filter(state=FollowUp.State.DONE).exclude(_follow_up_late(now)))),
        "follow_up_late": Q(Exists(_follow_ups().filter(_follow_up_late(now)))),
    }[measure]


# ---- what is asked -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """The received dates from `start` to `end` (inclusive, local days), a deciding unit, a
    service item (by code, across guide versions), a measure."""

    start: date
    end: date
    unit: Unit | None = None
    item: str = ""
    measure: str = ""

    @property
    def bounds(self):
        return periods.Period(self.start, self.end).bounds

    def params(self, **changes) -> dict[str, str]:
        """The query string of the applications behind a figure (applications_matching reads it)."""
        chosen = replace(self, **changes)
        found = {"from": chosen.start.isoformat(), "to": chosen.end.isoformat(), "unit": str(chosen.unit.pk) if chosen.unit else "",
                 "item": chosen.item, "measure": chosen.measure}
        return {key: value for key, value in found.items() if value}


def choose(user, *, start=None, end=None, unit=None, item="", measure="") -> Choice:
    """The choice checked, or Rejected in Chinese naming the field: the period (kernel.periods,
    the last periods.DEFAULT_DAYS days by default), a unit the user may see (by id), an item code,
    a known measure."""
    chosen = periods.period(start, end, prefix="window_figures", default_days=periods.DEFAULT_DAYS)
    measure = str(measure or "").strip()
    if measure and measure not in MEASURES:
        raise Rejected("window_figures.measure_invalid", "统计项须为：" + "、".join(f"{k}({v})" for k, v in MEASURES.items()), field="measure")
    item = str(item or "").strip()
    if len(item) > ITEM_CODE_MAX:
        raise Rejected("window_figures.item_invalid", f"事项编码不能超过{ITEM_CODE_MAX}个字符", field="item")
    found_unit = chosen_unit(user, unit, "window_figures.unit_unknown")
    return Choice(chosen.start, chosen.end, found_unit, item, measure)


def choose_from(user, params) -> Choice:
    """choose() from a query string (?from=&to=&unit=&item=&measure=)."""
    return choose(user, start=params.get("from", ""), end=params.get("to", ""), unit=params.get("unit", ""),
                  item=params.get("item", ""), measure=params.get("measure", ""))


def applications_behind(user, choice: Choice) -> QuerySet[Application]:
    """The applications the figure of `choice` counts: in the user's jurisdiction, received in
    the period, of the deciding unit and item, meeting the measure (all received when none)."""
    start, end = choice.bounds
    cases = jurisdiction_cases(user).filter(kind=KIND, opened_at__gte=start, opened_at__lt=end)
    rows = Application.objects.filter(case_id__in=cases.values("pk"))
    if choice.unit is not None:
        rows = rows.filter(deciding_unit=choice.unit)
    if choice.item:
        rows = rows.filter(item_code=choice.item)
    return rows.filter(condition(choice.measure or "received"))


def applications_matching(user, filters) -> QuerySet[Application]:
    """The applications behind one figure's link: `filters` is its query string (a QueryDict or
    dict with from, to, unit, item, measure). The application list narrows its rows by this
    (`rows.filter(pk__in=applications_matching(user, request.GET).values("pk"))`); a bad value is
    Rejected in Chinese."""
    return applications_behind(user, choose_from(user, filters))


# ---- the figures ---------------------------------------------------------------------------------------

COUNTED = ("received", "decided", "late", "delivered", "one_visit", "notified", "notice_late", "deferred", "deferred_late",
           "rated", "follow_up", "follow_up_on_time", "follow_up_late", *(f"rating_{g}" for g in GRADES))


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Row:
    """One item's or deciding unit's figures (or the total), with the lists behind them."""

    key: object
    name: str
    dimension: str  # 办理事项, 审批单位 or 合计 (the export's first column)
    counts: dict
    average_rating: float | None
    papers: dict = field(default_factory=lambda: {"deferred": 0, "on_time": 0, "late": 0, "overdue": 0})
    links: dict = field(default_factory=dict)  # measure → the list's query string

    @property
    def on_time(self) -> int:
        return self.counts["decided"] - self.counts["late"]

    @property
    def on_time_rate(self):
        return _rate(self.on_time, self.counts["decided"])

    @property
    def one_visit_rate(self):
        return _rate(self.counts["one_visit"], self.counts["delivered"])

    @property
    def papers_on_time_rate(self):
        return _rate(self.papers["on_time"], self.papers["on_time"] + self.papers["late"] + self.papers["overdue"])

    @property
    def follow_up_on_time_rate(self):
        return _rate(self.counts["follow_up_on_time"], self.counts["follow_up"])

    @property
    def ratings(self) -> list[tuple[int, str, int, str, int]]:
        """(grade, label, count, the list's query string, bar length 0–RATING_BAR), best first:
        the distribution as the page draws it."""
        most = max([self.counts[f"rating_{g}"] for g in GRADES] + [1])
        return [(g, label, self.counts[f"rating_{g}"], self.links.get(f"rating_{g}", ""), round(RATING_BAR * self.counts[f"rating_{g}"] / most))
                for g, label in GRADES.items()]


def _aggregates() -> dict:
    found = {f"n_{measure}": Count("pk", filter=condition(measure)) for measure in COUNTED if measure != "received"}
    return {"n_received": Count("pk"), **found, "avg_rating": Avg("case__rating")}


def _paper_aggregates(today: date) -> dict:
    supplied_on_time = Q(supplied_at__isnull=False, supplied_at__date__lte=F("due_on"))
    return {
        "p_deferred": Count("pk"),
        "p_on_time": Count("pk", filter=supplied_on_time),
        "p_late": Count("pk", filter=Q(supplied_at__date__gt=F("due_on"))),
        "p_overdue": Count("pk", filter=Q(supplied_at__isnull=True, due_on__lt=today)),
    }


def _row(key, name, dimension, found) -> Row:
    counts = {measure: found[f"n_{measure}"] for measure in COUNTED}
    average = found["avg_rating"]
    return Row(key, name or "", dimension, counts, round(float(average), 2) if average is not None else None)


def _papers(found) -> dict:
    return {"deferred": found["p_deferred"], "on_time": found["p_on_time"], "late": found["p_late"], "overdue": found["p_overdue"]}


@dataclass
class Figures:
    choice: Choice
    total: Row
    items: list[Row]
    units: list[Row]

    @property
    def total_rows(self) -> list[Row]:
        return [self.total]


LINKED = ("received", "decided", "on_time", "late", "delivered", "one_visit", "notified", "notice_late", "deferred", "deferred_late",
          "rated", "follow_up", "follow_up_on_time", "follow_up_late", *(f"rating_{g}" for g in GRADES))


def _link(choice: Choice, row: Row) -> None:
    """Each count's applications, as the list's query string (row.links[measure])."""
    narrowed = {"item": row.key} if row.dimension == "办理事项" else {"unit": str(row.key)} if row.dimension == "审批单位" else {}
    row.links = {measure: urlencode({**choice.params(measure=measure), **narrowed}) for measure in LINKED}


def figures(user, choice: Choice) -> Figures:
    """The figures per item and per deciding unit, and the total: six aggregate queries (three
    for the applications, three for their deferred papers), whatever the rows."""
    behind = applications_behind(user, replace(choice, measure=""))
    today = timezone.localdate()
    papers = ApplicationMaterial.objects.filter(application__in=behind.values("pk"), due_on__isnull=False)
    total = _row(None, "合计", "合计", behind.aggregate(**_aggregates()))
    total.papers = _papers(papers.aggregate(**_paper_aggregates(today)))

    items = [
        _row(r["item_code"], r["name"], "办理事项", r)
        for r in behind.values("item_code").annotate(name=Max("item_name"), **_aggregates()).order_by("item_code")
    ]
    item_papers = {r["application__item_code"]: _papers(r) for r in papers.values("application__item_code").annotate(**_paper_aggregates(today)).order_by()}
    for row in items:
        row.papers = item_papers.get(row.key, row.papers)

    units = [
        _row(r["deciding_unit"], r["deciding_unit__name"], "审批单位", r)
        for r in behind.filter(deciding_unit__isnull=False).values("deciding_unit", "deciding_unit__name").annotate(**_aggregates())
        .order_by("deciding_unit__name", "deciding_unit")
    ]
    unit_papers = {r["application__deciding_unit"]: _papers(r)
                   for r in papers.values("application__deciding_unit").annotate(**_paper_aggregates(today)).order_by()}
    for row in units:
        row.papers = unit_papers.get(row.key, row.papers)

    for row in (total, *items, *units):
        _link(choice, row)
    return Figures(choice, total, items, units)


def percent(value: float | None):
    return value if value is not None else "—"


COLUMNS = (
    Column("维度", lambda r: r.dimension, 10), Column("名称", lambda r: r.name, 28), Column("收件", lambda r: r.counts["received"], 8),
    Column("已决定", lambda r: r.counts["decided"], 8), Column("按期决定", lambda r: r.on_time, 9), Column("按期办结率(%)", lambda r: percent(r.on_time_rate), 13),
    Column("已送达", lambda r: r.counts["delivered"], 8), Column("最多跑一次", lambda r: r.counts["one_visit"], 10),
    Column("最多跑一次率(%)", lambda r: percent(r.one_visit_rate), 14), Column("一次性告知", lambda r: r.counts["notified"], 10),
    Column("告知逾期", lambda r: r.counts["notice_late"], 9), Column("容缺材料(份)", lambda r: r.papers["deferred"], 11),
    Column("按期补齐(份)", lambda r: r.papers["on_time"], 11), Column("逾期补齐(份)", lambda r: r.papers["late"], 11),
    Column("逾期未补(份)", lambda r: r.papers["overdue"], 11), Column("已评价", lambda r: r.counts["rated"], 8),
    *(Column(f"{label}", lambda r, g=g: r.counts[f"rating_{g}"], 9) for g, label in GRADES.items()),
    Column("平均评分", lambda r: percent(r.average_rating), 9), Column("差评整改", lambda r: r.counts["follow_up"], 9),
    Column("按期整改", lambda r: r.counts["follow_up_on_time"], 9), Column("整改逾期", lambda r: r.counts["follow_up_late"], 9),
)  # the export's columns, as the page shows them
