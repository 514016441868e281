"""Visits that create work (issue 14 item 5): a key person's due visit as a case in the covering
grid worker's inbox (kind "visit"), and a visit that found a need handed to the unit that
handles it (kind "referral"). Both through the kernel's workflow engine (grid/workflow.py).

The due date is the ledger's own (`KeyPerson.next_visit_on`: last visit, or entry into the
ledger, plus the county's interval for the kind — rules.py, KeyPopulationSetting); the task's
deadline is the end of that day, so the kernel's sweep turns it yellow, then red when missed."""

from datetime import date, datetime, time

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from zhenjie.accounts.queries import grid_workers_of
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.models import Area
from zhenjie.areas.paths import township_path
from zhenjie.kernel import journal, steps, workflow
from zhenjie.kernel.assignments import Assign
from zhenjie.kernel.errors import Rejected
from zhenjie.kernel.models import Assignment, Case
from zhenjie.units.models import Unit

from ..models import KeyPerson, Referral, Visit, VisitTask
from ..populations import kind_label
from ..workflow import NEED_MAX, REFERRAL, VISIT, VISIT_WORKFLOW, ReferralState, VisitState
from .inputs import choice, text

CHUNK = 500  # people per transaction in the daily job
# Units a need may be referred to: the township's own offices and centres, its government and the
# stations of county departments there (民政办、社会事务办、残联、人社所 …).
REFERRAL_UNIT_KINDS = (Unit.Kind.TOWNSHIP_GOVERNMENT, Unit.Kind.OFFICE, Unit.Kind.SERVICE_CENTRE, Unit.Kind.CENTRE, Unit.Kind.STATIONED)


def _end_of(day: date) -> datetime:
    """24:00 of the due day (stored 23:59:59 local, as kernel.deadlines does for day limits)."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def _visitors(grid: Area) -> list[Assign]:
    """Whoever answers for the grid — its lead worker, else the workers covering it, else those
    posted on it (accounts.queries.grid_workers_of) — else the township's command centre: the
    order of events.actions._verification."""
    posts = grid_workers_of(grid)
    if posts:
        return [Assign(post.unit, "visit", user=post.user) for post in posts]
    from zhenjie.events.intake import command_unit_for  # the events app imports grid: not at load

    unit = command_unit_for(grid)
    return [Assign(unit, "visit", role=R.DISPATCHER)] if unit is not None else []


def _open_task(person: KeyPerson, visitors: list[Assign]) -> VisitTask:
    due_at = _end_of(person.next_visit_on)
    title = f"{kind_label(person.kind)}到期走访(台账编号{person.pk})"  # no name: case titles travel (inbox, notifications)
    case = workflow.open_case(
        None, kind=VISIT, title=title, area=person.grid, owner_unit=visitors[0].unit, channel="grid",
        assign=[Assign(spec.unit, spec.todo, due_at=due_at, user=spec.user, role=spec.role) for spec in visitors],
        data={"key_person": person.pk, "due_on": person.next_visit_on},
    )
    # The deadline is a date the county's rule gives, not a limit counted from the opening
    # (kernel.deadlines.Limit counts days from a start and moves rest days): set on the case
    # itself so the sweep reads it; deadline_unit stays blank, so nothing recounts or extends it.
    Case.objects.filter(pk=case.pk).update(due_at=due_at, due_uncertain=False)
    return VisitTask.objects.create(case=case, key_person=person, grid=person.grid, due_on=person.next_visit_on)


def _system_close(task: VisitTask, reason: str) -> bool:
    """Withdraw a task nobody is acting on (the daily job: the person moved grid, left the
    ledger or is no longer due). The kernel's perform() needs a person who sees the case; the
    job is nobody, so the same step is taken with the kernel's steps (as history.replay does),
    journaled as 系统 with the reason."""
    case = Case.objects.select_for_update().get(pk=task.case_id)
    if case.closed_at is not None:
        VisitTask.objects.filter(pk=task.pk).update(is_open=False)
        return False
    now = timezone.now()
    outcome = steps.take(case, workflow.open_work_of(case), verb="withdraw", transition=VISIT_WORKFLOW.transitions["withdraw"],
                         at=now, actor=None, complete=steps.NONE, note=reason)
    case.save(update_fields=["state", "version", "closed_at", "updated_at"])  # the row is locked above
    Assignment.objects.filter(pk__in=[a.pk for a in outcome.cancelled]).update(state=Assignment.State.CANCELLED, done_at=now)
    journal.append(outcome.entry)
    VisitTask.objects.filter(pk=task.pk).update(is_open=False)
    return True


def withdraw_tasks_of(actor, people, reason: str) -> int:
    """Withdraw the open visit tasks of these key people (they left the ledger), as `actor`, in
    the caller's transaction."""
    done = 0
    for task in VisitTask.objects.filter(key_person__in=people, is_open=True).select_related("case", "case__area"):
        workflow.perform(actor, task.case, "withdraw", reason=reason, complete=steps.NONE)
        VisitTask.objects.filter(pk=task.pk).update(is_open=False)
        done += 1
    return done


def complete_task_of(actor, person: KeyPerson, visit: Visit) -> VisitTask | None:
    """After a visit has been recorded (the person's due date already moved): the open task is
    done once the person is no longer due. A visit entered late for last month, which does not
    move the due date, leaves it open."""
    task = VisitTask.objects.filter(key_person=person, is_open=True).select_related("case", "case__area").first()
    if task is None or person.next_visit_on <= timezone.localdate():
        return None
    workflow.perform(actor, task.case, "complete", data={"visit": visit.pk})
    VisitTask.objects.filter(pk=task.pk).update(is_open=False, visit=visit)
    task.is_open, task.visit = False, visit
    return task


