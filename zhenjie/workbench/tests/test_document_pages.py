"""Documents as people meet them: the PDF link on the event page, the PDF by URL and by API
(and 404 for another township), and the county administrator's template pages."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from zhenjie.events import actions as event_actions
from zhenjie.testing import api, make_event, make_task  # noqa: F401  (api: a fixture)
from zhenjie.kernel import documents
from zhenjie.kernel.models import Case, Document, DocumentTemplate

pytestmark = pytest.mark.django_db

NOTICE = "supervision_notice"


def text_of(content: bytes) -> str:
    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


def issue(world, case, requirement="请今日反馈") -> Document:
    return documents.issue_document(world.leader_a, case, NOTICE, extra={"level": "红牌", "requirement": requirement})


def test_a_leaders_notice_on_the_event_page_gives_a_pdf_linked_from_its_timeline(client, world):
    event = make_event(world)
    event_actions.register_event(world.dispatcher_a, event)
    client.force_login(world.leader_a)

    response = client.post(reverse("events:act", args=[event.case_id, "notice"]), {"level": "red", "text": "请李龘今日下班前反馈"})

    assert response.status_code == 302
    document = Document.objects.get(case_id=event.case_id)
    page = client.get(reverse("events:detail", args=[event.case_id])).content.decode()
    link = reverse("workbench:document_pdf", args=[document.pk])
    assert page.count(f'href="{link}"') == 2  # the documents card and the timeline entry
    assert f"查看{document.number}(PDF)" in page and 'data-testid="documents"' in page
    assert "<img" not in page.split('data-testid="documents"')[1].split("</ul>")[0]  # a PDF is not shown as a photo
    text = text_of(client.get(link).getvalue())
    assert "李龘" in text and document.number in text


def test_a_notice_the_font_cannot_print_is_refused_on_the_form(client, world):
    event = make_event(world)
    client.force_login(world.leader_a)
    page = client.post(reverse("events:act", args=[event.case_id, "notice"]), {"level": "red", "text": "请王𠀀反馈"}).content.decode()
    assert "「𠀀」(U+20000)" in page and 'data-field-error="text"' in page
    assert not Document.objects.exists() and Case.objects.get(pk=event.case_id).alert == ""


def test_the_pdf_url_serves_the_stored_bytes_with_safe_headers(client, world):
    document = issue(world, make_task(world).case)
    client.force_login(world.leader_a)

    response = client.get(reverse("workbench:document_pdf", args=[document.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith("inline; filename*=utf-8''") and "%E7%9D%A3%E5%8A%9E%E5%8D%95" in response["Content-Disposition"]
    assert int(response["Content-Length"]) == document.attachment.blob.size == len(response.getvalue())


def test_another_township_gets_404_by_url_and_by_api(client, api, world):  # noqa: F811
    task = make_task(world)
    document = issue(world, task.case)

    client.force_login(world.leader_b)
    assert client.get(reverse("workbench:document_pdf", args=[document.pk])).status_code == 404
    assert client.get(reverse("workbench:document_pdf", args=[document.pk + 1000])).status_code == 404

    for path in (f"/api/documents/{document.pk}/pdf", f"/api/cases/{task.case_id}/documents"):
        response = api.as_("leader_b").get(path)
        assert response.status_code == 404
        assert set(response.json()) == {"code", "message", "fields"} and "辖区" in response.json()["message"]
    assert api.as_("liaison").get(f"/api/documents/{document.pk}/pdf").status_code == 404


def test_the_api_lists_a_cases_documents_and_serves_each_pdf(api, world):  # noqa: F811
    task = make_task(world)
    first, second = issue(world, task.case), issue(world, task.case, "再次督办")

    listing = api.as_("clerk_a").get(f"/api/cases/{task.case_id}/documents").json()

    assert listing["count"] == 2 and [item["number"] for item in listing["items"]] == [second.number, first.number]
    item = listing["items"][0]
    assert item["kind"] == NOTICE and item["kind_label"] == "督办单" and item["unit_name"] == "甲镇人民政府"
    assert item["sha256"] == second.attachment.blob_id and item["pdf_url"] == f"/api/documents/{second.pk}/pdf"
    pdf = api.get(item["pdf_url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf["Cache-Control"] == "private, no-store"
    assert "再次督办" in text_of(pdf.getvalue())


def test_the_documents_list_runs_a_fixed_number_of_queries(api, world):  # noqa: F811
    task = make_task(world)
    issue(world, task.case)
    api.as_("leader_a").get(f"/api/cases/{task.case_id}/documents")  # warm the token and reach

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get(f"/api/cases/{task.case_id}/documents").status_code == 200
        return len(queries)

    small = count()
    for _ in range(4):
        issue(world, task.case)
    assert count() == small


# ---- templates ---------------------------------------------------------------------------------


def test_template_pages_are_for_the_county_administrator_only(client, world):
    pages = [
        reverse("workbench:document_templates"),
        reverse("workbench:document_template", args=[NOTICE]),
        reverse("workbench:document_template_preview", args=[NOTICE]),
    ]
    for user in (world.leader_a, world.dispatcher_a, world.liaison):
        client.force_login(user)
        for url in pages:
            assert client.get(url).status_code == 403
        assert client.post(pages[1], {"title": "督办单", "body": "改了"}).status_code == 403
    assert not DocumentTemplate.objects.exists()

    client.force_login(world.county_admin)
    listing = client.get(pages[0]).content.decode()
    assert "督办单" in listing and "默认模板" in listing and "柳湾督〔2026〕第3号" in listing
    preview = client.get(pages[2])  # the wording in force, as a sample
    assert preview["Content-Type"] == "application/pdf" and "请于今日下班前反馈办理进展" in text_of(preview.content)
    assert "文书模板" in client.get(reverse("workbench:home")).content.decode()  # in the navigation


def test_the_administrator_edits_previews_and_resets_a_template(client, world):
    client.force_login(world.county_admin)
    url = reverse("workbench:document_template", args=[NOTICE])
    assert "{handlers}" in client.get(url).content.decode()

    refused = client.post(url, {"title": "督办单", "body": "{handlers}{case.__class__}", "version": ""}).content.decode()
    assert "模板中有未知的占位符：{case.__class__}" in refused and not DocumentTemplate.objects.exists()

    preview = client.post(reverse("workbench:document_template_preview", args=[NOTICE]), {"title": "专项督办单", "body": "\u3000\u3000{requirement}"})
    assert preview["Content-Type"] == "application/pdf" and preview["Cache-Control"] == "private, no-store"
    assert "专项督办单" in text_of(preview.content) and "样稿" in text_of(preview.content)
    assert not DocumentTemplate.objects.exists()

    assert client.post(url, {"title": "专项督办单", "body": "\u3000\u3000{requirement}", "version": ""}).status_code == 302
    saved = DocumentTemplate.objects.get()
    assert saved.body == "\u3000\u3000{requirement}" and saved.version == 1  # the indent survives the form
    stale = client.post(url, {"title": "别的", "body": "别的", "version": ""}).content.decode()
    assert "该模板刚被他人修改" in stale

    assert client.post(reverse("workbench:document_template_reset", args=[NOTICE])).status_code == 302
    assert not DocumentTemplate.objects.exists()
    assert client.get(reverse("workbench:document_template", args=["no_such_kind"])).status_code == 404
