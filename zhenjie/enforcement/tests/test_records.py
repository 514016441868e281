"""The documents of registration and investigation (立案审批表, 现场检查笔录, 询问笔录) and the case
page's evidence panel, form and timeline: each document a numbered Chinese PDF, numbers gapless per
team and year, another township's officer refused on the page and the API, bad evidence input
refused in Chinese with nothing written, the case page's queries fixed whatever the evidence."""

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from zhenjie.enforcement import documents
from zhenjie.enforcement.actions.evidence import Upload, record_evidence
from zhenjie.enforcement.actions.lifecycle import Lead, open_lead, register_case
from zhenjie.enforcement.models import Certificate, EnforcementCase, Evidence, EvidenceKind
from zhenjie.enforcement.testing import make_enforcement_case
from zhenjie.enforcement.workflow import State
from zhenjie.kernel.attachments import open_blob
from zhenjie.kernel.errors import Conflict, NotFound
from zhenjie.kernel.models import Document, JournalEntry
from zhenjie.testing import Api, citizen_id, png

pytestmark = pytest.mark.django_db


def investigating(ew, **options):
    """A registered case whose lead was found yesterday: evidence taken this minute comes after it."""
    enforcement = make_enforcement_case(ew, state=State.INVESTIGATING, **options)
    EnforcementCase.objects.filter(pk=enforcement.pk).update(discovered_at=timezone.now() - timedelta(days=1))
    enforcement.refresh_from_db()
    return enforcement


@pytest.fixture
def case(ew):
    return investigating(ew)


def pdf_text(document: Document) -> str:
    with open_blob(document.attachment.blob) as f:
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(f.read())).pages)


def flat(text: str) -> str:
    return "".join(text.split())


def inspection(ew, case, **changes):
    fields = {
        "kind": EvidenceKind.INSPECTION_RECORD, "title": "现场检查笔录", "taken_at": timezone.now() - timedelta(minutes=5),
        "place": "甲一村村口", "officers": [ew.officer_a1, ew.officer_a2],
        "record": {"subject": "李建国彩钢棚", "present": "李建国(当事人)", "findings": "现场有彩钢棚一处，约30平方米，未见规划许可。"},
    } | changes  # fmt: skip
    return record_evidence(ew.officer_a1, case, **fields)


def interview(ew, case):
    return record_evidence(
        ew.officer_a1, case, kind=EvidenceKind.INTERVIEW_RECORD, title="询问李建国", taken_at=timezone.now() - timedelta(minutes=3),
        place="甲镇综合行政执法队询问室", officers=[ew.officer_a1, ew.officer_a2],
        record={"interviewee": "李建国", "capacity": "当事人",
                "questions": [{"q": "彩钢棚是谁搭建的？", "a": "是我自己搭建的。"}, {"q": "是否办理规划许可？", "a": "没有办理。"}]},
    )  # fmt: skip


def lead(**changes) -> Lead:
    values = {
        "source": "patrol", "title": "擅自搭建彩钢棚", "place": "甲一村村口", "facts": "巡查发现未经批准搭建彩钢棚。",
        "occurred_on": timezone.localdate() - timedelta(days=10), "party_kind": "person", "party_name": "李建国",
        "id_number": citizen_id(3), "phone": "13900139000",
    } | changes  # fmt: skip
    return Lead(**values)


# ---- the documents ---------------------------------------------------------------------------


def test_registration_issues_the_registration_form_with_power_basis_competence_and_limitation(ew):
    enforcement = register_case(ew.officer_a1, open_lead(ew.officer_a1, lead()), "CF001")

    form = Document.objects.get(case_id=enforcement.case_id, kind=documents.REGISTRATION_FORM)
    year = timezone.localdate().year
    assert form.number == f"甲镇综执立〔{year}〕第1号" and form.unit == ew.team_a
    text = flat(pdf_text(form))
    assert "立案审批表" in text and flat(form.number) in text and flat(enforcement.case.number) in text
    assert "CF001对违法建设行为的行政处罚1" in text and "城乡规划法" in text
    assert "列入甲镇权责清单" in text  # the basis of the township's competence
    assert "追责时效2年" in text and "未超过追责时效" in text
    assert "李建国" in text and citizen_id(3) not in text  # the party named, the ID number masked
    assert "负责人审批意见" in text and "负责人签名" in text
    # Asked again (the button), the same form comes back: one number per case.
    assert documents.issue_registration_form(ew.officer_a1, enforcement) == form
    assert Document.objects.filter(kind=documents.REGISTRATION_FORM).count() == 1


