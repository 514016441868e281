"""Registers: residents, buildings, organisations — encrypted at rest, found by keyed hash,
shown masked, checked on the way in."""

import io

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from zhenjie.grid import actions, queries
from zhenjie.grid.models import Building, KeyPerson, Organisation, Resident
from zhenjie.kernel.errors import Conflict, NotFound, Rejected
from zhenjie.kernel.models import JournalEntry
from zhenjie.testing import citizen_id, credit_code, make_key_person, make_resident

pytestmark = pytest.mark.django_db

ID = citizen_id(11)  # 990199196001010110 with its check character
PHONE = "13912345678"


def test_a_registered_resident_is_stored_encrypted_and_the_raw_columns_hold_no_number(gw):
    resident = make_resident(gw.world.grid_a, gw.world.grid_worker_a, 11, phone=PHONE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM grid_resident WHERE id = %s", [resident.pk])
        raw = " ".join(str(value) for value in cursor.fetchone())
    assert ID not in raw and ID[6:14] not in raw and PHONE not in raw and "12345678" not in raw
    assert resident.id_number_masked == ID[:6] + "********" + ID[-4:] and resident.phone_masked == "139****5678"
    assert resident.sex == "male" and str(resident.birth_date) == "1960-01-01"


def test_the_journal_records_the_registration_without_the_number(gw):
    resident = make_resident(gw.world.grid_a, gw.world.grid_worker_a, 11, phone=PHONE)
    entry = JournalEntry.objects.get(subject=f"resident:{resident.pk}")
    assert ID not in entry.summary + str(entry.data) and PHONE not in entry.summary + str(entry.data)


def test_the_register_is_searched_by_full_id_number_or_phone_through_the_digest(client, gw):
    w = gw.world
    make_resident(w.grid_a, w.grid_worker_a, 11, name="李明", phone=PHONE)
    make_resident(w.grid_a, w.grid_worker_a, 13, name="王芳")
    client.force_login(w.dispatcher_a)
    for query in (ID, ID.lower(), PHONE, "+86 139-1234-5678"):
        page = client.get(reverse("grid:residents"), {"q": query}).content.decode()
        assert "李明" in page and "王芳" not in page, query
    assert "王芳" in client.get(reverse("grid:residents"), {"q": "王"}).content.decode()
    assert "没有符合条件的人员" in client.get(reverse("grid:residents"), {"q": citizen_id(15)}).content.decode()


def test_lists_and_exports_show_numbers_masked(client, gw):
    w = gw.world
    make_resident(w.grid_a, w.grid_worker_a, 11, name="李明", phone=PHONE)
    client.force_login(w.dispatcher_a)
    page = client.get(reverse("grid:residents")).content.decode()
    assert ID not in page and PHONE not in page and "139****5678" in page
    sheet = load_workbook(io.BytesIO(client.get(reverse("grid:residents") + "?format=xlsx").content)).active
    row = list(sheet.iter_rows(min_row=2, values_only=True))[0]
    assert row[1] == "李明" and row[4] == ID[:6] + "********" + ID[-4:] and row[5] == "139****5678"


def test_the_full_number_is_shown_only_on_request_and_the_request_is_journaled(client, gw):
    w = gw.world
    resident = make_resident(w.grid_a, w.grid_worker_a, 11, phone=PHONE)
    client.force_login(w.grid_worker_a)
    assert ID not in client.get(reverse("grid:resident", args=[resident.pk])).content.decode()
    page = client.post(reverse("grid:resident", args=[resident.pk]), {"reveal": "1"}).content.decode()
    assert ID in page and PHONE in page
    entry = JournalEntry.objects.get(verb="grid.resident.reveal")
    assert entry.actor == w.grid_worker_a and ID not in entry.summary


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("id_number", "110101200001010014", "身份证号校验位不正确，请逐位核对"),
        ("id_number", "12345", "身份证号应为18位：前17位为数字，末位为数字或X"),
        ("phone", "1381234567", "手机号应为11位数字，以1开头、第二位为3至9"),
        ("name", "张" * 33, "确保该变量包含不超过 32 字符 (目前字符数 33)。"),
        ("name", "   ", "这个字段是必填项。"),
    ],
)
def test_bad_input_names_the_field_in_chinese_and_saves_nothing(client, gw, field, value, message):
    w = gw.world
    client.force_login(w.grid_worker_a)
    data = {"grid": w.grid_a.pk, "name": "张三", "id_number": ID, "phone": "", "residence_kind": "registered", "address": "幸福路1号"}
    data[field] = value
    response = client.post(reverse("grid:resident_new") + f"?grid={w.grid_a.pk}", data)
    page = response.content.decode()
    assert response.status_code == 200 and f'data-field-error="{field}">{message}<' in page
    assert not Resident.objects.exists()


def test_the_action_checks_lengths_itself_whoever_calls_it(gw):
    with pytest.raises(Rejected) as error:
        make_resident(gw.world.grid_a, gw.world.grid_worker_a, 11, name="张" * 33)
    assert error.value.message == "姓名不能超过32字(现有33字)" and error.value.field == "name"


def test_the_same_person_cannot_be_registered_twice_in_a_grid(gw):
    w = gw.world
    make_resident(w.grid_a, w.grid_worker_a, 11)
    with pytest.raises(Conflict) as error:
        make_resident(w.grid_a, w.grid_worker_a, 11, name="另一人")
    assert error.value.field == "id_number" and "已在本网格登记" in error.value.message


