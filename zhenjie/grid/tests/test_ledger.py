"""Key-population ledgers, visits and overdue lists; the county's visit rules."""

import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhenjie.grid import actions, queries
from zhenjie.grid.models import KeyPerson, KeyPopulationSetting, Visit
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected
from zhenjie.kernel.models import Attachment, Blob, JournalEntry
from zhenjie.testing import make_key_person, make_resident

from .conftest import days_ago, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(gw):
    """A low-income resident of 甲一村第1网格 entered 100 days ago: 10 days overdue (every 90 days)."""
    resident = make_resident(gw.world.grid_a, gw.world.grid_worker_a, 11, name="李大爷", born=date(1950, 5, 1))
    return make_key_person(resident, gw.world.grid_worker_a, "subsistence", since=days_ago(100), particulars={"household_size": 2})


def overdue_names(user):
    return [p.resident.name for p in queries.filter_due(queries.key_persons_for(user), "overdue")]


def test_a_new_entry_falls_due_one_interval_after_it_entered_the_ledger(gw, person):
    assert person.next_visit_on == days_ago(10) and person.days_overdue(timezone.localdate()) == 10
    assert overdue_names(gw.world.dispatcher_a) == ["李大爷"]


def test_a_visit_moves_the_due_date_and_takes_the_person_off_the_overdue_list(gw, person):
    visit = actions.record_visit(gw.world.grid_worker_a, person, situation="normal", findings="生活正常，低保金按时到账")
    person.refresh_from_db()
    assert person.next_visit_on == timezone.localdate() + timedelta(days=90) and person.last_visited_at == visit.visited_at
    assert overdue_names(gw.world.dispatcher_a) == []
    entry = JournalEntry.objects.get(verb="grid.visit")
    assert entry.actor == gw.world.grid_worker_a and entry.chain == gw.world.a.path and "情况正常" in entry.summary


def test_an_older_visit_entered_late_does_not_undo_a_newer_one(gw, person):
    worker = gw.world.grid_worker_a
    actions.record_visit(worker, person, situation="normal", findings="本周走访")
    actions.record_visit(worker, person, situation="normal", findings="补录上月走访", visited_at=timezone.now() - timedelta(days=30))
    person.refresh_from_db()
    assert person.next_visit_on == timezone.localdate() + timedelta(days=90)


def test_a_visit_with_a_photo_keeps_the_photo_for_those_who_see_the_visit(client, gw, person):
    visit = actions.record_visit(gw.world.grid_worker_a, person, situation="attention", findings="房屋漏雨", photo=(png_bytes(), "现场.png"))
    photo = visit.photos.get()
    assert photo.purpose == "photo" and photo.blob.content_type == "image/png"
    client.force_login(gw.world.dispatcher_a)
    assert b"".join(client.get(reverse("grid:photo", args=[photo.pk])).streaming_content) == png_bytes()
    client.force_login(gw.world.dispatcher_b)
    assert client.get(reverse("grid:photo", args=[photo.pk])).status_code == 404


@pytest.mark.parametrize(
    "photo, code",
    [((b"MZ\x90\x00 not an image", "photo.jpg"), "file.type_not_allowed"), ((b"\x89PNG\r\n\x1a\nbroken", "photo.png"), "file.broken_image")],
)
def test_a_photo_that_is_not_an_image_is_refused_and_no_visit_is_saved(gw, person, photo, code):
    with pytest.raises(Rejected) as error:
        actions.record_visit(gw.world.grid_worker_a, person, situation="normal", findings="x", photo=photo)
    assert error.value.code == code and error.value.field == "photo"
    assert not Visit.objects.exists() and not Blob.objects.exists()
    person.refresh_from_db()
    assert person.last_visited_at is None


