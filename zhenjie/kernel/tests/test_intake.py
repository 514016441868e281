"""Intake for any kind (kernel.intake), shown on the test-only errand kind: its own channels, the
one rule for the place, the first step the routed unit's or — on a first-contact channel — the
taker's own, the reporter and whoever acts for them named as parties."""

import pytest

from zhenjie.kernel import intake, pii
from zhenjie.kernel.actors import CitizenActor
from zhenjie.kernel.errors import Rejected
from zhenjie.kernel.models import CaseParty
from zhenjie.kernel.tests.casekind.workflow import KIND
from zhenjie.units.models import Unit

pytestmark = pytest.mark.django_db

CHANNELS = ("window", "letter")


def take_in(world, actor=None, **given):
    reception = intake.Reception(
        route=lambda area: Unit.objects.filter(area=area.parent, kind=Unit.Kind.TOWNSHIP_GOVERNMENT).first(),
        step="take", role="", first_contact=frozenset({"window"}), own_step="answer",
    )
    report = intake.Intake(**{"channel": "letter", "area": world.village_a, **given})
    return intake.take_in(actor or CitizenActor(name="李四"), report, kind=KIND, channels=CHANNELS, reception=reception,
                          county=world.county, title="来信反映路灯不亮")


def test_a_letter_goes_to_the_routed_unit_and_names_its_writer(world):
    case = take_in(world, reporter_name="李四", reporter_phone="13812345678")
    assert (case.kind, case.channel, case.area, case.owner_unit) == (KIND, "letter", world.village_a, world.gov_a)
    work = case.assignments.get()
    assert (work.unit, work.todo, work.user) == (world.gov_a, "take", None)
    link = CaseParty.objects.select_related("party").get(case=case)
    assert (link.role, link.party.name, link.party.phone_masked) == ("reporter", "李四", "138****5678")


def test_at_the_window_the_takers_unit_owns_the_first_step(world):
    case = take_in(world, world.clerk_a, channel="window")
    work = case.assignments.get()
    assert (case.owner_unit, work.unit, work.todo, work.user) == (world.office_a, world.office_a, "answer", world.clerk_a)


def test_someone_acting_for_the_reporter_is_their_agent(world):
    case = take_in(world, world.clerk_a, channel="window", reporter_name="王大爷", agent_name="王小明", agent_phone="13900001111")
    reporter, agent = CaseParty.objects.filter(case=case).order_by("pk")
    assert (reporter.role, agent.role, agent.acting_for_id, agent.party.phone_masked) == ("reporter", "agent", reporter.pk, "139****1111")


@pytest.mark.parametrize(
    "given, code",
    [
        ({"channel": "grid"}, "errand.channel_invalid"),
        ({"area": None}, "errand.place_required"),
        ({"lng": 130.0, "lat": 40.0, "area": None}, "errand.position_outside"),
        ({"agent_name": "王小明"}, "errand.principal_required"),
    ],
)
def test_what_any_kind_refuses_carries_the_kinds_code(world, given, code):
    with pytest.raises(Rejected) as refused:
        take_in(world, **given)
    assert refused.value.code == code


def test_a_kind_keeps_a_phone_for_call_backs_sealed_and_a_landline_masked_only(world):
    mobile = intake.sealed_phone("138-1234-5678", "casekind.errand.phone")
    assert mobile.masked == "138****5678" and pii.decrypt(mobile.cipher, "casekind.errand.phone") == "13812345678"
    landline = intake.sealed_phone("0539-1234567", "casekind.errand.phone")
    assert (landline.masked, landline.cipher) == ("053****4567", "")


def test_an_outside_number_makes_one_case_of_the_kind_per_channel_in_whatever_county(world):
    first = take_in(world, external_id="信-2026-7")
    assert first.external_id == "信-2026-7"
    with pytest.raises(Rejected) as refused:
        take_in(world, external_id="信-2026-7", area=world.village_b)
    assert (refused.value.code, refused.value.field) == ("errand.duplicate_external_id", "external_id")
    assert take_in(world, world.clerk_a, channel="window", external_id="信-2026-7").external_id == "信-2026-7"
