"""Who covers which grid (定人、定岗、定责, seed 004 §三): the lead worker of each grid and the
workers who help. Township leaders and dispatchers decide; every change is journaled and the old
row is closed, never edited, so a grid's history of who answered for it stays readable."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhenjie.accounts.models import Coverage, User
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.models import Area
from zhenjie.areas.paths import township_path
from zhenjie.kernel.errors import Conflict, Rejected
from zhenjie.kernel.scoping import forget_reach

from ..jurisdiction import MANAGERS, require_grid
from .inputs import record, text

NO_LEAD = 0  # what a form sends as "the grid had no lead when I looked"


def eligible_workers(grid: Area):
    """Grid workers who may cover this grid: an active grid-worker post in a unit of its township."""
    return (
        User.objects.filter(
            is_active=True,
            posts__is_active=True,
            posts__unit__is_active=True,
            posts__roles__code=R.GRID_WORKER,
            posts__unit__area__path__startswith=township_path(grid.path),
        )
        .distinct()
        .order_by("full_name", "username")
    )


def _check_worker(grid: Area, worker) -> None:
    if worker is None:
        raise Rejected("grid.worker_required", "请选择网格员", field="worker")
    if not eligible_workers(grid).filter(pk=worker.pk).exists():
        raise Rejected("grid.worker_not_eligible", f"{worker.display_name} 不是本镇(街道)在岗的网格员", field="worker")


def _current_lead(grid: Area) -> Coverage | None:
    return Coverage.objects.filter(grid=grid, is_lead=True, ended_at__isnull=True).select_related("worker").first()


def _end(coverage: Coverage, actor, at) -> None:
    """Close a stint; of two people closing the same row at once, one wins (compare-and-set)."""
    closed = Coverage.objects.filter(pk=coverage.pk, ended_at__isnull=True).update(ended_at=at, ended_by=actor)
    if not closed:
        raise Conflict("grid.coverage_changed", "网格员分工已被他人调整，请刷新后重试")


def _create(**fields) -> Coverage:
    try:
        with transaction.atomic():
            return Coverage.objects.create(**fields)
    except IntegrityError:
        # The partial unique indexes caught a change that raced ours.
        raise Conflict("grid.coverage_changed", "网格员分工已被他人调整，请刷新后重试") from None


@transaction.atomic
def set_lead_worker(actor, grid: Area, worker, *, expected_lead: int | None, note: str = "", at=None) -> Coverage:
    """Make `worker` the grid's lead worker from now on.

    `expected_lead` is the coverage id of the lead the person saw (NO_LEAD if none): if someone
    changed the lead meanwhile, this is a Conflict and changes nothing, so of two people changing
    the same grid's lead at once exactly one succeeds. `at` is for importers and the demo."""
    require_grid(actor, grid, MANAGERS, "调整网格员分工")
    _check_worker(grid, worker)
    note = text(note, field="note", label="说明", max_length=200)
    at = at or timezone.now()
    current = _current_lead(grid)
    seen = expected_lead or NO_LEAD
    if (current.pk if current else NO_LEAD) != seen:
        who = current.worker.display_name if current else "无"
        raise Conflict("grid.lead_changed", f"该网格的责任网格员已被他人调整(现为：{who})，请刷新后重试", field="worker")
    if current and current.worker_id == worker.pk:
        raise Rejected("grid.lead_unchanged", f"{worker.display_name} 已是该网格的责任网格员", field="worker")
    if current:
        _end(current, actor, at)
    helping = Coverage.objects.filter(grid=grid, worker=worker, ended_at__isnull=True).first()
    if helping:
        _end(helping, actor, at)
    lead = _create(grid=grid, worker=worker, is_lead=True, started_at=at, assigned_by=actor, note=note)
    record(
        actor, grid, "grid.set_lead", f"grid:{grid.pk}",
        f"{grid.name} 责任网格员：{current.worker.display_name if current else '无'} → {worker.display_name}",
        {"grid": grid.pk, "worker": worker.pk, "previous": current.worker_id if current else None, "note": note},
    )
    forget_reach(worker)  # their grids are their reach (kernel.scoping), kept on the user object
    return lead


@transaction.atomic
def add_helper(actor, grid: Area, worker, *, note: str = "", at=None) -> Coverage:
    """A worker who helps cover the grid beside its lead (one worker may cover several grids)."""
    require_grid(actor, grid, MANAGERS, "调整网格员分工")
    _check_worker(grid, worker)
    note = text(note, field="note", label="说明", max_length=200)
    if Coverage.objects.filter(grid=grid, worker=worker, ended_at__isnull=True).exists():
        raise Conflict("grid.already_covering", f"{worker.display_name} 已在该网格任职", field="worker")
    coverage = _create(grid=grid, worker=worker, is_lead=False, started_at=at or timezone.now(), assigned_by=actor, note=note)
    record(actor, grid, "grid.add_helper", f"grid:{grid.pk}", f"{grid.name} 增加协助网格员 {worker.display_name}", {"grid": grid.pk, "worker": worker.pk})
    forget_reach(worker)
    return coverage


@transaction.atomic
def remove_helper(actor, coverage: Coverage, *, at=None) -> Coverage:
    """End a helper's stint. The lead is never removed alone: a grid must keep its lead, so the
    lead changes only by naming the next one (set_lead_worker)."""
    grid = coverage.grid
    require_grid(actor, grid, MANAGERS, "调整网格员分工")
    if coverage.ended_at is not None:
        raise Conflict("grid.coverage_changed", "该网格员已不在此网格任职，请刷新后重试")
    if coverage.is_lead:
        raise Rejected("grid.lead_needs_successor", "责任网格员不能直接移除，请先指定新的责任网格员", field="worker")
    _end(coverage, actor, at or timezone.now())
    record(
        actor, grid, "grid.remove_helper", f"grid:{grid.pk}",
        f"{grid.name} 移除协助网格员 {coverage.worker.display_name}", {"grid": grid.pk, "worker": coverage.worker_id},
    )
    forget_reach(coverage.worker)
    coverage.refresh_from_db()
    return coverage
