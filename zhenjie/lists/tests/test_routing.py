"""route_for: from an event category and a place to the lead department, read from the
local-duty list in force."""

from datetime import date

import pytest

from zhenjie.lists import actions
from zhenjie.lists.models import ListKind
from zhenjie.lists.routing import DutyRoute, route_for
from zhenjie.units.actions import create_unit
from zhenjie.units.models import Unit

from .builders import duty_row, published_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def duties(world):
    world.market = create_unit(None, name="测试县市场监督管理局", kind=Unit.Kind.DEPARTMENT, area=world.county)
    world.market_a = create_unit(None, name="甲镇市场监管所", kind=Unit.Kind.STATIONED, area=world.a, home_department=world.market)
    rows = [
        duty_row("SD001", "食品小作坊和食品摊贩监管", world.market, "food_safety", domain="市场监管和食品安全"),
        duty_row("SD002", "治安隐患排查整治", world.police, "public_security、noise", domain="社会治安"),
        duty_row("SD003", "校园周边食品安全", world.police, "food_safety", domain="市场监管和食品安全"),
    ]
    world.duties = published_list(world.county_admin, kind=ListKind.LOCAL_DUTY, name="测试县属地管理事项清单", area=world.county, rows=rows, effective_from=date(2026, 1, 1))
    return world


def test_two_categories_route_to_different_departments_and_their_stationed_units(duties):
    food = route_for("food_safety", duties.grid_a, date(2026, 3, 1))
    assert food == DutyRoute(
        item_code="SD001", matter="食品小作坊和食品摊贩监管", domain="市场监管和食品安全", lead_department=duties.market,
        lead_in_township=duties.market_a, township_duty="负责日常巡查，发现问题及时劝阻并报告，配合做好查处工作。",
    )
    security = route_for("public_security", duties.village_a, date(2026, 3, 1))
    assert security.lead_department == duties.police and security.lead_in_township == duties.police_station_a


def test_a_township_without_the_stationed_unit_gets_the_department_alone(duties):
    route = route_for("food_safety", duties.village_b, date(2026, 3, 1))
    assert route.lead_department == duties.market and route.lead_in_township is None
    assert route_for("food_safety", duties.county, date(2026, 3, 1)).lead_in_township is None


def test_when_several_items_cover_a_category_the_first_in_list_order_wins(duties):
    # SD001 and SD003 both cover food_safety; SD001 comes first in the list.
    for _ in range(3):
        assert route_for("food_safety", duties.grid_a, date(2026, 3, 1)).item_code == "SD001"
    draft = actions.start_draft(duties.county_admin, duties.duties.series)
    from zhenjie.lists import queries

    actions.remove_item(duties.county_admin, draft, queries.items_of(draft).get(code="SD001"))
    actions.publish_version(duties.county_admin, draft, effective_from=date(2026, 7, 1))
    assert route_for("food_safety", duties.grid_a, date(2026, 7, 1)).item_code == "SD003"
    # the earlier version still answers for earlier days
    assert route_for("food_safety", duties.grid_a, date(2026, 6, 30)).item_code == "SD001"


def test_no_route_when_nothing_covers_the_category_or_no_list_is_in_force(duties):
    assert route_for("river_lake", duties.grid_a, date(2026, 3, 1)) is None
    assert route_for("food_safety", duties.grid_a, date(2025, 12, 31)) is None


def test_route_defaults_to_today_and_ignores_drafts(duties):
    assert route_for("noise", duties.a).item_code == "SD002"
    draft = actions.start_draft(duties.county_admin, duties.duties.series)
    actions.add_item(duties.county_admin, draft, duty_row("SD000", "河湖管护", duties.police, "river_lake"))
    assert route_for("river_lake", duties.a) is None