def test_a_lead_has_no_registration_form_and_the_page_offers_one_for_a_registered_case_without(ew, client):
    lead_case = make_enforcement_case(ew)
    with pytest.raises(Conflict, match="案件尚未立案"):
        documents.issue_registration_form(ew.officer_a1, lead_case)

    registered = make_enforcement_case(ew, state=State.INVESTIGATING)  # registered by the builder, without its form
    client.force_login(ew.officer_a1)
    page = client.get(reverse("enforcement:detail", args=[registered.case_id])).content.decode()
    assert 'data-testid="issue-registration-form"' in page
    answer = client.post(reverse("enforcement:registration_form", args=[registered.case_id]))
    form = Document.objects.get(case_id=registered.case_id, kind=documents.REGISTRATION_FORM)
    assert answer.status_code == 302 and answer.url == reverse("workbench:document_pdf", args=[form.pk])
    page = client.get(reverse("enforcement:detail", args=[registered.case_id])).content.decode()
    assert 'data-testid="issue-registration-form"' not in page and form.number in page


def test_the_inspection_record_prints_what_was_found_the_officers_certificates_and_signature_lines(ew, case):
    evidence = inspection(ew, case)

    paper = documents.issue_record_paper(ew.officer_a2, evidence)
    year = timezone.localdate().year
    assert paper.number == f"甲镇综执检〔{year}〕第1号"
    text = flat(pdf_text(paper))
    assert "现场检查笔录" in text and flat(paper.number) in text
    assert "李建国彩钢棚" in text and "约30平方米" in text and "李建国(当事人)" in text
    assert "officer_a1(执法证号：37990001)" in text and "officer_a2(执法证号：37990002)" in text
    assert "当事人(见证人)签名" in text and "执法人员签名" in text
    # One paper per record: printing again gives the same number.
    assert documents.issue_record_paper(ew.officer_a1, evidence) == paper
    assert Evidence.objects.get(pk=evidence.pk).paper == paper


def test_the_interview_record_prints_each_question_and_answer_in_order(ew, case):
    paper = documents.issue_record_paper(ew.officer_a1, interview(ew, case))

    assert paper.number.startswith("甲镇综执询〔")
    text = flat(pdf_text(paper))
    assert "询问笔录" in text and "被询问人：李建国" in text and "身份：当事人" in text
    assert text.index("问：彩钢棚是谁搭建的？") < text.index("答：是我自己搭建的。") < text.index("问：是否办理规划许可？")
    assert "以上笔录我已看过" in text and "被询问人签名" in text


def test_a_revoked_certificate_later_does_not_change_the_number_the_record_shows(ew, case):
    evidence = inspection(ew, case)
    Certificate.objects.filter(officer=ew.officer_a2).update(revoked_at=timezone.now())

    assert "officer_a2(执法证号：37990002)" in flat(pdf_text(documents.issue_record_paper(ew.officer_a1, evidence)))


