import io
import json
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction

from zhenjie.accounts.models import Post, User
from zhenjie.accounts.roles import RoleCode
from zhenjie.areas import geo
from zhenjie.areas.models import Area
from zhenjie.areas.paths import township_path
from zhenjie.demo.county import DEPARTMENTS
from zhenjie.kernel import journal
from zhenjie.kernel.models import Case
from zhenjie.units.models import Unit

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def run_demo(*args) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(demo_snapshot, django_db_blocker):
    """The demo county (built once per test process, zhenjie/demo/testing.py), copied in once for
    this module's tests and shared: it stays inside a transaction that is rolled back after the
    module; each test's own transaction nests in it as a savepoint, so what one test changes the
    next does not see. Yields the build's output."""
    from zhenjie.demo.testing import restore

    with django_db_blocker.unblock(), transaction.atomic():
        restore(demo_snapshot)
        yield demo_snapshot.output
        transaction.set_rollback(True)


def test_the_demo_county_has_the_shape_the_issue_asks_for(demo):
    output = demo
    assert "青禾县" in output and "liuwan.leader" in output and "Zhenjie@2026" in output
    townships = Area.objects.filter(level="township")
    assert townships.count() == 4
    assert townships.filter(is_developed=True).count() == 1
    assert townships.filter(township_kind="subdistrict").count() == 1
    assert 28 <= Area.objects.filter(level="village").count() <= 32
    assert 90 <= Area.objects.filter(level="grid").count() <= 110
    assert Unit.objects.filter(kind="department").count() >= 15
    stationed = Unit.objects.filter(kind="stationed")
    assert {u.name[-3:] for u in stationed} >= {"派出所", "司法所"} and all(u.home_department_id for u in stationed)
    assert Case.objects.filter(kind="task").exists() and journal.verify() == []
    from zhenjie.topics import proposals
    from zhenjie.topics.models import Topic

    # 每月一题: where last month's complaints cluster (as at the default 20,000 events; rarely at
    # the tests' 600), 柳湾镇's leader has adopted the first proposal and its lead unit reported.
    liuwan = Area.objects.get(level="township", name="柳湾镇")
    proposed = proposals.propose(liuwan, proposals.last_month(), shown=1)
    adopted = Topic.objects.filter(township=liuwan, progress__isnull=False).first()
    assert (adopted.category if adopted else None) == (proposed[0].category if proposed else None)


def test_township_offices_and_centres_stay_within_the_seed_limits(demo):
    for township in Area.objects.filter(level="township"):
        offices = Unit.objects.filter(area=township, kind="office").count()
        centres = Unit.objects.filter(area=township, kind="centre").count()
        # seed 000 三(一): 5–7 offices and 4–5 centres; 六(四): a developed town up to 8 and 6.
        if township.is_developed:
            assert offices <= 8 and centres <= 6
        else:
            assert 5 <= offices <= 7 and 4 <= centres <= 5


def test_grids_tile_their_villages(demo):
    for grid in Area.objects.filter(level="grid").select_related("parent"):
        lng, lat = geo.centroid(grid.boundary)
        assert geo.contains_point(grid.parent.boundary, lng, lat), grid.name
        assert not any(
            geo.contains_point(other.boundary, lng, lat)
            for other in Area.objects.filter(level="village", parent=grid.parent.parent).exclude(pk=grid.parent_id)
        )


def test_every_role_has_staff_in_at_least_two_townships(demo):
    township_roles = set(RoleCode) - {
        RoleCode.CITIZEN, RoleCode.DEPARTMENT_LIAISON, RoleCode.DEPARTMENT_LEADER, RoleCode.COUNTY_ADMIN,
        RoleCode.SYSTEM_ADMIN, RoleCode.SECURITY_ADMIN, RoleCode.AUDIT_ADMIN,
    }
    for role in township_roles:
        townships = {township_path(post.unit.area.path) for post in Post.objects.filter(roles__code=role).select_related("unit__area")}
        assert len(townships) >= 2, role
    for role in (RoleCode.DEPARTMENT_LIAISON, RoleCode.DEPARTMENT_LEADER, RoleCode.COUNTY_ADMIN, RoleCode.SYSTEM_ADMIN, RoleCode.SECURITY_ADMIN, RoleCode.AUDIT_ADMIN):
        assert Post.objects.filter(roles__code=role).exists(), role
    assert User.objects.filter(kind="citizen").exists()


def test_running_the_demo_twice_changes_nothing(demo):
    before = Counter({model.__name__: model.objects.count() for model in (Area, Unit, User, Post, Case)})
    assert "已存在，跳过" in run_demo()
    after = Counter({model.__name__: model.objects.count() for model in (Area, Unit, User, Post, Case)})
    assert before == after


def test_accounts_are_printed_one_json_object_per_line(demo):
    lines = run_demo("--accounts").strip().splitlines()
    records = [json.loads(line) for line in lines]
    assert all(set(r) == {"username", "password", "roles", "unit", "area"} for r in records)
    by_name = {r["username"]: r for r in records}
    assert by_name["liuwan.leader"]["roles"] == ["township_leader"] and by_name["liuwan.leader"]["area"] == "柳湾镇"
    assert len({r["username"] for r in records}) == User.objects.count()
    assert len(DEPARTMENTS) - 2 == sum(1 for r in records if r["roles"] == ["department_liaison"])
    assert len(DEPARTMENTS) - 2 == sum(1 for r in records if r["roles"] == ["department_leader"])