def create_due_visit_tasks(today: date | None = None) -> dict[str, int]:
    """The daily job (jobs.py), and what tests call: withdraw open tasks that no longer stand,
    then open one task for every active key person due by `today` who has none. Idempotent (the
    unique open task per person); grid by grid, through the ledger's (grid, next_visit_on) index,
    CHUNK people per transaction."""
    today = today or timezone.localdate()
    counts = {"opened": 0, "withdrawn": 0, "unassigned": 0}
    counts["withdrawn"] = _withdraw_stale(today)
    has_open = VisitTask.objects.filter(key_person=OuterRef("pk"), is_open=True)
    due_grids = KeyPerson.objects.filter(ended_on__isnull=True, next_visit_on__lte=today).values("grid_id").distinct()
    for grid in Area.objects.filter(level=Area.Level.GRID, pk__in=due_grids).order_by("pk").iterator(chunk_size=200):
        visitors = None
        while True:
            people = list(
                KeyPerson.objects.filter(grid=grid, ended_on__isnull=True, next_visit_on__lte=today)
                .exclude(Exists(has_open)).order_by("next_visit_on", "pk")[:CHUNK]
            )
            if not people:
                break
            visitors = visitors or _visitors(grid)
            if not visitors:  # a township without any unit yet (a county still being set up): nobody to give it to
                counts["unassigned"] += len(people)
                break
            with transaction.atomic():
                for person in people:
                    person.grid = grid
                    try:
                        with transaction.atomic():
                            _open_task(person, visitors)
                    except IntegrityError:  # another run opened it a moment ago
                        continue
                    counts["opened"] += 1
            if len(people) < CHUNK:
                break
    return counts


def _withdraw_stale(today: date) -> int:
    stale = VisitTask.objects.filter(is_open=True).filter(
        Q(key_person__ended_on__isnull=False) | ~Q(key_person__grid=F("grid")) | Q(key_person__next_visit_on__gt=today)
    ).select_related("key_person")
    withdrawn = 0
    last = 0
    while True:
        batch = list(stale.filter(pk__gt=last).order_by("pk")[:CHUNK])
        if not batch:
            return withdrawn
        with transaction.atomic():
            for task in batch:
                person = task.key_person
                if person.ended_on is not None:
                    reason = "走访对象已退出台账"
                elif person.grid_id != task.grid_id:
                    reason = "走访对象已调整到其他网格，由新网格的网格员走访"
                else:
                    reason = f"走访周期调整，下次走访日期为{person.next_visit_on:%Y-%m-%d}"
                withdrawn += _system_close(task, reason)
        last = batch[-1].pk


# ---- referrals (转介) ----------------------------------------------------------------------------


def referral_units(grid: Area):
    """The units a need found in `grid` may be referred to: those of its township."""
    return Unit.objects.filter(area__path=township_path(grid.path), kind__in=REFERRAL_UNIT_KINDS, is_active=True).order_by("kind", "name")


def clean_need(grid: Area, *, need, description, unit) -> dict:
    """What a 需要帮扶 visit must say: the kind of need, what it is, and the unit to refer it to."""
    need = choice(need, field="need", label="帮扶需求类别", choices=Referral.Need.choices)
    description = text(description, field="need_description", label="需求说明", max_length=NEED_MAX, required=True)
    if unit is None:
        raise Rejected("grid.need_unit_required", "请选择转介的承办单位", field="need_unit")
    if not isinstance(unit, Unit) or not referral_units(grid).filter(pk=unit.pk).exists():
        raise Rejected("grid.need_unit_outside", "所选承办单位不在本乡镇(街道)", field="need_unit")
    return {"need": need, "description": description, "unit": unit}


def refer(actor, visit: Visit, *, need: str, description: str, unit: Unit) -> Referral:
    """Open the referral of a 需要帮扶 visit, in the caller's transaction (record_visit)."""
    person = visit.key_person
    case = workflow.open_case(
        actor, kind=REFERRAL, title=f"走访发现需要帮扶：{Referral.Need(need).label}", area=visit.grid, owner_unit=unit,
        channel="grid", number_unit=unit, assign=[Assign(unit, "acknowledge")],
        data={"visit": visit.pk, "key_person": person.pk, "need": need, "unit": unit.pk},
    )
    return Referral.objects.create(case=case, visit=visit, key_person=person, need=need, description=description, unit=unit)


def acknowledge_referral(actor, referral: Referral) -> Referral:
    workflow.perform(actor, referral.case, "acknowledge", assign=[Assign(referral.unit, "answer")])
    return referral


@transaction.atomic
def answer_referral(actor, referral: Referral, result: str) -> Referral:
    from ..workflow import REFERRAL_WORKFLOW

    result = REFERRAL_WORKFLOW.transitions["answer"].clean({"result": result})["result"]
    workflow.perform(actor, referral.case, "answer", data={"result": result[:200]})
    Referral.objects.filter(pk=referral.pk).update(result=result)
    referral.result = result
    return referral


def withdraw_referral(actor, referral: Referral, reason: str) -> Referral:
    workflow.perform(actor, referral.case, "withdraw", reason=reason)
    return referral


__all__ = [
    "ReferralState", "VisitState", "acknowledge_referral", "answer_referral", "clean_need", "complete_task_of", "create_due_visit_tasks",
    "refer", "referral_units", "withdraw_referral", "withdraw_tasks_of",
]