def test_a_photo_over_the_limit_is_refused_on_the_page_with_its_size(client, gw, person, settings):
    settings.ATTACHMENT_MAX_BYTES = {"photo": 1024}
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(gw.world.grid_worker_a)
    big = SimpleUploadedFile("big.png", png_bytes(size=(400, 400)) + b"\0" * 4096, content_type="image/png")
    page = client.post(reverse("grid:visit_new", args=[person.pk]), {"situation": "normal", "findings": "正常", "photo": big}).content.decode()
    assert 'data-field-error="photo">文件过大' in page
    assert not Visit.objects.exists()


def test_a_visit_position_outside_the_grid_is_refused(gw, person):
    with pytest.raises(Rejected) as error:
        actions.record_visit(gw.world.grid_worker_a, person, situation="normal", findings="x", lng=116.25, lat=35.02)
    assert error.value.code == "position.outside_grid" and error.value.field == "position"
    with pytest.raises(Rejected) as error:
        actions.record_visit(gw.world.grid_worker_a, person, situation="normal", findings="x", lng=116.01, lat=None)
    assert error.value.code == "position.incomplete"
    assert not Visit.objects.exists()


@pytest.mark.parametrize(
    "change, code",
    [
        ({"findings": "x" * 2001}, "grid.findings_too_long"),
        ({"findings": "  "}, "grid.findings_required"),
        ({"situation": "fine"}, "grid.situation_invalid"),
        ({"visited_at": timezone.now() + timedelta(days=1)}, "grid.visited_at_future"),
        ({"visited_at": timezone.now() - timedelta(days=400)}, "grid.visited_at_before_since"),
    ],
)
def test_bad_visit_input_is_refused_with_the_field(gw, person, change, code):
    data = {"situation": "normal", "findings": "正常"} | change
    with pytest.raises(Rejected) as error:
        actions.record_visit(gw.world.grid_worker_a, person, **data)
    assert error.value.code == code
    assert not Visit.objects.exists()


def test_nobody_is_visited_after_leaving_the_ledger(gw, person):
    actions.end_key_person(gw.world.grid_worker_a, person, reason="收入超过低保标准")
    with pytest.raises(Conflict):
        actions.record_visit(gw.world.grid_worker_a, person, situation="normal", findings="x")
    assert overdue_names(gw.world.dispatcher_a) == []


def test_a_left_behind_child_must_be_under_sixteen_and_an_elderly_person_eighty(gw):
    w = gw.world
    today = timezone.localdate()
    teenager = make_resident(w.grid_a, w.grid_worker_a, 12, born=date(today.year - 16, 1, 1))
    with pytest.raises(Rejected) as error:
        make_key_person(teenager, w.grid_worker_a, "left_behind_child")
    assert error.value.message == "留守儿童须不满16周岁，该人员现年16周岁" and error.value.field == "kind"
    make_key_person(teenager, w.grid_worker_a, "child_in_difficulty")
    with pytest.raises(Rejected):
        make_key_person(teenager, w.grid_worker_a, "elderly_alone")


def test_a_person_is_in_each_ledger_once(gw, person):
    with pytest.raises(Conflict) as error:
        make_key_person(person.resident, gw.world.grid_worker_a, "subsistence")
    assert error.value.message == "该人员已在低保对象台账中"


def test_ledger_columns_are_checked_per_kind(gw):
    resident = make_resident(gw.world.grid_a, gw.world.grid_worker_a, 13)
    with pytest.raises(Rejected) as error:
        make_key_person(resident, gw.world.grid_worker_a, "disabled", particulars={"disability_grade": "五级"})
    assert error.value.field == "disability_grade" and error.value.message == "请选择有效的残疾等级"
    with pytest.raises(Rejected) as error:
        make_key_person(resident, gw.world.grid_worker_a, "subsistence", particulars={"household_size": 99})
    assert error.value.message == "保障人口(人)须为1至20之间的整数"


