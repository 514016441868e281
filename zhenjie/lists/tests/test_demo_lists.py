"""The demo county's lists have the size and shape seed 003 gives, and route as the events app expects."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from zhenjie.areas.models import Area
from zhenjie.kernel import journal
from zhenjie.lists import queries
from zhenjie.lists.diffs import diff_versions
from zhenjie.lists.models import Delegation, DelegationBatch, ListKind, ListSeries, ListVersion, LocalDutyItem, PowerItem, ServiceItem
from zhenjie.lists.routing import route_for
from zhenjie.units.models import Unit

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

CATEGORIES = [
    "sanitation", "illegal_construction", "street_vending", "safety_hazard", "gas_safety", "dispute", "road_facility", "river_lake",
    "forest_fire", "noise", "pollution", "food_safety", "public_security", "farmland", "straw_burning",
]


def test_the_demo_lists_have_the_sizes_of_seed_003_and_route_every_event_category(demo):
    today = timezone.localdate()
    # seed 003 二: 141 power items for a town, 97 for a subdistrict
    for township in Area.objects.filter(level="township"):
        version = queries.version_in_force(ListSeries.objects.get(kind=ListKind.POWER, area=township), today)
        expected = 97 if township.township_kind == "subdistrict" else 141
        assert PowerItem.objects.filter(version=version).count() == expected, township.name
        types = set(PowerItem.objects.filter(version=version).values_list("power_type", flat=True))
        assert len(types) == 11  # the ten kinds of administrative power plus public service
        # seed 003 四(一): 186 township service items and 53 village items, the village ones for agent points
        services = ServiceItem.objects.filter(version=queries.version_in_force(ListSeries.objects.get(kind=ListKind.SERVICE, area=township), today))
        assert services.filter(handling_level="township").count() == 186
        assert services.filter(handling_level="village", agent_point=True).count() == 53
    # seed 003 二: 98 local-duty items across 16 domains, led by departments
    duties = ListSeries.objects.get(kind=ListKind.LOCAL_DUTY)
    current = queries.version_in_force(duties, today)
    items = LocalDutyItem.objects.filter(version=current)
    assert items.count() == 98 and len(set(items.values_list("domain", flat=True))) == 16
    assert set(items.values_list("lead_department__kind", flat=True)) == {Unit.Kind.DEPARTMENT}
    # the previous version stays readable and the diff says what the revision did
    first = duties.versions.get(number=1)
    diff = diff_versions(first, current)
    assert [a.name for a in diff.added] == ["建筑工地扬尘管控", "车辆超限超载治理"]
    assert [c.name for c in diff.changed] == ["燃气安全管理"] and not diff.removed
    # every category the events app creates has a route; two of them lead to different
    # departments with stationed units in every township
    village = Area.objects.get(name="前柳村")
    routes = {code: route_for(code, village) for code in CATEGORIES}
    assert all(routes.values()), [c for c, r in routes.items() if r is None]
    assert routes["food_safety"].lead_department.name == "县市场监督管理局" and routes["food_safety"].lead_in_township.name == "柳湾市场监管所"
    assert routes["farmland"].lead_department.name == "县自然资源和规划局" and routes["farmland"].lead_in_township.name == "柳湾自然资源所"
    assert routes["public_security"].lead_in_township.name == "柳湾派出所"
    assert routes["sanitation"].lead_department.name == "县综合行政执法局"
    # one delegation batch in force, one proposed
    states = {batch.number: Counter(batch.delegations.values_list("state", flat=True)) for batch in DelegationBatch.objects.all()}
    assert set(states[1]) == {Delegation.State.IN_FORCE} and set(states[2]) == {Delegation.State.PROPOSED}
    developed = Unit.objects.get(name="柳湾镇综合行政执法局")
    ordinary = Unit.objects.get(name="东溪镇综合执法队")
    assert queries.may_exercise(developed, "ZRZY-XK-001", today) and not queries.may_exercise(ordinary, "ZRZY-XK-001", today)
    assert not queries.may_exercise(developed, "ZJ-CF-002", today + timedelta(days=400))  # proposed, not approved
    assert ListVersion.objects.filter(state="draft").count() == 0 and journal.verify() == []
