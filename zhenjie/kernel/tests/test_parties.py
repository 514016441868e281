"""Parties (当事人): registered once per county, found by keyed hash, linked to cases with a role,
seen only through a case one can see, revealed in full only by whom the kind allows — journaled.

Cases here are tasks (交办件): the test-only case kind of the kernel's tests is not there yet."""

import pytest

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.actions import create_area
from zhenjie.kernel import parties, pii
from zhenjie.kernel.errors import Conflict, Forbidden, NotFound, Rejected
from zhenjie.kernel.models import CaseParty, JournalEntry, Party
from zhenjie.kernel.scoping import reach_of
from zhenjie.testing import citizen_id, credit_code, make_task, make_user, square
from zhenjie.units.actions import create_unit
from zhenjie.units.models import Unit

pytestmark = pytest.mark.django_db

ID = citizen_id(11)


def register(world, actor=None, *, county=None, name="张三", id_number=ID, phone="", kind=Party.Kind.PERSON):
    return parties.register_party(actor or world.dispatcher_a, county or world.county, kind, name, id_number=id_number, phone=phone)


def other_county():
    county, _ = create_area(None, code="990299000000", name="邻县", level="county", boundary=square(117.0, 35.0, 0.4))
    unit = create_unit(None, name="邻县公安局", kind=Unit.Kind.DEPARTMENT, area=county)
    return county, make_user("other_county_admin", unit, [R.COUNTY_ADMIN], county)


def may_if_issuer(actor, case):
    """A kind's reveal rule, as the tasks kind might write it: the township's leaders."""
    return None if R.TOWNSHIP_LEADER in reach_of(actor).roles_in(case.area) else Forbidden("task.reveal_not_allowed", "只有乡镇领导可以查看")


# ---- registering ---------------------------------------------------------------------------------


def test_the_same_id_number_twice_in_a_county_is_one_party_and_in_another_county_another(world):
    first = register(world, phone="13812345678")
    again = register(world, world.leader_a, id_number=ID.lower() if ID.endswith("X") else f" {ID} ", name=" 张三 ")
    assert again.pk == first.pk and Party.objects.count() == 1
    county, admin = other_county()
    elsewhere = register(world, admin, county=county)
    assert elsewhere.pk != first.pk and Party.objects.count() == 2
    assert first.id_number_digest == elsewhere.id_number_digest  # the same person, found by the same keyed hash


def test_the_id_number_and_phone_are_kept_sealed_and_masked(world):
    party = register(world, phone="138-1234-5678")
    stored = Party.objects.get(pk=party.pk)
    row = " ".join(str(value) for value in stored.__dict__.values())
    assert ID not in row and "13812345678" not in row
    assert (stored.id_number_masked, stored.phone_masked) == (pii.mask_id_number(ID), "138****5678")
    assert pii.decrypt(stored.id_number_cipher, parties.ID_CONTEXT) == ID
    assert stored.id_number_digest == pii.lookup_digest(pii.ID_NUMBER, ID)


def test_an_organisation_registers_by_its_credit_code(world):
    code = credit_code(7)
    party = register(world, kind=Party.Kind.ORGANISATION, name="青禾县某某食品有限公司", id_number=code)
    assert party.id_number_masked == code[:8] + "******" + code[-4:]
    assert parties.find_party(world.dispatcher_b, world.county, code.lower()).pk == party.pk


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"id_number": ID[:17] + ("1" if ID[17] != "1" else "2")}, "id_number", "身份证号校验位不正确，请逐位核对"),
        ({"id_number": "12345"}, "id_number", "身份证号应为18位：前17位为数字，末位为数字或X"),
        ({"kind": Party.Kind.ORGANISATION, "id_number": "91350100M000100Y4Z"}, "id_number", "统一社会信用代码应为18位"),
        ({"phone": "12345"}, "phone", "电话应为11位手机号码，或带区号的固定电话"),
        ({"name": "  "}, "name", "请填写当事人姓名或单位名称"),
        ({"name": "名" * 101}, "name", "姓名或名称不能超过100字"),
        ({"kind": "robot"}, "kind", "当事人类型须为个人或单位"),
    ],
)
def test_bad_input_is_refused_with_a_message_naming_the_field_and_nothing_is_kept(world, changes, field, message):
    with pytest.raises(Rejected) as error:
        register(world, **changes)
    assert error.value.field == field and error.value.message.startswith(message)
    assert not Party.objects.exists() and not JournalEntry.objects.filter(verb="party_register").exists()


def test_another_name_for_a_registered_id_number_is_a_conflict_that_does_not_say_whose_it_is(world):
    register(world)
    with pytest.raises(Conflict) as error:
        register(world, world.dispatcher_b, name="李四")
    assert error.value.code == "party.name_mismatch" and "张三" not in error.value.message
    assert Party.objects.get().name == "张三"


def test_a_new_phone_for_a_known_party_replaces_the_old_one_and_is_journaled_without_the_number(world):
    party = register(world, phone="13812345678")
    register(world, phone="13987654321")
    party.refresh_from_db()
    assert party.phone_masked == "139****4321"
    entry = JournalEntry.objects.get(verb="party_update")
    assert entry.subject == f"party:{party.pk}" and "4321" not in f"{entry.summary}{entry.note}{entry.data}"


def test_a_landline_is_kept_masked_only(world):
    party = register(world, phone="0539-1234567")
    assert (party.phone_masked, party.phone_cipher, party.phone_digest) == ("053****4567", "", "")


def test_staff_of_another_county_may_not_register_or_look_up_here(world):
    _, admin = other_county()
    with pytest.raises(Forbidden):
        register(world, admin)
    register(world)
    with pytest.raises(Forbidden):
        parties.find_party(admin, world.county, ID)


