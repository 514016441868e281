"""督查室督办: the county supervision office's page lists what reached it (issue 14 item 1's last
rung), worst first, paginated, for the office's staff only and in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.kernel import supervision
from zhenjie.testing import make_event, make_other_county, make_user
from zhenjie.units.actions import create_unit
from zhenjie.units.models import Unit

pytestmark = pytest.mark.django_db


def test_the_office_sees_what_reached_it_and_no_one_else_does(client, world, django_assert_max_num_queries):
    unit = create_unit(None, name="测试县委督查室", kind=Unit.Kind.COUNTY_LEADERSHIP, area=world.county)
    inspector = make_user("inspector", unit, [R.BACK_OFFICE_HANDLER], world.county)
    supervision.update_policy(world.county_admin, 24, True, 2, office=unit)
    other_county, other_admin = make_other_county()
    other_office = make_user("other_inspector", Unit.objects.get(area=other_county), [R.BACK_OFFICE_HANDLER], other_county)
    supervision.update_policy(other_admin, 24, True, 2, office=Unit.objects.get(area=other_county))
    events = [make_event(world, description=f"第{n}件") for n in range(3)]
    url = reverse("workbench:escalated")

    client.force_login(inspector)
    assert "没有报至督查室的待办" in client.get(url).content.decode()
    supervision.sweep(now=timezone.now() + timedelta(days=20))
    with django_assert_max_num_queries(12):
        page = client.get(url).content.decode()
    assert all(event.case.title in page for event in events) and page.count('data-testid="card-red"') == 3
    assert "受理立案" in page

    client.force_login(other_office)  # another county's office: its own county only
    assert 'data-testid="card-red"' not in client.get(url).content.decode()
    for outsider in (world.leader_a, world.dispatcher_a, world.county_admin):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
