"""The hall tests' world: the window world (window/testing.py) with each centre's counters and
hours set through the actions, on a fixed Monday so the national calendar is known."""

from dataclasses import dataclass
from datetime import datetime, time

from django.utils import timezone

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.testing import make_user
from zhenjie.window.actions import hall
from zhenjie.window.models import Counter
from zhenjie.window.testing import WindowWorld, make_window_world

MONDAY = datetime(2026, 12, 7)  # an ordinary working Monday
WEEKDAY_HOURS = [(time(8, 30), time(12, 0), False), (time(12, 0), time(14, 0), True), (time(14, 0), time(17, 30), False)]


def at(day: datetime = MONDAY, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(day.replace(hour=hour, minute=minute))


@dataclass
class HallWorld:
    ww: WindowWorld
    clerk_a2: object  # a second clerk of A: counter 2's clerk, counter 1's alternate (AB岗)
    counter_a1: Counter  # serves ZW0001 and ZW0002
    counter_a2: Counter  # serves every item
    counter_b1: Counter


def make_hall_world(ww: WindowWorld | None = None) -> HallWorld:
    ww = ww or make_window_world()
    clerk_a2 = make_user("window_a2", ww.centre_a, [R.WINDOW_CLERK], ww.world.a)
    a1 = hall.save_counter(ww.clerk_a, ww.centre_a, number=1, name="社会保障", item_codes=["ZW0001", "ZW0002"], clerk=ww.clerk_a, alternate=clerk_a2)
    a2 = hall.save_counter(ww.clerk_a, ww.centre_a, number=2, name="综合受理", clerk=clerk_a2)
    b1 = hall.save_counter(ww.clerk_b, ww.centre_b, number=1, name="综合受理", clerk=ww.clerk_b)
    for clerk, centre in ((ww.clerk_a, ww.centre_a), (ww.clerk_b, ww.centre_b)):
        for weekday in range(5):
            hall.set_weekday_hours(clerk, centre, weekday, WEEKDAY_HOURS)
        hall.set_weekday_hours(clerk, centre, 5, [(time(9, 0), time(12, 0), True)])  # 错时服务: Saturday morning
    return HallWorld(ww, clerk_a2, a1, a2, b1)
