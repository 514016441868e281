"""An agent with posts in two units: township A's 甲一村 point (make_point) and a second village,
甲二村, with its own committee and point, where agent_a holds a village-agent post as well."""

from zhenjie.accounts import actions as accounts
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.actions import create_area
from zhenjie.testing import square
from zhenjie.units.actions import create_unit
from zhenjie.units.models import Unit
from zhenjie.window.actions.agents import create_point
from zhenjie.window.testing import WindowWorld, make_point


def make_second_post(ww: WindowWorld):
    """Returns (甲一村代办点, 甲二村代办点); agent_a serves both."""
    first = make_point(ww)
    village, _ = create_area(None, code="990199101202", name="甲二村", level="village", parent=ww.world.a, village_kind="village",
                             boundary=square(116.12, 35.12, 0.05))  # fmt: skip
    committee = create_unit(None, name="甲二村村民委员会", kind=Unit.Kind.VILLAGE_COMMITTEE, area=village)
    accounts.grant_post(None, user=ww.agent_a, unit=committee, title="代办员", roles=[R.VILLAGE_AGENT], jurisdiction=village)
    second = create_point(ww.world.leader_a, unit=committee, name="甲二村代办点", villages=[village], phone="0317-7654321",
                          address="甲二村村委会", hours="周一至周五 8:30-17:30")  # fmt: skip
    return first, second
