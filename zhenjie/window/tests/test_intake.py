"""Filing an application (window.actions.intake): the guide's item and materials, the applicant
found or registered once, who filed for whom, the notice clock, and every refusal writing nothing."""

import io
import uuid
from datetime import date, timedelta

import pytest
from PIL import Image
from django.utils import timezone

from zhenjie.kernel.errors import ActionError, Conflict, Forbidden, Rejected
from zhenjie.kernel.models import Attachment, Case, CaseParty, Party
from zhenjie.lists.models import ServiceMaterial
from zhenjie.testing import citizen_id
from zhenjie.window.actions.intake import Filed, Filing, MaterialIn, Scan, file_application, guide_items
from zhenjie.window.models import Application, Channel, MaterialStatus
from zhenjie.window.testing import make_point, make_window_world
from zhenjie.window.workflow import State

def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return buffer.getvalue()


def guide_materials(item):
    return list(ServiceMaterial.objects.filter(item=item).order_by("position"))


def all_received(item, overrides=None):
    given = {m.pk: MaterialIn(status=MaterialStatus.RECEIVED, form=m.form, copies=m.copies) for m in guide_materials(item)}
    return given | (overrides or {})


def filing(item, **fields):
    values = dict(item_id=item.pk, applicant_kind=Party.Kind.PERSON, applicant_name="王秀英", id_number=citizen_id(7),
                  phone="13800138000", materials=all_received(item))  # fmt: skip
    return Filing(**(values | fields))


@pytest.fixture
def ww(db):
    return make_window_world()


def count_all():
    return Case.objects.count(), Application.objects.count(), Party.objects.count()


def test_window_filing_opens_the_case_with_the_notice_clock(ww):
    item = ww.items_a["ZW0001"]
    missing = guide_materials(item)[2]
    filed = file_application(ww.clerk_a, filing(item, materials=all_received(item, {missing.pk: MaterialIn(status="missing")})))
    application = filed.application
    case = application.case
    assert isinstance(filed, Filed) and len(filed.code) == 8
    assert case.state == State.RECEIVED and case.area == ww.world.a and case.owner_unit == ww.centre_a
    assert case.number.startswith("甲镇办")
    assert application.intake_unit == ww.centre_a and application.filed_by == ww.clerk_a
    assert application.notice_due_at == case.due_at and case.deadline_amount == 5
    assert [m.status for m in application.materials.order_by("position")] == ["received", "received", "missing"]
    assert application.materials.get(guide_material=missing).problem == "未提交"
    check = case.assignments.get()
    assert (check.todo, check.unit, check.role) == ("check", ww.centre_a, "window_clerk")
    link = CaseParty.objects.get(case=case)
    assert link.role == CaseParty.Role.APPLICANT and link.party.id_number_masked.count("*") >= 8
    assert citizen_id(7) not in link.party.id_number_masked


def test_the_applicant_is_registered_once(ww):
    item = ww.items_a["ZW0001"]
    first = file_application(ww.clerk_a, filing(item)).application
    second = file_application(ww.clerk_a, filing(item, phone="13900139000")).application
    assert first.applicant_id == second.applicant_id
    assert Party.objects.filter(name="王秀英").count() == 1


def test_an_organisation_by_its_credit_code(ww):
    item = ww.items_a["ZW0002"]
    filed = file_application(ww.clerk_a, filing(item, applicant_kind=Party.Kind.ORGANISATION, applicant_name="测试县某某有限公司",
                                                 id_number="91350100M000100Y43"))  # fmt: skip
    assert filed.application.applicant.kind == Party.Kind.ORGANISATION


@pytest.mark.parametrize("fields, code", [
    ({"id_number": "110105194912310021"}, "pii.id_number_checksum"),
    ({"applicant_kind": Party.Kind.ORGANISATION, "id_number": "91350100M000100Y40"}, "pii.credit_code_checksum"),
    ({"id_number": ""}, "application.id_number_required"),
    ({"phone": ""}, "application.phone_required"),
    ({"phone": "12345"}, "party.phone_invalid"),
    ({"applicant_name": "王" * 101}, "party.name_too_long"),
    ({"applicant_kind": "robot"}, "application.applicant_kind_invalid"),
    ({"item_id": 10**9}, "application.item_not_in_guide"),
    ({"channel": "fax"}, "application.channel_invalid"),
])  # fmt: skip
def test_bad_input_is_refused_and_writes_nothing(ww, fields, code):
    item = ww.items_a["ZW0001"]
    before = count_all()
    with pytest.raises(ActionError) as refused:
        file_application(ww.clerk_a, filing(item, **fields))
    assert refused.value.code == code, refused.value.message
    assert refused.value.message and all(ord(c) < 128 for c in refused.value.code)
    assert count_all() == before


