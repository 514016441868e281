"""The window's pages and API: filing through the form, notice and supplement through the kit,
township A sees nothing of B anywhere, and lists read a fixed number of queries."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from zhenjie.lists.models import ServiceMaterial
from zhenjie.testing import Api, citizen_id
from zhenjie.window.models import Application, Notice
from zhenjie.window.testing import make_application, make_window_world
from zhenjie.window.workflow import State

pytestmark = pytest.mark.django_db


@pytest.fixture
def ww(db):
    return make_window_world()


def intake_post(item, **overrides):
    data = {"channel": "window", "applicant_kind": "person", "applicant_name": "李四", "id_number": citizen_id(11), "phone": "13800138001"}
    for m in ServiceMaterial.objects.filter(item=item).order_by("position"):
        data |= {f"m{m.pk}_status": "received", f"m{m.pk}_form": m.form, f"m{m.pk}_copies": m.copies}
    return data | overrides


def test_a_clerk_files_through_the_form_and_issues_the_notice(client, ww):
    client.force_login(ww.clerk_a)
    item = ww.items_a["ZW0001"]
    page = client.get(reverse("window:new"), {"q": "zdsh"})
    assert page.status_code == 200 and "最低生活保障申请" in page.content.decode() and "高龄津贴" not in page.content.decode()
    form_material = ServiceMaterial.objects.get(item=item, name="申请表")
    response = client.post(reverse("window:new_item", args=[item.pk]), intake_post(item, **{f"m{form_material.pk}_status": "missing"}))
    assert response.status_code == 302, response.content.decode()[:2000]
    application = Application.objects.get()
    detail = client.get(response["Location"]).content.decode()
    assert "查询码" in detail and citizen_id(11) not in detail and application.applicant.id_number_masked in detail
    missing = application.materials.get(name="申请表")
    answer = client.post(reverse("window:act", args=[application.case_id, "notify"]), {f"p{missing.pk}": "未提交申请表"})
    assert answer.status_code == 302
    notice = Notice.objects.get()
    pdf = client.get(reverse("workbench:document_pdf", args=[notice.document_id]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    answer = client.post(reverse("window:act", args=[application.case_id, "supplement"]), {f"s{missing.pk}": "on", f"s{missing.pk}_form": "original", f"s{missing.pk}_copies": "1"})
    assert answer.status_code == 302
    application.case.refresh_from_db()
    assert application.case.state == State.RECEIVED


def test_refused_filings_show_the_message_and_write_nothing(client, ww):
    client.force_login(ww.clerk_a)
    item = ww.items_a["ZW0001"]
    required = ServiceMaterial.objects.get(item=item, name="居民身份证")
    for overrides, text in (({"id_number": "110105194912310021"}, "校验位"),
                            ({f"m{required.pk}_status": "deferred"}, "选项"),
                            ({"applicant_name": "王" * 101}, "")):  # fmt: skip
        response = client.post(reverse("window:new_item", args=[item.pk]), intake_post(item, **overrides))
        assert response.status_code == 200 and text in response.content.decode()
    assert Application.objects.count() == 0
    # Another township's item is not offered: 404, not a 500.
    assert client.get(reverse("window:new_item", args=[ww.items_b["ZW0001"].pk])).status_code == 404


def test_township_b_sees_nothing_of_a(client, ww):
    a = make_application(ww, state=State.NOTIFIED)
    make_application(ww, township=ww.world.b)
    client.force_login(ww.clerk_b)
    listing = client.get(reverse("window:home")).content.decode()
    assert a.case.number not in listing
    assert client.get(reverse("window:detail", args=[a.case_id])).status_code == 404
    assert client.post(reverse("window:act", args=[a.case_id, "supplement"]), {}).status_code == 404
    assert a.case.number not in client.get(reverse("window:queue")).content.decode()
    sheet = load_workbook(io.BytesIO(client.get(reverse("window:home"), {"format": "xlsx"}).content)).active
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(numbers) == 1 and a.case.number not in numbers
    api = Api(client).as_(ww.clerk_b.username)
    page = api.get("/api/applications").json()
    assert page["count"] == 1 and a.case_id not in [i["id"] for i in page["items"]]
    assert api.get(f"/api/applications/{a.case_id}").status_code == 404
    assert api.get(f"/api/applications/{a.case_id}/journal").status_code == 404
    assert api.post(f"/api/applications/{a.case_id}/supplement", {"materials": [{"material_id": 1, "form": "original", "copies": 1}]}).status_code == 404
    export = load_workbook(io.BytesIO(api.get("/api/applications/export").content)).active
    assert a.case.number not in [row[0] for row in export.iter_rows(min_row=2, values_only=True)]


def test_filing_notice_and_supplement_over_the_api(client, ww):
    api = Api(client).as_(ww.clerk_a.username)
    item = ww.items_a["ZW0002"]
    materials = [{"material_id": m.pk, "status": "received", "form": m.form, "copies": m.copies}
                 for m in ServiceMaterial.objects.filter(item=item).order_by("position")]  # fmt: skip
    materials[2] = {"material_id": materials[2]["material_id"], "status": "defective", "problem": "未签名"}
    body = {"item_id": item.pk, "applicant_kind": "person", "applicant_name": "赵六", "id_number": citizen_id(13), "phone": "13800138002",
            "materials": materials}  # fmt: skip
    created = api.post("/api/applications", body)
    assert created.status_code == 201, created.content
    filed = created.json()
    assert len(filed["tracking_code"]) == 8 and filed["application"]["applicant"]["id_number_masked"] != citizen_id(13)
    case_id = filed["application"]["id"]
    bad = api.post("/api/applications", body | {"id_number": "110105194912310021"})
    assert bad.status_code == 400 and bad.json()["code"] == "pii.id_number_checksum"
    assert api.post("/api/applications", body | {"applicant_name": "王" * 101}).status_code == 400
    assert api.post("/api/applications", body | {"item_id": "x"}).status_code == 400
    defective = next(m for m in filed["application"]["materials"] if m["status"] == "defective")
    notified = api.post(f"/api/applications/{case_id}/notify", {"problems": [{"material_id": defective["id"], "problem": "申请表未签名"}]})
    assert notified.status_code == 200, notified.content
    assert notified.json()["state"] == State.NOTIFIED and notified.json()["notices"][0]["items"][0]["problem"] == "申请表未签名"
    again = api.post(f"/api/applications/{case_id}/notify", {"problems": [{"material_id": defective["id"], "problem": "x"}]})
    assert again.status_code == 409
    done = api.post(f"/api/applications/{case_id}/supplement", {"materials": [{"material_id": defective["id"], "form": "original", "copies": 1}]})
    assert done.status_code == 200 and done.json()["state"] == State.RECEIVED


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_list_and_queue_read_a_fixed_number_of_queries(client, ww):
    make_application(ww)
    client.force_login(ww.clerk_a)
    urls = [reverse("window:home"), reverse("window:queue"), reverse("window:home") + "?phase=intake"]
    one = [count_queries(client, url) for url in urls]
    for sequence in range(2, 6):
        make_application(ww, applicant=None) if sequence % 2 else make_application(ww, "ZW0002")
    assert Application.objects.count() == 5
    assert [count_queries(client, url) for url in urls] == one
