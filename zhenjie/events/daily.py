"""Daily counts (EventDay): the command screen's charts over days from a few hundred rows per
township instead of every event (issue 11: "a command screen that does not grow with the data").

Days that are over. What a past day holds does not change: an event keeps its place, category
and channel from its report, and a case closes only now (kernel.workflow.perform). So a
township's day is counted once — by the job queue — and kept. Three writers change a past
day, and each forgets the days it touches: intake with an earlier `reported_at` (a 12345 order
imported late: `forget_day`), reopening an event closed on an earlier day (`untally_close`),
and bulk history (the demo: `forget_all`).

Today, from its ledger. A township's day whose rows were opened before anything could land in
it (`open_ledger`: the nightly job opens tomorrow's) is kept up to date by the transactions that
change it — each report (`tally_report`) and each close or reopen (`tally_close`,
`untally_close`) adds to its rows, locked with the report's own write — so the screen reads
today's figures from a few rows, as it reads the past (issue 11 item 2: "updated in the
transaction"). Staleness: none. A township whose day has no ledger (the day the platform is
installed, or when the job queue did not run) is counted live, as before.

A page only reads: a township whose window is not counted yet is counted live for that request,
and its first report of the day (`keep_window`) or the nightly job has the job queue count it.

Used only where the rows can say what the live query would: a user whose jurisdiction is whole
townships or the county, whole days, and no drill-down below a township
(`townships_for`); anyone else (a grid worker, a village, a department liaison) is counted
live, which is small for them. tests/test_daily.py holds every figure to the live count."""

from collections import Counter
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import Substr, TruncDate
from django.utils import timezone

from zhenjie.areas.models import PATH_LENGTH, Area
from zhenjie.areas.paths import township_path
from zhenjie.kernel.models import Case
from zhenjie.kernel.scoping import paths_q, reach_of

from .models import EventDay
from .workflow import EVENT, EventState

D = EventDay.Dimension
# Counted each night ahead of need: the longest window a page asks for — the analysis pages' 近一年
# (dashboard.filters.WEEKS_CHOICES: 52 whole weeks ending this Sunday, so at most 363 days before
# today) — and with it the command screen's 30 days (dashboard.views.SCREEN_DAYS). With 31, the
# analysis pages' default 12 weeks were counted live on every request: 3.7 s for a township's
# dispatcher and 11 s for the county at a million events (docs/PERFORMANCE.md).
WARM_DAYS = 52 * 7


def midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def townships_for(user, area: Area | None = None) -> list[Area] | None:
    """The townships whose daily rows make up the user's figures (under `area` when given), or
    None when the rows cannot say it (a jurisdiction or drill-down below a township)."""
    paths = reach_of(user).paths
    if not paths or any(len(p) > PATH_LENGTH["township"] for p in paths):
        return None
    if area is not None and (len(area.path) > PATH_LENGTH["township"] or not any(area.path.startswith(p) or p.startswith(area.path) for p in paths)):
        return None
    townships = Area.objects.filter(paths_q(paths), level=Area.Level.TOWNSHIP)
    if area is not None:
        townships = townships.filter(path__startswith=area.path)
    return list(townships.only("pk", "path", "name"))


def _event_cases(townships: list[Area]):
    areas = Area.objects.filter(paths_q(tuple(t.path for t in townships)))
    return Case.objects.filter(kind=EVENT, area__in=areas.values("pk"))


KEYS = {D.REPORTED: None, D.CLOSED: None, D.CATEGORY: "event__category_id", D.CHANNEL: "channel", D.PLACE: "place"}


