"""Early warning (研判预警, seed 004 §三): the same category piling up in one village or grid within
a window raises a warning to the township's leaders. Threshold, window and whether villages or
grids are counted are county settings."""

from datetime import timedelta

from django.db import transaction

from zhenjie.accounts.roles import COMMAND
from zhenjie.areas.models import Area
from zhenjie.areas.paths import path_at, reaches_level, township_path
from zhenjie.kernel import journal
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected
from zhenjie.kernel.notify import notify_users
from zhenjie.kernel.scoping import reach_of, unscoped
from zhenjie.kernel.supervision import leaders_of

from .models import EarlyWarning, Event, EventPolicy
from .policy import policy_for

# The level of the tree whose areas the county counts events in.
SCOPE_LEVEL = {EventPolicy.WarningScope.VILLAGE: Area.Level.VILLAGE, EventPolicy.WarningScope.GRID: Area.Level.GRID}


def check_after_report(event: Event) -> EarlyWarning | None:
    """Raise a warning when this report brings its village's (or grid's, as the county sets it)
    count to the threshold. Events placed no deeper than the village are not counted per grid.
    A warning is raised once per pile-up: not again while one for the same place and category
    is younger than the window."""
    area = event.case.area
    policy = policy_for(area)
    level = SCOPE_LEVEL[policy.warning_scope]
    if not reaches_level(area.path, level):
        return None
    scope_path = path_at(area.path, level)
    since = event.reported_at - timedelta(days=policy.warning_window_days)
    count = unscoped(Event, why="a pile-up counts every report of the place, whoever filed it").filter(
        category=event.category, case__area__path__startswith=scope_path, reported_at__gt=since, reported_at__lte=event.reported_at
    ).count()
    if count < policy.warning_threshold:
        return None
    place = Area.objects.get(path=scope_path)
    if unscoped(EarlyWarning, why="one warning per place and pile-up").filter(area=place, category=event.category, raised_at__gt=since).exists():
        return None
    warning = EarlyWarning.objects.create(category=event.category, area=place, count=count, window_days=policy.warning_window_days, raised_at=event.reported_at)
    notify_users(
        leaders_of(event.case),
        f"【预警】{place.name}{policy.warning_window_days}天内发生{count}起{event.category.name}",
        f"同一{policy.get_warning_scope_display()}同类事件集中发生，请研判处置。",
        event.case,
        kind="warning",
    )
    return warning


NOTE_MAX = 500


def acknowledge_warning(actor, warning: EarlyWarning, note: str = "") -> EarlyWarning:
    """A township leader or dispatcher of the village's township marks the warning as seen and
    judged (研判), with an optional note; journaled on the township's chain. Once only: of two
    people acknowledging at once, one succeeds and the other is told who did."""
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise Rejected("warning.note_too_long", f"研判意见不能超过{NOTE_MAX}字", field="note")
    if not COMMAND & reach_of(actor).roles_in(warning.area):
        raise Forbidden("warning.not_allowed", "只有本乡镇(街道)的领导或指挥中心调度员可以确认预警")
    with transaction.atomic():
        if not EarlyWarning.objects.filter(pk=warning.pk, acknowledged_by__isnull=True).update(acknowledged_by=actor):
            who = EarlyWarning.objects.filter(pk=warning.pk).values_list("acknowledged_by__full_name", flat=True).first()
            raise Conflict("warning.already_acknowledged", f"该预警已由{who or '他人'}确认")
        journal.record(
            actor=actor, verb="warning_acknowledge", subject=f"warning:{warning.pk}", chain=township_path(warning.area.path),
            summary=f"确认预警：{warning.area.name}{warning.window_days}天内{warning.count}起{warning.category.name}",
            note=note, data={"warning": warning.pk, "area": warning.area_id, "category": warning.category_id},
        )
    warning.acknowledged_by = actor
    return warning