def test_numbers_are_gapless_per_team_and_year_and_each_township_counts_its_own(ew, case):
    other = investigating(ew)
    b_case = investigating(ew, township=ew.world.b)
    papers = [documents.issue_record_paper(ew.officer_a1, inspection(ew, c)) for c in (case, other, case)]
    b_paper = documents.issue_record_paper(ew.officer_b1, record_evidence(
        ew.officer_b1, b_case, kind=EvidenceKind.INSPECTION_RECORD, title="现场检查笔录", taken_at=timezone.now(), place="乙一村",
        officers=[ew.officer_b1, ew.officer_b2], record={"subject": "某商户", "findings": "占道经营。"},
    ))  # fmt: skip
    forms = [documents.issue_registration_form(ew.officer_a1, c) for c in (case, other)]

    year = timezone.localdate().year
    assert [p.number for p in papers] == [f"甲镇综执检〔{year}〕第{n}号" for n in (1, 2, 3)]
    assert b_paper.number == f"乙镇综执检〔{year}〕第1号" and b_paper.unit == ew.team_b
    assert [f.number for f in forms] == [f"甲镇综执立〔{year}〕第{n}号" for n in (1, 2)]  # its own series


def test_a_paper_refused_takes_no_number(ew, case):
    photo = record_evidence(ew.officer_a1, case, kind=EvidenceKind.PHOTO, title="现场照片", taken_at=timezone.now(), place="甲一村",
                            officers=[ew.officer_a1, ew.officer_a2], file=Upload(png(), "现场.png"))  # fmt: skip
    with pytest.raises(Conflict, match="不是笔录"):
        documents.issue_record_paper(ew.officer_a1, photo)
    with pytest.raises(NotFound):  # another township's officer
        documents.issue_record_paper(ew.officer_b1, inspection(ew, case))

    assert not Document.objects.exists()
    year = timezone.localdate().year
    assert (
        documents.issue_record_paper(ew.officer_a1, Evidence.objects.get(kind=EvidenceKind.INSPECTION_RECORD)).number
        == f"甲镇综执检〔{year}〕第1号"
    )