def _live(townships: list[Area], first: date, end: date, dimension: str) -> Counter:
    """(township id, day, key) → count of these townships' events on the days [first, end),
    counted from the events: one grouped query for the one dimension."""
    start, stop = midnight(first), midnight(end)
    field = KEYS[dimension]
    moment = "closed_at" if dimension == D.CLOSED else "opened_at"
    cases = _event_cases(townships).annotate(township_path=Substr("area__path", 1, PATH_LENGTH["township"]))
    cases = cases.filter(**{f"{moment}__gte": start, f"{moment}__lt": stop})
    # One day (today, on every poll of the screen) needs no grouping by day: on SQLite the local
    # date is a Python function called on every row, which made the screen's cost grow with the
    # day's reports (issue 11: 55 -> 118 ms from 100,000 to 1,000,000 events a year).
    by_day = end - first > timedelta(days=1)
    if by_day:
        cases = cases.annotate(day=TruncDate(moment))
    # Closed in the period, counting only 办结: the state is not in the WHERE clause, so that
    # SQLite walks (area, kind, closed_at) rather than every closed case by (kind, state).
    counted = Count("pk", filter=Q(state=EventState.CLOSED)) if dimension == D.CLOSED else Count("pk")
    if dimension == D.PLACE:  # the village, or the township for an event placed on it
        cases = cases.annotate(place=Substr("area__path", 1, PATH_LENGTH["village"]))
    grouped = (["day"] if by_day else []) + ["township_path", *([field] if field else [])]
    rows = [row for row in cases.values(*grouped).annotate(n=counted) if row["n"]]
    places = dict(Area.objects.filter(path__in={row["place"] for row in rows}).values_list("path", "pk")) if dimension == D.PLACE else {}
    township_ids = {t.path: t.pk for t in townships}
    found: Counter = Counter()
    for row in rows:
        key = "" if field is None else str(places[row["place"]] if places else row[field])
        found[(township_ids[row["township_path"]], row["day"] if by_day else first, key)] += row["n"]
    return found


def _count_days(townships: list[Area], first: date, last: date) -> list[EventDay]:
    """The rows of these townships' days [first, last), from the events themselves; each day's
    "reported" row seals it, even at nought."""
    rows = [
        EventDay(township_id=township_id, day=day, dimension=dimension, key=key, count=n)
        for dimension in D.values
        for (township_id, day, key), n in _live(townships, first, last, dimension).items()
    ]
    sealed = {(row.township_id, row.day) for row in rows if row.dimension == D.REPORTED}
    day = first
    while day < last:
        rows += [EventDay(township_id=t.pk, day=day, dimension=D.REPORTED, count=0) for t in townships if (t.pk, day) not in sealed]
        day += timedelta(days=1)
    return rows


def _complete(townships: list[Area], first: date, last: date) -> set[int]:
    """The townships whose every day in [first, last) has its rows."""
    wanted = (last - first).days
    rows = (
        EventDay.objects.filter(township__in=townships, day__gte=first, day__lt=last, dimension=D.REPORTED)
        .values("township_id").annotate(days=Count("pk")).filter(days=wanted)
    )
    return {row["township_id"] for row in rows}


def ensure_days(townships: list[Area], first: date, last: date) -> None:
    """Count and keep the days in [first, last) of these townships that have no rows yet. Only
    days that are over: `last` is at most today. Run by the job queue, never by a page: a
    GET does not write."""
    last = min(last, timezone.localdate())
    if first >= last or not townships:
        return
    complete = _complete(townships, first, last)
    missing = [t for t in townships if t.pk not in complete]
    if not missing:
        return
    kept = set(
        EventDay.objects.filter(township__in=missing, day__gte=first, day__lt=last, dimension=D.REPORTED).values_list("township_id", "day")
    )
    # From the first day any of them lacks: each night that is yesterday, not the whole year again.
    days = [first + timedelta(days=n) for n in range((last - first).days)]
    first = next(day for day in days if any((township.pk, day) not in kept for township in missing))
    rows = [row for row in _count_days(missing, first, last) if (row.township_id, row.day) not in kept]
    try:
        with transaction.atomic():
            EventDay.objects.bulk_create(rows, batch_size=1000)
    except IntegrityError:
        pass  # counted at the same time by another worker: the same rows are there


_counted_through: dict[str, date] = {}  # township path → the last day this process knows is kept


