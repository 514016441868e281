import pytest

from zhenjie.accounts import actions
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.kernel.errors import Rejected
from zhenjie.testing import make_user

pytestmark = pytest.mark.django_db


def test_system_security_and_audit_administration_never_meet_in_one_person(world):
    admin = make_user("sys", world.police, [R.SYSTEM_ADMIN], world.county)
    with pytest.raises(Rejected) as error:
        actions.grant_post(None, user=admin, unit=world.police, title="兼任审计", roles=[R.AUDIT_ADMIN], jurisdiction=world.county)
    assert error.value.code == "post.separation_of_duties"
    assert "须由不同人员担任" in error.value.message
    with pytest.raises(Rejected):
        actions.grant_post(None, user=make_user("x", None, [], None), unit=world.police, title="两权", roles=[R.SECURITY_ADMIN, R.AUDIT_ADMIN], jurisdiction=world.county)


def test_area_roles_need_a_jurisdiction_inside_the_units_area(world):
    user = make_user("newcomer", None, [], None)
    with pytest.raises(Rejected) as error:
        actions.grant_post(None, user=user, unit=world.centre_a, title="调度员", roles=[R.DISPATCHER])
    assert error.value.field == "jurisdiction"
    with pytest.raises(Rejected) as error:
        actions.grant_post(None, user=user, unit=world.centre_a, title="调度员", roles=[R.DISPATCHER], jurisdiction=world.b)
    assert error.value.code == "post.jurisdiction_outside_unit"


def test_one_person_may_hold_several_posts(world):
    actions.grant_post(None, user=world.leader_a, unit=world.centre_a, title="兼指挥中心主任", roles=[R.DISPATCHER], jurisdiction=world.a)
    from zhenjie.kernel.scoping import reach_of

    fresh = type(world.leader_a).objects.get(pk=world.leader_a.pk)
    assert reach_of(fresh).roles == {R.TOWNSHIP_LEADER, R.DISPATCHER}