def test_a_party_is_found_by_its_id_number_and_a_wrong_or_unknown_one_says_so(world):
    party = register(world)
    assert parties.find_party(world.leader_a, world.county, ID) == party
    with pytest.raises(NotFound):
        parties.find_party(world.leader_a, world.county, citizen_id(12))
    with pytest.raises(Rejected) as error:
        parties.find_party(world.leader_a, world.county, "110105")
    assert error.value.message == "请填写有效的身份证号或统一社会信用代码"


# ---- linking to cases ----------------------------------------------------------------------------


def test_a_party_is_linked_with_a_role_journaled_by_number_never_by_name(world):
    task = make_task(world)
    party = register(world, phone="13812345678")
    link = parties.link_party(world.leader_a, task.case, party, CaseParty.Role.PARTY)
    assert parties.link_party(world.leader_a, task.case, party, CaseParty.Role.PARTY) == link  # idempotent
    entry = JournalEntry.objects.get(case=task.case, verb="party_link")
    assert entry.summary == f"登记当事人(当事人编号{party.pk})" and entry.data == {"party": party.pk, "role": "party", "acting_for": None}
    written = f"{entry.summary}{entry.note}{entry.data}"
    assert "张三" not in written and ID not in written and "5678" not in written


def test_an_agent_acts_for_a_party_of_the_same_case(world):
    task, other_task = make_task(world), make_task(world, title="另一件")
    principal = parties.link_party(world.leader_a, task.case, register(world), CaseParty.Role.APPLICANT)
    agent = register(world, name="李四", id_number=citizen_id(13))
    with pytest.raises(Rejected) as error:
        parties.link_party(world.leader_a, task.case, agent, CaseParty.Role.AGENT)
    assert error.value.field == "acting_for" and error.value.message == "代理人须指明代理的当事人"
    elsewhere = parties.link_party(world.leader_a, other_task.case, principal.party, CaseParty.Role.APPLICANT)
    with pytest.raises(Rejected):
        parties.link_party(world.leader_a, task.case, agent, CaseParty.Role.AGENT, acting_for=elsewhere)
    with pytest.raises(Rejected):
        parties.link_party(world.leader_a, task.case, agent, CaseParty.Role.PARTY, acting_for=principal)
    link = parties.link_party(world.leader_a, task.case, agent, CaseParty.Role.AGENT, acting_for=principal)
    assert link.acting_for == principal
    assert [(l.role, l.acting_for_id) for l in parties.parties_for_case(world.leader_a, task.case)] == [("applicant", None), ("agent", principal.pk)]


def test_a_party_of_another_county_cannot_be_named_on_a_case_here(world):
    county, admin = other_county()
    stranger = register(world, admin, county=county)
    with pytest.raises(Rejected) as error:
        parties.link_party(world.leader_a, make_task(world).case, stranger, CaseParty.Role.PARTY)
    assert error.value.code == "party.other_county"


def test_another_townships_staff_neither_link_nor_see_parties_of_a_case_they_cannot_see(world):
    task = make_task(world)
    party = register(world)
    with pytest.raises(NotFound):
        parties.link_party(world.dispatcher_b, task.case, party, CaseParty.Role.PARTY)
    parties.link_party(world.leader_a, task.case, party, CaseParty.Role.PARTY)
    with pytest.raises(NotFound):
        parties.parties_for_case(world.dispatcher_b, task.case)
    with pytest.raises(NotFound):
        parties.parties_for_case(world.liaison, task.case)
    assert [link.party for link in parties.parties_for_case(world.clerk_a, task.case)] == [party]


# ---- revealing -----------------------------------------------------------------------------------


def test_revealing_a_partys_numbers_is_for_whom_the_kind_allows_and_each_reading_is_journaled(world):
    task = make_task(world)
    link = parties.link_party(world.leader_a, task.case, register(world, phone="13812345678"), CaseParty.Role.PARTY)
    assert parties.reveal_party(world.leader_a, link, may=may_if_issuer) == {"id_number": ID, "phone": "13812345678"}
    entry = JournalEntry.objects.get(case=task.case, verb="reveal_party")
    assert entry.actor == world.leader_a and ID not in f"{entry.summary}{entry.data}"
    with pytest.raises(Forbidden):
        parties.reveal_party(world.clerk_a, link, may=may_if_issuer)  # sees the case, need not read the number
    with pytest.raises(NotFound):
        parties.reveal_party(world.leader_b, link, may=lambda actor, case: None)  # even a lax rule: not their case
    assert JournalEntry.objects.filter(verb="reveal_party").count() == 1


def test_a_party_with_nothing_sealed_has_nothing_to_reveal(world):
    task = make_task(world)
    link = parties.link_party(world.leader_a, task.case, register(world, id_number="", phone="0539-1234567"), CaseParty.Role.PARTY)
    with pytest.raises(Conflict) as error:
        parties.reveal_party(world.leader_a, link, may=may_if_issuer)
    assert error.value.message == "该当事人未留证件号码或手机号码" and not JournalEntry.objects.filter(verb="reveal_party").exists()


# ---- intake --------------------------------------------------------------------------------------


def test_intake_records_who_came_in_as_given_and_nothing_when_nobody_is_named(world):
    task = make_task(world)
    assert parties.record_reporter(world.leader_a, task.case, "", "") is None
    link = parties.record_reporter(world.leader_a, task.case, "", "123")  # junk number: dropped, never refused
    assert link is None
    link = parties.record_reporter(world.leader_a, task.case, "", "+86 138 1234 5678")
    assert (link.role, link.party.name, link.party.phone_masked) == ("reporter", "群众", "138****5678")
    assert link.party.county == world.county