def test_the_county_administrator_changes_an_interval_and_every_due_date_moves(client, gw, person):
    w = gw.world
    client.force_login(w.county_admin)
    response = client.post(reverse("grid:settings"), {"kind": "subsistence", "subsistence-visit_interval_days": 120})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.next_visit_on == days_ago(100) + timedelta(days=120)
    assert overdue_names(w.dispatcher_a) == []
    entry = JournalEntry.objects.get(verb="grid.rule.update")
    assert entry.summary == "测试县低保对象走访周期 90天 → 120天" and entry.data["entries_redated"] == 1
    page = client.post(reverse("grid:settings"), {"kind": "subsistence", "subsistence-visit_interval_days": 0}).content.decode()
    assert "确保该值大于或等于1。" in page and KeyPopulationSetting.objects.get().visit_interval_days == 120


def test_only_the_county_administrator_sets_the_rules(client, gw):
    county = gw.world.county
    with pytest.raises(Forbidden):
        actions.set_population_rule(gw.world.leader_a, county, "subsistence", visit_interval_days=10)
    client.force_login(gw.world.dispatcher_a)
    assert client.get(reverse("grid:settings")).status_code == 403
    with pytest.raises(Rejected) as error:
        actions.set_population_rule(gw.world.county_admin, county, "subsistence", visit_interval_days=10, min_age=70, max_age=60)
    assert error.value.message == "最低年龄不能大于最高年龄"


def test_the_overdue_page_counts_per_lead_worker_and_lists_the_people(client, gw, person):
    w = gw.world
    other = make_resident(gw.grid_a2, gw.grid_worker_a2, 31, name="王奶奶", born=date(1935, 3, 3))
    make_key_person(other, gw.grid_worker_a2, "elderly_alone", since=days_ago(30))
    make_key_person(make_resident(gw.grid_a2, gw.grid_worker_a2, 32, name="赵叔"), gw.grid_worker_a2, "disabled", since=days_ago(2))
    client.force_login(w.leader_a)
    page = client.get(reverse("grid:overdue")).content.decode()
    by_worker, by_township = queries.overdue_summary_for(w.leader_a)
    assert [(line.label, line.active, line.overdue) for line in by_worker] == [("grid_worker_a", 1, 1), ("grid_worker_a2", 2, 1)]
    assert [(line.label, line.overdue) for line in by_township] == [("甲镇", 2)]
    assert "李大爷" in page and "王奶奶" in page and "赵叔" not in page and "超期23天" in page
    only_a2 = client.get(reverse("grid:overdue"), {"worker": gw.grid_worker_a2.pk}).content.decode()
    assert "王奶奶" in only_a2 and "李大爷" not in only_a2


def test_the_overdue_export_has_the_list_and_both_summaries(client, gw, person):
    client.force_login(gw.world.dispatcher_a)
    book = load_workbook(io.BytesIO(client.get(reverse("grid:overdue") + "?format=xlsx").content))
    assert book.sheetnames == ["超期明细", "按网格员", "按乡镇(街道)"]
    assert [r[1] for r in book["超期明细"].iter_rows(min_row=2, values_only=True)] == ["李大爷"]
    assert list(book["按网格员"].iter_rows(min_row=2, values_only=True))[0][:3] == ("grid_worker_a", 1, 1)


def test_the_worker_records_a_visit_on_the_phone_page_and_returns_to_the_list(client, gw, person):
    client.force_login(gw.world.grid_worker_a)
    ledger = reverse("grid:ledger") + "?due=overdue"
    assert "李大爷" in client.get(ledger).content.decode()
    response = client.post(
        reverse("grid:visit_new", args=[person.pk]) + f"?next={ledger}",
        {"situation": "attention", "findings": "老伴住院，需持续关注", "lng": "116.02", "lat": "35.02"},
    )
    assert response.status_code == 302 and response["Location"] == ledger
    after = client.get(ledger).content.decode()
    assert "已记录对 李大爷 的走访" in after and 'data-testid="ledger-row"' not in after
    visit = Visit.objects.get()
    assert visit.visitor == gw.world.grid_worker_a and visit.lng == 116.02 and visit.situation == "attention"