def test_another_townships_resident_is_404_by_page_and_action(client, gw):
    w = gw.world
    resident = make_resident(w.grid_b, gw.grid_worker_b, 11)
    client.force_login(w.dispatcher_a)
    assert client.get(reverse("grid:resident", args=[resident.pk])).status_code == 404
    assert client.get(reverse("grid:resident_edit", args=[resident.pk])).status_code == 404
    assert client.post(reverse("grid:resident_depart", args=[resident.pk]), {"status": "moved_out", "left_on": "2026-01-01"}).status_code == 404
    with pytest.raises(NotFound):
        actions.update_resident(w.dispatcher_a, resident, name="改名", residence_kind="registered", address="x")
    assert Resident.objects.get(pk=resident.pk).name == "张三"


def test_editing_keeps_the_number_when_left_blank_and_replaces_it_when_given(client, gw):
    w = gw.world
    resident = make_resident(w.grid_a, w.grid_worker_a, 11, phone=PHONE)
    client.force_login(w.grid_worker_a)
    form = {"name": "张三丰", "id_number": "", "phone": "", "residence_kind": "floating", "address": "幸福路2号"}
    assert client.post(reverse("grid:resident_edit", args=[resident.pk]), form).status_code == 302
    resident.refresh_from_db()
    assert resident.name == "张三丰" and resident.phone_masked == "139****5678" and resident.id_number_masked.endswith(ID[-4:])
    form["id_number"] = citizen_id(14)
    client.post(reverse("grid:resident_edit", args=[resident.pk]), form)
    resident.refresh_from_db()
    assert resident.id_number_digest == queries.Search.parse(citizen_id(14)).id_digest and resident.sex == "female"


def test_a_departure_ends_the_persons_ledgers(gw):
    w = gw.world
    resident = make_resident(w.grid_a, w.grid_worker_a, 11)
    person = make_key_person(resident, w.grid_worker_a, "subsistence")
    actions.record_departure(w.grid_worker_a, resident, status="moved_out", on=person.since, reason="随子女进城")
    person.refresh_from_db()
    assert person.ended_on == person.since and person.end_reason == "人员已迁出：随子女进城"
    with pytest.raises(Conflict):
        actions.record_departure(w.grid_worker_a, resident, status="deceased", on=person.since)


def test_an_import_is_all_or_nothing_and_names_the_bad_row(gw):
    w = gw.world
    rows = [
        {"name": "甲", "id_number": citizen_id(21), "address": "一号"},
        {"name": "乙", "id_number": "110101200001010014", "address": "二号"},
    ]
    with pytest.raises(Rejected) as error:
        actions.import_residents(w.grid_worker_a, w.grid_a, rows)
    assert error.value.message.startswith("第2行：身份证号校验位不正确") and error.value.field == "rows.2.id_number"
    assert not Resident.objects.exists()
    rows[1]["id_number"] = citizen_id(21)
    with pytest.raises(Conflict) as error:
        actions.import_residents(w.grid_worker_a, w.grid_a, rows)
    assert "第2行" in error.value.message
    rows[1]["id_number"] = citizen_id(22)
    assert len(actions.import_residents(w.grid_worker_a, w.grid_a, rows)) == 2


def test_a_building_position_outside_its_grid_is_refused(gw):
    w = gw.world
    data = {"address": "幸福路1号", "kind": "self_built", "use": "own", "floors": 2}
    with pytest.raises(Rejected) as error:
        actions.register_building(w.grid_worker_a, w.grid_a, lng=116.3, lat=35.02, **data)  # in 乙镇
    assert error.value.code == "position.outside_grid" and "不在「甲一村第1网格」范围内" in error.value.message
    building = actions.register_building(w.grid_worker_a, w.grid_a, lng=116.0505, lat=35.02, **data)  # a few dozen metres over the edge
    assert building.lng == 116.0505
    with pytest.raises(Conflict):
        actions.register_building(w.grid_worker_a, w.grid_a, **data)
    assert Building.objects.count() == 1


def test_an_organisation_needs_a_valid_credit_code_and_is_found_by_it(client, gw):
    w = gw.world
    base = {"name": "便民超市", "kind": "individual", "address": "幸福路3号"}
    with pytest.raises(Rejected) as error:
        actions.register_organisation(w.grid_worker_a, w.grid_a, credit_code="91512081MA62K0260F", **base)
    assert error.value.field == "credit_code" and "校验位不正确" in error.value.message
    actions.register_organisation(w.grid_worker_a, w.grid_a, credit_code=credit_code(5), contact_phone=PHONE, **base)
    client.force_login(w.dispatcher_a)
    page = client.get(reverse("grid:organisations"), {"q": credit_code(5).lower()}).content.decode()
    assert "便民超市" in page and "139****5678" in page and PHONE not in page
    assert Organisation.objects.get().contact_phone_digest == queries.Search.parse(PHONE).phone_digest


def test_a_county_administrator_reads_but_does_not_write_the_registers(gw):
    from zhenjie.kernel.errors import Forbidden

    w = gw.world
    make_resident(w.grid_a, w.grid_worker_a, 11)
    assert queries.residents_for(w.county_admin).count() == 1
    with pytest.raises(Forbidden):
        make_resident(w.grid_a, w.county_admin, 12)
    assert KeyPerson.objects.count() == 0