def keep_window(area: Area) -> None:
    """After a report in `area`: have the job queue count its township's window unless this
    process has seen it counted through yesterday (the first report of a day, or after a deploy).
    No query in the common case."""
    path, yesterday = township_path(area.path), timezone.localdate() - timedelta(days=1)
    if _counted_through.get(path) == yesterday:
        return
    _counted_through[path] = yesterday
    from .jobs import count_window

    transaction.on_commit(lambda: count_window(path))


def forget_day(area: Area, day: date) -> None:
    """Something was dated into, or taken out of, a past day of this area's township: count that
    day again — by the job queue once this commits, so the township's charts are not counted
    live until the night (a reopen after a follow-up call is common)."""
    if day < timezone.localdate() and len(area.path) >= PATH_LENGTH["township"]:
        path = township_path(area.path)
        EventDay.objects.filter(township__path=path, day=day).delete()
        from .jobs import count_window

        transaction.on_commit(lambda: count_window(path))


# ---- the ledger: a day's rows kept by the transactions that change it ----------------------------

def open_ledger(townships: list[Area], day: date) -> None:
    """From now on keep `day`'s rows of these townships in the transactions that report and close
    (tally_report, tally_close): its rows counted live now, "reported" and "closed" even at nought,
    where the day has none yet. Only for a day nothing can land in meanwhile — one that has not
    begun (the nightly job opens tomorrow; intake takes a report at most an hour ahead,
    kernel.inputs.CLOCK_SKEW and the 12345 import) — or any day while nothing else writes (the
    seeders): a report committed between this count and its rows' commit would be missed."""
    opened = set(EventDay.objects.filter(township__in=townships, day=day, dimension=D.REPORTED).values_list("township_id", flat=True))
    fresh = [t for t in townships if t.pk not in opened]
    if not fresh:
        return
    rows = _count_days(fresh, day, day + timedelta(days=1))
    closed = {row.township_id for row in rows if row.dimension == D.CLOSED}
    rows += [EventDay(township_id=t.pk, day=day, dimension=D.CLOSED, count=0) for t in fresh if t.pk not in closed]
    # A township opened at the same time by another worker has the same rows: keep theirs.
    EventDay.objects.bulk_create(rows, ignore_conflicts=True)


def open_today_while_nothing_writes() -> None:
    """Today's ledger for every township, counted now: what a platform has after its nightly job
    ran yesterday. Only where nothing else writes meanwhile (open_ledger) — the seeders, the
    benchmarks, tests."""
    open_ledger(list(Area.objects.filter(level=Area.Level.TOWNSHIP)), timezone.localdate())


def _place_id(area: Area) -> int:
    """The key of the "place" rows: the village, or the township for an event placed on it (as
    `_live` groups it)."""
    return area.parent_id if len(area.path) > PATH_LENGTH["village"] else area.pk


def tally_report(case: Case, category_id: int, channel: str) -> None:
    """In the report's transaction: add the event to its day's ledger, if that day has one. The
    "reported" row is updated first — the lock that orders this township's reports — and only if
    it is there are the category, channel and place rows added to (made at 1 when new). One
    statement without a ledger, two with one; the township is named by its path, not read."""
    area, day = case.area, timezone.localdate(case.opened_at)
    if len(area.path) < PATH_LENGTH["township"]:
        return  # a case on the county itself has no township's day (intake refuses an event there)
    # Any day whose rows are there: a past one was forgotten just before (forget_day) unless it
    # turned past between the two calls, and then its ledger still wants this report, which no
    # count of it can have seen before this transaction commits.
    township = township_path(area.path)
    if not _add(township, day, D.REPORTED, 1):
        return
    keys = ((D.CATEGORY, str(category_id)), (D.CHANNEL, channel), (D.PLACE, str(_place_id(area))))
    values = ", ".join([f"({TOWNSHIP_ID}, %s, %s, %s, 1)"] * len(keys))
    day_value = connection.ops.adapt_datefield_value(day)
    params = [value for dimension, key in keys for value in (township, day_value, dimension, key)]
    with connection.cursor() as cursor:
        # One statement for the three, on both databases (INSERT … ON CONFLICT: SQLite 3.24,
        # PostgreSQL 9.5); the ORM's bulk upsert can only set the count, not add to it.
        cursor.execute(
            f'INSERT INTO {LEDGER} ("township_id", "day", "dimension", "key", "count") VALUES {values} '
            f'ON CONFLICT ("township_id", "day", "dimension", "key") DO UPDATE SET "count" = {LEDGER}."count" + 1',
            params,
        )


