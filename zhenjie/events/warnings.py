"""Early warning (研判预警, seed 004 §三): the same category piling up in one village within a
window raises a warning to the township's leaders. Threshold and window are county settings."""

from datetime import timedelta

from zhenjie.areas.models import Area
from zhenjie.kernel.notify import notify_users
from zhenjie.kernel.supervision import leaders_of

from .models import Event, EventPolicy, Warning

DEFAULT_POLICY = EventPolicy(warning_threshold=3, warning_window_days=7, duplicate_window_hours=48, duplicate_radius_m=200, call_acknowledge_hours=2)


def policy_for(area: Area) -> EventPolicy:
    return EventPolicy.objects.filter(county__path=area.path[:6]).first() or DEFAULT_POLICY


def check_after_report(event: Event) -> Warning | None:
    """Raise a warning when this report brings its village's count to the threshold.

    Counted per village (or community): grids are too small for a pattern, townships too big. A
    warning is raised once per pile-up: not again while one for the same place and category is
    younger than the window."""
    area = event.case.area
    village_path = area.path[:12]
    if len(village_path) < 12:
        return None
    policy = policy_for(area)
    since = event.reported_at - timedelta(days=policy.warning_window_days)
    count = Event.objects.filter(
        category=event.category, case__area__path__startswith=village_path, reported_at__gt=since, reported_at__lte=event.reported_at
    ).count()
    if count < policy.warning_threshold:
        return None
    village = Area.objects.get(path=village_path)
    if Warning.objects.filter(area=village, category=event.category, raised_at__gt=since).exists():
        return None
    warning = Warning.objects.create(category=event.category, area=village, count=count, window_days=policy.warning_window_days, raised_at=event.reported_at)
    notify_users(
        leaders_of(event.case),
        f"【预警】{village.name}{policy.warning_window_days}天内发生{count}起{event.category.name}",
        "同一村(社区)同类事件集中发生，请研判处置。",
        event.case,
    )
    return warning
