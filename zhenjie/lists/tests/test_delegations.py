"""Delegations and the one query the enforcement and service apps call: may this unit exercise
this power on this date?"""

from datetime import date

import pytest

from zhenjie.kernel.errors import Conflict, Forbidden, Rejected
from zhenjie.kernel.models import JournalEntry
from zhenjie.lists import actions
from zhenjie.lists.models import Delegation
from zhenjie.lists.queries import exercise_basis, may_exercise
from zhenjie.units.actions import create_unit
from zhenjie.units.models import Unit

from .builders import EFFECTIVE, county_power_list, delegate, township_power_list

pytestmark = pytest.mark.django_db



@pytest.fixture
def powers(world):
    county_power_list(world)
    township_power_list(world)
    world.team_a = create_unit(None, name="甲镇综合执法队", kind=Unit.Kind.CENTRE, area=world.a)
    world.team_b = create_unit(None, name="乙镇综合执法队", kind=Unit.Kind.CENTRE, area=world.b)
    return world


def test_a_power_delegated_and_in_force_may_be_exercised_from_its_effective_date(powers):
    delegate(powers)
    basis = exercise_basis(powers.team_a, "GA-CF-003", date(2026, 8, 1))
    assert basis.allowed and basis.source == "delegation"
    assert "自2026-07-01起由甲镇行使" in basis.reason and "娱乐场所" in basis.reason
    assert may_exercise(powers.gov_a, "GA-CF-003", EFFECTIVE)


def test_before_the_effective_date_the_delegated_power_may_not_be_exercised(powers):
    delegate(powers)
    basis = exercise_basis(powers.team_a, "GA-CF-003", date(2026, 6, 30))
    assert not basis.allowed
    assert basis.reason == "「对娱乐场所违反治安管理规定的行政处罚」赋予甲镇自2026-07-01起施行，2026-06-30尚不能行使"


def test_a_proposed_delegation_not_yet_approved_gives_no_power(powers):
    delegate(powers, state="proposed")
    basis = exercise_basis(powers.team_a, "GA-CF-003", date(2026, 8, 1))
    assert not basis.allowed and "尚在拟议中，未经批准不得行使" in basis.reason


def test_an_approved_delegation_gives_no_power_until_it_is_brought_into_force(powers):
    delegate(powers, state="approved")
    basis = exercise_basis(powers.team_a, "GA-CF-003", date(2026, 8, 1))
    assert not basis.allowed and "已批准但尚未公布施行" in basis.reason


def test_a_withdrawn_delegation_ends_on_its_date_and_the_days_before_stay_as_they_were(powers):
    delegation = delegate(powers)
    actions.withdraw_delegation(powers.county_admin, delegation, on=date(2026, 10, 1), reason="承接效果不佳，收回县公安局行使")
    assert may_exercise(powers.team_a, "GA-CF-003", date(2026, 9, 30))
    basis = exercise_basis(powers.team_a, "GA-CF-003", date(2026, 10, 1))
    assert not basis.allowed and basis.reason == "「对娱乐场所违反治安管理规定的行政处罚」的赋权已于2026-10-01收回"
    entry = JournalEntry.objects.get(verb="delegation.withdraw")
    assert entry.note == "承接效果不佳，收回县公安局行使" and entry.actor == powers.county_admin


def test_a_power_never_delegated_may_not_be_exercised(powers):
    delegate(powers)
    basis = exercise_basis(powers.team_a, "GA-JC-002", date(2026, 8, 1))
    assert not basis.allowed and basis.reason == "编码为GA-JC-002的事项未列入甲镇权责清单，也未赋予甲镇"
    # nor by a township the delegation does not name
    assert not may_exercise(powers.team_b, "GA-CF-003", date(2026, 8, 1))