def test_materials_rules(ww):
    item = ww.items_a["ZW0001"]
    required, deferrable, form = guide_materials(item)
    today = timezone.localdate()
    cases = [
        ({required.pk: MaterialIn(status="deferred", due_on=today + timedelta(days=7))}, "application.not_deferrable"),
        ({deferrable.pk: MaterialIn(status="deferred")}, "application.due_on_invalid"),
        ({deferrable.pk: MaterialIn(status="deferred", due_on=today)}, "application.due_on_invalid"),
        ({deferrable.pk: MaterialIn(status="deferred", due_on=today + timedelta(days=400))}, "application.due_on_invalid"),
        ({form.pk: MaterialIn(status="defective")}, "application.problem_required"),
        ({form.pk: MaterialIn(status="defective", problem="字" * 301)}, "application.problem_too_long"),
        ({form.pk: MaterialIn(status="received", form="scroll", copies=1)}, "application.material_form_invalid"),
        ({form.pk: MaterialIn(status="received", form="original", copies=0)}, "application.material_copies_invalid"),
        ({form.pk: MaterialIn(status="lost")}, "application.material_status_invalid"),
        ({10**9: MaterialIn(status="received", form="original", copies=1)}, "application.material_unknown"),
    ]
    before = count_all()
    for overrides, code in cases:
        with pytest.raises(Rejected) as refused:
            file_application(ww.clerk_a, filing(item, materials=all_received(item, overrides)))
        assert refused.value.code == code
    assert count_all() == before
    filed = file_application(ww.clerk_a, filing(item, materials=all_received(item) | {
        deferrable.pk: MaterialIn(status="deferred", due_on=today + timedelta(days=7)),
        form.pk: MaterialIn(status="defective", problem="未签名"),
    }))  # fmt: skip
    rows = {m.guide_material_id: m for m in filed.application.materials.all()}
    assert rows[deferrable.pk].due_on == today + timedelta(days=7)
    assert rows[form.pk].problem == "未签名"


def test_another_townships_item_is_not_in_the_guide(ww):
    before = count_all()
    with pytest.raises(Rejected) as refused:
        file_application(ww.clerk_a, filing(ww.items_b["ZW0001"]))
    assert refused.value.code == "application.item_not_in_guide"
    assert count_all() == before


def test_an_item_of_a_guide_not_yet_in_force(ww):
    item = ww.items_a["ZW0001"]
    with pytest.raises(Rejected) as refused:
        file_application(ww.clerk_a, filing(item), at=timezone.make_aware(timezone.datetime(2025, 12, 1, 10)))
    assert refused.value.code == "application.item_not_in_guide"


def test_a_village_agent_files_agent_point_items_only(ww):
    agent = ww.agent_a
    with pytest.raises(Forbidden) as refused:  # no point set up in the agent's committee yet
        file_application(agent, filing(ww.items_a["BM001"], channel=Channel.AGENT_POINT))
    assert refused.value.code == "application.no_agent_point"
    point = make_point(ww)
    with pytest.raises(Rejected) as refused:
        file_application(agent, filing(ww.items_a["ZW0001"], channel=Channel.AGENT_POINT))
    assert refused.value.code == "application.not_agent_item"
    filed = file_application(agent, filing(ww.items_a["BM001"], channel=Channel.AGENT_POINT))
    application, case = filed.application, filed.application.case
    assert case.area == ww.world.village_a and application.intake_unit == ww.world.committee_a
    assert application.filed_by == agent and case.number.startswith("甲镇办")  # numbered by the township's centre
    assert case.assignments.get().role == "village_agent"
    assert [i.code for i in guide_items(ww.world.a, date(2026, 6, 1), channel=Channel.AGENT_POINT, point=point)] == ["BM001"]
    with pytest.raises(Forbidden):
        file_application(agent, filing(ww.items_a["BM001"], channel=Channel.WINDOW))
    with pytest.raises(Forbidden):
        file_application(ww.clerk_a, filing(ww.items_a["BM001"], channel=Channel.AGENT_POINT))


def test_home_visit_and_someone_acting_for_the_applicant(ww):
    filed = file_application(ww.clerk_a, filing(ww.items_a["ZW0002"], channel=Channel.HOME_VISIT, agent_name="王小明", agent_phone="13700137000"))
    case = filed.application.case
    assert case.channel == Channel.HOME_VISIT
    agent = CaseParty.objects.get(case=case, role=CaseParty.Role.AGENT)
    assert agent.acting_for.role == CaseParty.Role.APPLICANT and agent.acting_for.party == filed.application.applicant


def test_search_by_name_and_pinyin_initials(ww):
    on = date(2026, 6, 1)
    assert [i.code for i in guide_items(ww.world.a, on, search="zdsh")] == ["ZW0001"]
    assert [i.code for i in guide_items(ww.world.a, on, search="高龄")] == ["ZW0002"]


def test_a_form_sent_twice_files_once(ww):
    item = ww.items_a["ZW0001"]
    key = uuid.uuid4()
    first = file_application(ww.clerk_a, filing(item, client_key=key))
    again = file_application(ww.clerk_a, filing(item, client_key=key))
    assert again.application.pk == first.application.pk and again.code is None
    assert Application.objects.count() == 1
    with pytest.raises(Conflict):
        file_application(ww.clerk_a, filing(item, client_key=key, phone="13900139000"))


def test_scans_are_kept_as_attachments_of_the_case(ww):
    item = ww.items_a["ZW0001"]
    material = guide_materials(item)[0]
    filed = file_application(ww.clerk_a, filing(item, scans=[Scan(material_id=material.pk, name="身份证.png", content=png())]))
    row = filed.application.materials.get(guide_material=material)
    scan = row.scans.get()
    assert scan.attachment.case == filed.application.case and scan.attachment.purpose == "material"
    before = Attachment.objects.count()
    with pytest.raises(Rejected):
        file_application(ww.clerk_a, filing(item, scans=[Scan(material_id=material.pk, name="x.png", content=b"MZ not an image")]))
    assert Attachment.objects.count() == before