def test_the_next_address_after_a_visit_stays_inside_the_platform(client, gw, person):
    client.force_login(gw.world.grid_worker_a)
    response = client.post(reverse("grid:visit_new", args=[person.pk]) + "?next=https://evil.example/", {"situation": "normal", "findings": "正常"})
    assert response["Location"] == reverse("grid:key_person", args=[person.pk])


def test_the_ledger_export_carries_the_kinds_own_columns(client, gw, person):
    client.force_login(gw.world.dispatcher_a)
    book = load_workbook(io.BytesIO(client.get(reverse("grid:ledger") + "?kind=subsistence&format=xlsx").content))
    header, row = list(book.active.iter_rows(values_only=True))[:2]
    assert book.active.title == "低保对象台账" and "保障人口(人)" in header and row[header.index("保障人口(人)")] == 2
    assert row[header.index("超期天数")] == 10


def test_no_attachment_is_left_behind_by_a_refused_visit(gw, person):
    with pytest.raises(Rejected):
        actions.record_visit(gw.world.grid_worker_a, person, situation="normal", findings="x" * 2001, photo=(png_bytes(), "a.png"))
    assert not Attachment.objects.exists()
    assert KeyPerson.objects.get().last_visited_at is None


def test_each_county_keeps_its_own_rules(gw, person):
    from zhenjie.areas.actions import create_area
    from zhenjie.testing import square

    other, _ = create_area(None, code="990299000000", name="邻县", level="county", boundary=square(118.0, 35.0, 0.4))
    with pytest.raises(Forbidden):
        actions.set_population_rule(gw.world.county_admin, other, "subsistence", visit_interval_days=10)
    actions.set_population_rule(gw.world.county_admin, gw.world.county, "subsistence", visit_interval_days=10)
    assert KeyPopulationSetting.objects.get().county == gw.world.county


def test_a_resident_is_entered_in_a_ledger_from_their_page_with_the_kinds_own_columns(client, gw):
    w = gw.world
    resident = make_resident(w.grid_a, w.grid_worker_a, 15, name="残疾人甲", born=date(1980, 1, 1))
    client.force_login(w.grid_worker_a)
    url = reverse("grid:key_person_new", args=[resident.pk])
    form = client.post(url, {"kind": "disabled", "refresh": "1"}).content.decode()
    assert "残疾类别" in form and "残疾人证号" in form and "保障人口" not in form
    response = client.post(url, {"kind": "disabled", "since": str(days_ago(5)), "p_disability_type": "肢体", "p_disability_grade": "六级", "save": "1"})
    assert "选择一个有效的选项" in response.content.decode() and not KeyPerson.objects.exists()
    response = client.post(url, {"kind": "disabled", "since": str(days_ago(5)), "p_disability_type": "肢体", "p_disability_grade": "二级", "contact_phone": "13812345678", "save": "1"})
    person = KeyPerson.objects.get()
    assert response["Location"] == reverse("grid:key_person", args=[person.pk])
    assert person.particulars == {"disability_type": "肢体", "disability_grade": "二级"} and person.contact_phone_masked == "138****5678"
    assert "13812345678" not in person.contact_phone_cipher
    page = client.get(response["Location"]).content.decode()
    assert "肢体" in page and "138****5678" in page and "下次走访" in page


def test_an_entry_leaves_the_ledger_from_its_page_with_a_reason(client, gw, person):
    client.force_login(gw.world.dispatcher_a)
    client.post(reverse("grid:key_person_end", args=[person.pk]), {"reason": "家庭收入超过低保标准", "ended_on": str(timezone.localdate())})
    person.refresh_from_db()
    assert person.end_reason == "家庭收入超过低保标准"
    assert "已退出" in client.get(reverse("grid:key_person", args=[person.pk])).content.decode()
