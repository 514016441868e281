"""Officers' certificates (执法证): the page of the jurisdiction's officers with their status and its
export, recording, renewing and revoking a certificate, and the API — two townships throughout."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.enforcement.actions.officers import record_certificate, renew_certificate, revoke_certificate
from zhenjie.enforcement.certificates import certificate_for
from zhenjie.enforcement.models import Certificate
from zhenjie.enforcement.testing import certify
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected
from zhenjie.kernel.models import JournalEntry
from zhenjie.testing import Api, make_user

pytestmark = pytest.mark.django_db


def new_certificate(ew, actor=None, **changes):
    today = timezone.localdate()
    fields = {"officer": ew.officer_a1, "number": "37990100", "issuer": "测试县人民政府", "area": ew.world.a,
              "valid_from": today, "valid_until": today + timedelta(days=365 * 3), "training_hours": 40} | changes  # fmt: skip
    return record_certificate(actor or ew.world.leader_a, **fields)


def test_a_township_leader_records_a_certificate_for_an_officer_of_the_township_journaled(ew):
    certificate = new_certificate(ew)

    assert certificate.officer == ew.officer_a1 and certificate.training_hours == 40
    entry = JournalEntry.objects.get(subject=f"certificate:{certificate.pk}")
    assert entry.verb == "enforcement.certificate.record" and entry.chain == ew.world.a.path and entry.data["number"] == "37990100"


def test_a_number_is_unique_and_bad_input_is_refused_in_chinese_writing_nothing(ew):
    cases = [
        ({"number": "37990001"}, "执法证号 37990001 已登记"),
        ({"number": "9" * 33}, "执法证号不能超过32字"),
        ({"issuer": ""}, "请填写发证机关"),
        ({"valid_until": date(2020, 1, 1)}, "有效期至不能早于有效期起"),
        ({"valid_from": "明年"}, "有效期起格式不正确"),
        ({"training_hours": -3}, "年度培训学时须为0至1000之间的整数"),
        ({"officer": ew.officer_b1}, "请选择您管理范围内在岗的执法人员"),
        ({"area": ew.world.village_a}, "执法区域须为县或乡镇(街道)"),
    ]
    before = Certificate.objects.count()
    for changes, message in cases:
        with pytest.raises(Rejected, match=message.replace("(", r"\(").replace(")", r"\)")):
            new_certificate(ew, **changes)
    with pytest.raises(Forbidden, match="您无权管理乙镇的执法证"):
        new_certificate(ew, area=ew.world.b)
    with pytest.raises(Forbidden):  # an officer keeps no certificates
        new_certificate(ew, actor=ew.officer_a2)
    assert Certificate.objects.count() == before
    assert not JournalEntry.objects.filter(verb="enforcement.certificate.record").exists()


def test_the_county_administrator_certifies_for_the_whole_county_and_that_covers_every_township(ew):
    county_officer = make_user("county_officer", ew.world.police, [R.ENFORCEMENT_OFFICER], ew.world.county)
    certificate = new_certificate(ew, actor=ew.world.county_admin, officer=county_officer, area=ew.world.county)

    assert certificate_for(county_officer, ew.world.b, timezone.localdate()) == certificate


def test_renewal_extends_validity_and_revocation_ends_it_at_once(ew):
    certificate = Certificate.objects.get(number="37990001")
    with pytest.raises(Rejected, match="新的有效期至须晚于现有的2028-12-31"):
        renew_certificate(ew.leader_a, certificate, valid_until=date(2028, 1, 1))
    renew_certificate(ew.leader_a, certificate, valid_until=date(2031, 12, 31))
    assert Certificate.objects.get(pk=certificate.pk).valid_until == date(2031, 12, 31)

    with pytest.raises(Rejected, match="请填写注销理由"):
        revoke_certificate(ew.leader_a, certificate, reason=" ")
    revoke_certificate(ew.leader_a, certificate, reason="调离执法岗位")
    with pytest.raises(Forbidden, match=r"执法证 37990001 已于\d{4}年\d+月\d+日注销"):
        certificate_for(ew.officer_a1, ew.world.a, timezone.localdate())
    with pytest.raises(Conflict, match="已注销，不能延续"):
        renew_certificate(ew.leader_a, certificate, valid_until=date(2032, 12, 31))
    assert JournalEntry.objects.get(verb="enforcement.certificate.revoke").note == "调离执法岗位"


def test_the_officer_list_shows_status_for_the_users_jurisdiction_only(ew, client):
    today = timezone.localdate()
    Certificate.objects.filter(number="37990002").update(valid_until=today + timedelta(days=10))
    expired = make_user("officer_a3", ew.team_a, [R.ENFORCEMENT_OFFICER], ew.world.a)
    certify(expired, ew.world.a, "37990099", valid=(date(2024, 1, 1), date(2025, 12, 31)))
    make_user("officer_a4", ew.team_a, [R.ENFORCEMENT_OFFICER], ew.world.a)  # no certificate yet

    client.force_login(ew.leader_a)
    page = client.get(reverse("enforcement_officers:list")).content.decode()
    for username, status in (("officer_a1", "valid"), ("officer_a2", "expiring"), ("officer_a3", "expired"), ("officer_a4", "none")):
        assert _row(page, username).count(f'data-status="{status}"') == 1
    assert "officer_b1" not in page and "37990003" not in page

    client.force_login(ew.world.leader_b)
    page = client.get(reverse("enforcement_officers:list")).content.decode()
    assert "officer_b1" in page and "officer_a1" not in page


def _pk(username):
    from zhenjie.accounts.models import User

    return User.objects.get(username=username).pk


def _row(page, username):
    start = page.index(f'data-officer="{_pk(username)}"')
    return page[start : page.index("</tr>", start)]


def test_the_officer_list_exports_to_excel_what_it_shows(ew, client):
    client.force_login(ew.leader_a)
    response = client.get(reverse("enforcement_officers:list"), {"format": "xlsx"})
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("执法人员", "执法证号", "发证机关")
    assert sorted(r[1] for r in rows[1:]) == ["37990001", "37990002"]
    assert {r[6] for r in rows[1:]} == {"有效"}


def test_the_officer_list_runs_a_fixed_number_of_queries(ew, client, django_assert_max_num_queries):
    client.force_login(ew.leader_a)
    client.get(reverse("enforcement_officers:list"))  # warm: sessions, reach
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("enforcement_officers:list"))
    for n in range(8):
        officer = make_user(f"extra{n}", ew.team_a, [R.ENFORCEMENT_OFFICER], ew.world.a)
        certify(officer, ew.world.a, f"3799100{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("enforcement_officers:list"))


def test_pages_record_renew_and_revoke_and_show_errors_in_chinese(ew, client):
    client.force_login(ew.leader_a)
    today = timezone.localdate()
    response = client.post(reverse("enforcement_officers:certificate_new"), {
        "officer": ew.officer_a1.pk, "number": "37990001", "issuer": "测试县人民政府", "area": ew.world.a.pk,
        "valid_from": today, "valid_until": today + timedelta(days=30), "training_hours": 8})  # fmt: skip
    assert response.status_code == 200 and "执法证号 37990001 已登记" in response.content.decode()
    response = client.post(reverse("enforcement_officers:certificate_new"), {
        "officer": ew.officer_a1.pk, "number": "37990777", "issuer": "测试县人民政府", "area": ew.world.a.pk,
        "valid_from": today, "valid_until": today + timedelta(days=30), "training_hours": 8})  # fmt: skip
    certificate = Certificate.objects.get(number="37990777")
    assert response.status_code == 302

    response = client.post(reverse("enforcement_officers:certificate_renew", args=[certificate.pk]), {"valid_until": "2020-01-01"})
    assert "新的有效期至须晚于现有的" in response.content.decode()
    client.post(reverse("enforcement_officers:certificate_training", args=[certificate.pk]), {"training_hours": 24})
    client.post(reverse("enforcement_officers:certificate_revoke", args=[certificate.pk]), {"reason": "调离"})
    certificate.refresh_from_db()
    assert certificate.training_hours == 24 and certificate.revoked_at is not None
    assert "已注销" in client.get(reverse("enforcement_officers:certificate", args=[certificate.pk])).content.decode()

    client.force_login(ew.world.leader_b)  # another township's certificate: 404, nothing changes
    assert client.get(reverse("enforcement_officers:certificate", args=[certificate.pk])).status_code == 404
    assert client.post(reverse("enforcement_officers:certificate_training", args=[certificate.pk]), {"training_hours": 1}).status_code == 404


def test_the_api_lists_records_and_refuses_in_chinese(ew, client):
    api = Api(client).as_("leader_a")
    listed = api.get("/api/enforcement/officers").json()
    assert listed["count"] == 2 and {o["status"] for o in listed["items"]} == {"valid"}
    assert listed["items"][0]["certificate"]["number"] in ("37990001", "37990002")

    today = timezone.localdate()
    body = {"officer_id": ew.officer_a2.pk, "number": "37990555", "issuer": "测试县人民政府", "area_id": ew.world.a.pk,
            "valid_from": str(today), "valid_until": str(today + timedelta(days=400))}  # fmt: skip
    created = api.post("/api/enforcement/certificates", body)
    assert created.status_code == 201 and created.json()["status"] == "valid"
    again = api.post("/api/enforcement/certificates", body)
    assert again.status_code == 400 and again.json()["message"] == "执法证号 37990555 已登记"
    assert api.post("/api/enforcement/certificates", body | {"number": "x", "area_id": ew.world.b.pk}).status_code == 403
    assert api.post("/api/enforcement/certificates", body | {"number": "y", "officer_id": ew.officer_b1.pk}).json()["fields"] == {
        "officer": "请选择您管理范围内在岗的执法人员"}
    revoked = api.post(f"/api/enforcement/certificates/{created.json()['id']}/revoke", {"reason": "遗失"})
    assert revoked.json()["status"] == "revoked"

    other = Api(client).as_("leader_b")
    assert other.post(f"/api/enforcement/certificates/{created.json()['id']}/training", {"training_hours": 3}).status_code == 404
    assert "37990001" not in other.get("/api/enforcement/officers").content.decode()