def test_the_townships_own_power_list_and_the_departments_own_list_count_too(powers):
    assert exercise_basis(powers.office_a, "CF001", date(2026, 2, 1)).source == "power_list"
    assert not may_exercise(powers.office_a, "CF001", date(2025, 12, 31))  # before the list took effect
    department = exercise_basis(powers.police, "GA-JC-002", date(2026, 2, 1))
    assert department.allowed and department.source == "department"
    stationed = exercise_basis(powers.police_station_a, "GA-JC-002", date(2026, 2, 1))
    assert stationed.allowed and "甲镇派出所作为其派驻机构承办" in stationed.reason
    assert not may_exercise(powers.committee_a, "CF001", date(2026, 2, 1))


def test_an_adjustment_moves_the_power_between_townships_from_its_date(powers):
    delegation = delegate(powers)
    actions.adjust_delegation(
        powers.county_admin, delegation, on=date(2026, 9, 1), remove=[powers.a], add=[(powers.b, powers.team_b, 3)], note="按承接评估调整"
    )
    assert Delegation.objects.get(pk=delegation.pk).state == "adjusted"
    assert may_exercise(powers.team_a, "GA-CF-003", date(2026, 8, 31))
    assert not may_exercise(powers.team_a, "GA-CF-003", date(2026, 9, 1))
    assert "自2026-09-01起不再由甲镇行使" in exercise_basis(powers.team_a, "GA-CF-003", date(2026, 9, 1)).reason
    assert not may_exercise(powers.team_b, "GA-CF-003", date(2026, 8, 31))
    assert may_exercise(powers.team_b, "GA-CF-003", date(2026, 9, 1))


def test_a_department_can_only_delegate_a_power_it_holds(powers):
    batch = actions.create_batch(powers.county_admin, powers.county, title="第一批")
    other = create_unit(None, name="测试县市场监督管理局", kind=Unit.Kind.DEPARTMENT, area=powers.county)
    with pytest.raises(Rejected) as error:
        actions.propose_delegation(
            powers.county_admin, batch, department=other, power_code="GA-CF-003", scope="all", effective_from=EFFECTIVE
        )
    assert error.value.code == "delegation.not_held" and error.value.field == "power_code"
    assert "测试县市场监督管理局不持有编码为GA-CF-003的权责事项" in error.value.message
    assert not Delegation.objects.exists()


def test_approval_needs_the_capacity_check_of_every_receiving_township(powers):
    delegation = delegate(powers, townships=[powers.a, powers.b], state="proposed")
    target_a = delegation.targets.get(township=powers.a)
    actions.assess_capacity(powers.county_admin, target_a, receiving_unit=powers.team_a, trained_staff=1)
    with pytest.raises(Rejected) as error:
        actions.approve_delegation(powers.county_admin, delegation)
    assert error.value.message == "承接评估未通过，不能批准：甲镇(经培训人员1人，少于2人)；乙镇(未评估)"
    assert Delegation.objects.get(pk=delegation.pk).state == "proposed"
    with pytest.raises(Rejected) as error:
        actions.assess_capacity(powers.county_admin, target_a, receiving_unit=powers.team_b, trained_staff=5)
    assert error.value.field == "receiving_unit"
    # the county may set its own bar
    actions.set_delegation_policy(powers.county_admin, powers.county, min_trained_staff=1)
    actions.assess_capacity(powers.county_admin, delegation.targets.get(township=powers.b), receiving_unit=powers.team_b, trained_staff=1)
    assert actions.approve_delegation(powers.county_admin, delegation).state == "approved"


def test_delegation_states_move_only_forward_and_only_for_the_county_administrator(powers):
    delegation = delegate(powers, state="approved")
    with pytest.raises(Forbidden):
        actions.bring_into_force(powers.leader_a, delegation)
    stale = Delegation.objects.get(pk=delegation.pk)
    actions.bring_into_force(powers.county_admin, delegation)
    with pytest.raises(Conflict) as error:
        actions.bring_into_force(powers.county_admin, stale)
    assert "当前为「施行中」" in error.value.message
    with pytest.raises(Conflict):
        actions.propose_delegation(
            powers.county_admin, delegation.batch, department=powers.police, power_code="GA-CF-003", scope="some",
            townships=[powers.a], effective_from=EFFECTIVE,
        )