# Written as SQL, not through the ORM: on the create path, compiling the ORM's UPDATE with its
# join to the areas cost more than running it (0.8 -> 0.1 ms a report, issue 11).
LEDGER = f'"{EventDay._meta.db_table}"'
TOWNSHIP_ID = f'(SELECT "id" FROM "{Area._meta.db_table}" WHERE "path" = %s)'


def _add(township: str, day: date, dimension: str, by: int) -> int:
    """Add `by` to the day's total row of `dimension` (never below nought), if the day has its
    ledger; the rows changed (0 or 1)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE {LEDGER} SET "count" = "count" + %s WHERE "township_id" = {TOWNSHIP_ID} AND "day" = %s '
            f'AND "dimension" = %s AND "key" = \'\' AND "count" + %s >= 0',
            [by, township, connection.ops.adapt_datefield_value(day), dimension, by],
        )
        return cursor.rowcount


def tally_close(case: Case) -> None:
    """In the close's transaction: one more 办结 on the day's ledger, if the day has one."""
    _add_closed(case.area, timezone.localdate(case.closed_at), 1)


def untally_close(case: Case, closed_at: datetime) -> None:
    """In a reopen's transaction: the event no longer counts as closed on the day it closed —
    today's ledger gives it back, an earlier day is counted again."""
    day = timezone.localdate(closed_at)
    if day < timezone.localdate():
        forget_day(case.area, day)
    else:
        _add_closed(case.area, day, -1)


def _add_closed(area: Area, day: date, by: int) -> None:
    if len(area.path) >= PATH_LENGTH["township"]:
        _add(township_path(area.path), day, D.CLOSED, by)


def forget_all() -> None:
    EventDay.objects.all().delete()


def counts(townships: list[Area], first: date, end: date, dimension: str) -> Counter:
    """(township id, day, key) → count of these townships' events on the days [first, end):
    the days that are over from their rows where a township has them all, today and later from
    their ledgers where a township has every one of them, else counted live — never written
    here."""
    today = timezone.localdate()
    past_end = min(end, today)
    found: Counter = Counter()
    if first < past_end:
        complete = _complete(townships, first, past_end)
        kept = [t for t in townships if t.pk in complete]
        live_townships = [t for t in townships if t.pk not in complete]
        rows = EventDay.objects.filter(township__in=kept, day__gte=first, day__lt=past_end, dimension=dimension)
        for township_id, day, key, count in rows.values_list("township_id", "day", "key", "count"):
            found[(township_id, day, key)] += count
        if live_townships:
            found.update(_live(live_townships, first, past_end, dimension))
    if end > today:
        found.update(_from_ledgers(townships, max(first, today), end, dimension))
    return found


def _from_ledgers(townships: list[Area], first: date, end: date, dimension: str) -> Counter:
    """Days that are not over: from the ledgers (one query, the dimension's rows and the seals)
    of the townships that have one for every day, the others counted live."""
    rows = EventDay.objects.filter(township__in=townships, day__gte=first, day__lt=end, dimension__in={dimension, D.REPORTED})
    rows = list(rows.values_list("township_id", "day", "dimension", "key", "count"))
    opened = Counter(township_id for township_id, _, kind, key, _ in rows if kind == D.REPORTED and key == "")
    kept = {t.pk for t in townships if opened[t.pk] == (end - first).days}
    found: Counter = Counter()
    for township_id, day, kind, key, count in rows:
        if township_id in kept and kind == dimension:
            found[(township_id, day, key)] += count
    if unkept := [t for t in townships if t.pk not in kept]:
        found.update(_live(unkept, first, end, dimension))
    return found