def test_another_townships_officer_cannot_fetch_or_issue_a_document_on_the_page_or_the_api(ew, case, client):
    evidence = inspection(ew, case)
    paper = documents.issue_record_paper(ew.officer_a1, evidence)
    form = documents.issue_registration_form(ew.officer_a1, case)

    client.force_login(ew.officer_b1)
    assert client.get(reverse("workbench:document_pdf", args=[paper.pk])).status_code == 404
    assert client.get(reverse("workbench:document_pdf", args=[form.pk])).status_code == 404
    assert client.post(reverse("enforcement:registration_form", args=[case.case_id])).status_code == 404
    assert client.post(reverse("enforcement:record_paper", args=[case.case_id, evidence.pk])).status_code == 404

    api = Api(client).as_("officer_b1")
    assert api.get(f"/api/documents/{paper.pk}/pdf").status_code == 404
    assert api.get(f"/api/enforcement/{case.case_id}/documents").status_code == 404
    assert api.post(f"/api/enforcement/{case.case_id}/registration-form").status_code == 404
    assert api.post(f"/api/enforcement/{case.case_id}/evidence/{evidence.pk}/paper").status_code == 404
    assert Document.objects.count() == 2

    own = Api(client).as_("officer_a2")
    listed = own.get(f"/api/enforcement/{case.case_id}/documents").json()
    assert {d["number"] for d in listed["items"]} == {paper.number, form.number}
    listed = own.get(f"/api/enforcement/{case.case_id}/evidence").json()["items"][0]
    assert listed["paper_id"] == paper.pk and listed["certificates"] == {
        str(ew.officer_a1.pk): "37990001",
        str(ew.officer_a2.pk): "37990002",
    }
    again = own.post(f"/api/enforcement/{case.case_id}/evidence/{evidence.pk}/paper")
    assert again.status_code == 200 and again.json()["number"] == paper.number
    pdf = own.get(again.json()["pdf_url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_the_api_issues_a_record_paper_and_refuses_a_photo_in_chinese(ew, case, client):
    evidence = interview(ew, case)
    api = Api(client).as_("officer_a1")

    issued = api.post(f"/api/enforcement/{case.case_id}/evidence/{evidence.pk}/paper")
    assert (
        issued.status_code == 200
        and issued.json()["kind"] == documents.INTERVIEW_RECORD
        and issued.json()["number"].startswith("甲镇综执询")
    )
    photo = record_evidence(ew.officer_a1, case, kind=EvidenceKind.PHOTO, title="现场照片", taken_at=timezone.now(), place="甲一村",
                            officers=[ew.officer_a1, ew.officer_a2], file=Upload(png(), "现场.png"))  # fmt: skip
    refused = api.post(f"/api/enforcement/{case.case_id}/evidence/{photo.pk}/paper")
    assert refused.status_code == 409 and "不是笔录" in refused.json()["message"]
    assert api.post(f"/api/enforcement/{case.case_id}/evidence/999999/paper").status_code == 404


# ---- the case page: the evidence panel, the form, the timeline --------------------------------


def test_the_evidence_panel_shows_each_item_with_officers_certificates_hash_and_record(ew, case, client):
    photo = record_evidence(ew.officer_a1, case, kind=EvidenceKind.PHOTO, title="彩钢棚<script>全景", taken_at=timezone.now(),
                            place="甲一村", officers=[ew.officer_a1, ew.officer_a2], file=Upload(png(), "现场.png"))  # fmt: skip
    interview(ew, case)
    client.force_login(ew.officer_a2)

    page = client.get(reverse("enforcement:detail", args=[case.case_id])).content.decode()
    assert "彩钢棚&lt;script&gt;全景" in page and "<script>全景" not in page
    assert f'title="{photo.sha256}"' in page and f"{photo.sha256[:12]}…" in page
    assert reverse("workbench:attachment", args=[photo.attachment_id]) in page
    assert 'officer_a1<span class="text-secondary">(执法证号 37990001)' in page
    assert "问：彩钢棚是谁搭建的？" in page and "答：是我自己搭建的。" in page
    assert 'data-testid="issue-record-paper"' in page and 'data-testid="record-evidence"' in page
    # The timeline: each step with who and when.
    assert "登记证据：询问李建国" in page and "officer_a1" in page


def test_the_case_page_runs_the_same_queries_with_one_and_twenty_evidence_rows(ew, case, client, django_assert_num_queries):
    client.force_login(ew.officer_a1)
    url = reverse("enforcement:detail", args=[case.case_id])
    inspection(ew, case)
    client.get(url)
    # What the user may do is weighed once for the whole page, not once a panel.
    with django_assert_num_queries(24):
        assert client.get(url).status_code == 200
    for n in range(19):
        if n % 2:
            interview(ew, case)
        else:
            documents.issue_record_paper(ew.officer_a1, inspection(ew, case))
    with django_assert_num_queries(24):
        page = client.get(url)
    assert page.content.decode().count('data-testid="evidence"') == 20


def evidence_form(ew, **changes) -> dict:
    return {
        "kind": "interview_record", "title": "询问李建国", "taken_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "place": "询问室", "officers": [str(ew.officer_a1.pk), str(ew.officer_a2.pk)], "interviewee": "李建国", "capacity": "当事人",
        "rows": "3", "q_1": "彩钢棚是谁搭建的？", "a_1": "是我。",
    } | changes  # fmt: skip


def test_an_officer_records_an_interview_on_the_form_adding_question_rows(ew, case, client):
    client.force_login(ew.officer_a1)
    url = reverse("enforcement:evidence", args=[case.case_id])
    form = client.get(url).content.decode()
    assert form.count('data-testid="question-row"') == 3 and "officer_a2(执法证号 37990002)" in form

    more = client.post(url, evidence_form(ew, more="1"))
    assert more.status_code == 200 and more.content.decode().count('data-testid="question-row"') == 6
    assert "彩钢棚是谁搭建的？" in more.content.decode() and not Evidence.objects.exists()  # kept, nothing recorded

    answer = client.post(url, evidence_form(ew, rows="6", q_5="有规划许可吗？", a_5="没有。"))
    assert answer.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.record["questions"] == [{"q": "彩钢棚是谁搭建的？", "a": "是我。"}, {"q": "有规划许可吗？", "a": "没有。"}]
    assert evidence.attachment is None and evidence.certificates == {
        str(ew.officer_a1.pk): "37990001",
        str(ew.officer_a2.pk): "37990002",
    }


@pytest.mark.parametrize("changes, message", [
    ({"officers": []}, "调查取证时执法人员不得少于2人"),
    ("one", "调查取证时执法人员不得少于2人"),
    ("expired", "执法人员officer_a2：执法证 37990002 已于2026年3月1日过期，不能实施执法"),
    ("future", "取证时间不能晚于现在"),
    ({"kind": "photo"}, "请上传证据文件"),
    ({"kind": "photo", "file": "exe"}, "图片、PDF、Word、Excel或MP4视频"),
    ({"kind": "photo", "file": "big"}, "文件过大"),
    ({"questions": "none"}, "询问笔录须至少有一问一答"),
    ({"title": "名" * 201}, "200"),
])  # fmt: skip
def test_bad_evidence_input_is_refused_in_chinese_and_records_nothing(ew, case, client, settings, changes, message):
    Certificate.objects.filter(officer=ew.officer_a2).update(
        valid_from=date(2025, 1, 1), valid_until=date(2026, 3, 1)
    ) if changes == "expired" else None
    settings.ATTACHMENT_MAX_BYTES = {"evidence": 100}
    values = (
        {
            "one": {"officers": [str(ew.officer_a1.pk)]},
            "expired": {},
            "future": {"taken_at": (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")},
        }.get(changes, changes)
        if isinstance(changes, str)
        else dict(changes)
    )
    if values.get("file") == "exe":
        values["file"] = SimpleUploadedFile("virus.exe", b"MZ\x90\x00" + b"\x00" * 60)
    elif values.get("file") == "big":
        values["file"] = SimpleUploadedFile("big.png", png() + b"\x00" * 200)
    if values.pop("questions", None) == "none":
        values |= {"q_1": "", "a_1": ""}
    client.force_login(ew.officer_a1)

    answer = client.post(reverse("enforcement:evidence", args=[case.case_id]), evidence_form(ew, **values))

    assert answer.status_code == 200 and message in answer.content.decode()
    assert not Evidence.objects.exists()
    assert not JournalEntry.objects.filter(verb="enforcement.evidence.record").exists()


def test_another_townships_officer_cannot_open_the_evidence_form_or_record_on_a_case(ew, case, client):
    client.force_login(ew.officer_b1)
    url = reverse("enforcement:evidence", args=[case.case_id])
    assert client.get(url).status_code == 404
    assert client.post(url, evidence_form(ew)).status_code == 404
    assert not Evidence.objects.exists()


def test_a_character_the_font_lacks_in_a_record_prints_as_its_code_point_and_does_not_refuse_the_paper(ew, case):
    evidence = inspection(ew, case, record={"subject": "\U00020000记商店", "findings": "门前堆放杂物。"})

    text = flat(pdf_text(documents.issue_record_paper(ew.officer_a1, evidence)))
    assert "[U+20000]记商店" in text and "门前堆放杂物。" in text


def test_the_countys_wording_of_a_record_is_used_for_papers_issued_after_it(ew, case):
    from zhenjie.kernel.documents import save_template

    body = documents.INSPECTION.default_body.replace("检查情况：", "经现场检查，发现如下情况：")
    save_template(ew.world.county_admin, documents.INSPECTION_RECORD, "现场检查笔录", body)

    text = flat(pdf_text(documents.issue_record_paper(ew.officer_a1, inspection(ew, case))))
    assert "经现场检查，发现如下情况：" in text and "约30平方米" in text


@pytest.mark.parametrize("code", [documents.REGISTRATION_FORM, documents.INSPECTION_RECORD, documents.INTERVIEW_RECORD])
def test_the_county_previews_each_kind_with_its_sample_values(ew, code):
    from zhenjie.kernel.documents import preview_template

    kind = documents.documents.kind_for(code)
    content = preview_template(ew.world.county_admin, code, kind.default_title, kind.default_body)
    text = flat("".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))
    assert kind.label in text and "样稿" in text
