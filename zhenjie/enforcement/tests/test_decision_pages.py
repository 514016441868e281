"""Review and decision on the pages and the API: the county's benchmark pages (list, add, edit,
Excel) with a fixed number of queries, the decision endpoints refusing bad input in Chinese and
writing nothing, township B answered 404, and the papers served as numbered PDFs."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhenjie.enforcement.models import DiscretionBenchmark, LegalReview, PenaltyDecision
from zhenjie.enforcement.policy import DEFAULTS
from zhenjie.enforcement.testing import REVIEW_CHECKS, make_benchmark, make_enforcement_case
from zhenjie.enforcement.workflow import State
from zhenjie.kernel.models import Case, Document, JournalEntry
from zhenjie.testing import Api

pytestmark = pytest.mark.django_db

def form(**values) -> dict:
    return {
        "power_code": "CF001",
        "circumstance": "从轻",
        "fine_min": "500",
        "fine_max": "1000",
        "source_document": "测试县裁量基准(2026)",
    } | values


def test_the_county_administrator_adds_and_edits_a_benchmark_and_officers_only_read_it(ew, client):
    client.force_login(ew.world.county_admin)
    assert client.post(reverse("enforcement_benchmarks:new"), form()).status_code == 302
    row = DiscretionBenchmark.objects.get()
    assert (row.fine_min, row.fine_max, row.county_id) == (Decimal("500.00"), Decimal("1000.00"), ew.world.county.pk)
    page = client.post(reverse("enforcement_benchmarks:edit", args=[row.pk]), form(fine_min="2000")).content.decode()
    assert "罚款下限不能高于上限" in page
    assert client.post(reverse("enforcement_benchmarks:edit", args=[row.pk]), form(fine_max="1500")).status_code == 302
    row.refresh_from_db()
    assert row.fine_max == Decimal("1500.00")

    client.force_login(ew.officer_a1)
    listing = client.get(reverse("enforcement_benchmarks:list")).content.decode()
    assert "从轻" in listing and "添加裁量基准" not in listing
    client.post(reverse("enforcement_benchmarks:new"), form(circumstance="从重"))
    assert DiscretionBenchmark.objects.count() == 1
    answer = client.get(reverse("enforcement_benchmarks:list"), {"format": "xlsx"})
    assert answer.status_code == 200 and "spreadsheet" in answer["Content-Type"]


def test_a_duplicate_circumstance_and_text_for_an_amount_are_refused_on_the_page(ew, client):
    make_benchmark(ew, circumstance="从轻")
    client.force_login(ew.world.county_admin)
    assert "已有情节为「从轻」" in client.post(reverse("enforcement_benchmarks:new"), form()).content.decode()
    assert (
        "罚款上限须为金额"
        in client.post(reverse("enforcement_benchmarks:new"), form(circumstance="一般", fine_max="五百")).content.decode()
    )
    assert DiscretionBenchmark.objects.count() == 1


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_benchmark_list_runs_the_same_queries_at_three_and_thirty_rows(ew, client):
    client.force_login(ew.officer_a1)
    for n in range(3):
        make_benchmark(ew, code=f"CF{n:03d}")
    few = _queries(client, reverse("enforcement_benchmarks:list"))
    for n in range(3, 30):
        make_benchmark(ew, code=f"CF{n:03d}")
    assert _queries(client, reverse("enforcement_benchmarks:list")) == few
    api = Api(client).as_("officer_a1")
    with CaptureQueriesContext(connection) as captured:
        assert api.get("/api/enforcement/benchmarks").json()["count"] == 30
    assert len(captured) <= few + 2


def test_the_api_refuses_bad_decisions_in_chinese_and_writes_nothing(ew, client):
    case = make_enforcement_case(ew, state=State.DECIDING)
    own, other = make_benchmark(ew), make_benchmark(ew, code="CF002")
    api = Api(client).as_("leader_a")
    url = f"/api/enforcement/{case.case_id}/decide"
    body = {"kinds": ["fine"], "fine_amount": "3000", "benchmark_id": own.pk, "reasons": "初次违法"}
    for change, field, words in [
        ({"fine_amount": -100}, "fine_amount", "大于0"),
        ({"fine_amount": "三千元"}, "fine_amount", "须为金额"),
        ({"benchmark_id": 999999}, "benchmark_id", "不存在"),
        ({"benchmark_id": other.pk}, "benchmark_id", "属于事项CF002"),
        ({"kinds": ["detention"]}, "kinds", "处罚种类须为"),
        ({"fine_amount": "9000"}, "fine_amount", "超出裁量基准"),
    ]:
        answer = api.post(url, body | change)
        assert answer.status_code == 400, change
        assert words in answer.json()["message"] and field in answer.json()["fields"]
    assert api.post(url, body | {"fine_amount": ["3000"]}).status_code in (400, 422)
    assert not PenaltyDecision.objects.exists() and not Document.objects.exists()
    assert Case.objects.get(pk=case.case_id).state == State.DECIDING

    answer = api.post(url, body)
    assert answer.status_code == 200 and answer.json()["decision"]["fine_amount"] == "3000.00"
    case_out = api.get(f"/api/enforcement/{case.case_id}").json()
    assert case_out["state"] == State.DECIDED


def test_township_b_gets_404_on_as_decision_benchmark_and_review_endpoints(ew, client):
    case = make_enforcement_case(ew, state=State.DECIDING)
    own = make_benchmark(ew)
    reviewing = make_enforcement_case(ew, state=State.REVIEWING)
    api = Api(client).as_("leader_b")
    body = {"kinds": ["fine"], "fine_amount": "3000", "benchmark_id": own.pk, "reasons": "初次违法"}
    assert api.post(f"/api/enforcement/{case.case_id}/decide", body).status_code == 404
    assert api.get(f"/api/enforcement/{case.case_id}/decision").status_code == 404
    api.as_("reviewer_b")
    assert api.post(f"/api/enforcement/{reviewing.case_id}/review_pass", REVIEW_CHECKS | {"opinion": "同意"}).status_code == 404
    client.force_login(ew.world.leader_b)
    assert (
        client.post(
            reverse("enforcement:act", args=[case.case_id, "decide"]), {"kinds": ["warning"], "reasons": "无"}
        ).status_code
        == 404
    )
    assert not PenaltyDecision.objects.exists() and not LegalReview.objects.exists()
    put = client.put(f"/api/enforcement/benchmarks/{own.pk}", json.dumps({"power_code": "CF001", "circumstance": "一般", "fine_min": 1,
                     "fine_max": 2, "source_document": "x"}), content_type="application/json", **Api(client).as_("officer_b1").headers)  # fmt: skip
    assert put.status_code == 403


def test_the_reviewer_passes_on_the_page_and_the_leader_decides_and_both_papers_are_numbered_pdfs(ew, client):
    case = make_enforcement_case(ew, state=State.REVIEWING, is_major=True)
    own = make_benchmark(ew)
    client.force_login(ew.reviewer_a)
    page = client.get(reverse("enforcement:detail", args=[case.case_id])).content.decode()
    assert "审核通过" in page and "审核退回" in page
    answer = client.post(
        reverse("enforcement:act", args=[case.case_id, "review_pass"]), {**dict.fromkeys(REVIEW_CHECKS, "on"), "opinion": "同意"}
    )
    assert answer.status_code == 302

    client.force_login(ew.leader_a)
    page = client.get(reverse("enforcement:detail", args=[case.case_id])).content.decode()
    assert "法制审核通过" in page
    assert "一般：1000.00元至5000.00元" in page, page[page.find("benchmark_id") :][:600]
    answer = client.post(reverse("enforcement:act", args=[case.case_id, "decide"]),
                         {"kinds": ["fine"], "fine_amount": "2500", "benchmark_id": own.pk, "reasons": "初次违法，配合调查"})  # fmt: skip
    assert answer.status_code == 302
    page = client.get(reverse("enforcement:detail", args=[case.case_id])).content.decode()
    assert "罚款2500.00元" in page and "甲镇综执决〔" in page
    for document in Document.objects.filter(case_id=case.case_id):
        pdf = client.get(reverse("workbench:document_pdf", args=[document.pk]))
        assert (
            pdf.status_code == 200
            and pdf["Content-Type"] == "application/pdf"
            and b"".join(pdf.streaming_content if pdf.streaming else [pdf.content])[:4] == b"%PDF"
        )
    assert sorted(Document.objects.values_list("kind", flat=True)) == [
        "enforcement_penalty_decision",
        "enforcement_review_opinion",
    ]


def test_the_leader_is_told_on_the_page_why_a_late_case_cannot_be_decided_and_the_officer_asks_for_time(ew, client):
    from datetime import timedelta

    from django.utils import timezone

    case = make_enforcement_case(ew, state=State.DECIDING)
    Case.objects.filter(pk=case.case_id).update(due_at=timezone.now() - timedelta(days=1))
    client.force_login(ew.leader_a)
    page = client.post(
        reverse("enforcement:act", args=[case.case_id, "decide"]), {"kinds": ["warning"], "reasons": "情节轻微"}
    ).content.decode()
    assert "第六十条" in page
    client.force_login(ew.officer_a1)
    page = client.get(reverse("enforcement:detail", args=[case.case_id])).content.decode()
    assert "申请延长办案期限" in page
    api = Api(client).as_("officer_a1")
    assert api.post(f"/api/enforcement/{case.case_id}/request_extension", {"amount": 31, "reason": "鉴定"}).status_code == 400
    assert api.post(f"/api/enforcement/{case.case_id}/request_extension", {"amount": 10, "reason": "鉴定"}).status_code == 200
    api.as_("leader_a")
    assert api.post(f"/api/enforcement/{case.case_id}/decide_extension", {"approve": True}).status_code == 200
    assert api.post(f"/api/enforcement/{case.case_id}/decide", {"kinds": ["warning"], "reasons": "情节轻微"}).status_code == 200


def test_the_county_sets_the_extension_limit_on_the_page_and_the_approval_keeps_to_it(ew, client):
    client.force_login(ew.world.county_admin)
    listing = client.get(reverse("enforcement_benchmarks:list")).content.decode()
    assert "<strong>30</strong>" in listing and reverse("enforcement:settings") in listing  # edited on 执法设置
    too_long = client.post(reverse("enforcement:settings"), {**DEFAULTS, "version": 1, "extension_max_days": "91"})
    assert too_long.status_code == 400 and "办案期限延长上限须在0至90日之间" in too_long.content.decode()
    assert client.post(reverse("enforcement:settings"), {**DEFAULTS, "version": 1, "extension_max_days": "10"}).status_code == 302
    assert JournalEntry.objects.get(verb="settings.enforcement").data["after"]["extension_max_days"] == 10
    client.force_login(ew.officer_a1)
    assert client.post(reverse("enforcement:settings"), {**DEFAULTS, "version": 2, "extension_max_days": "60"}).status_code == 403
    listing = client.get(reverse("enforcement_benchmarks:list")).content.decode()
    assert "<strong>10</strong>" in listing and reverse("enforcement:settings") not in listing

    case = make_enforcement_case(ew, state=State.INVESTIGATING)
    api = Api(client).as_("officer_a1")
    assert api.post(f"/api/enforcement/{case.case_id}/request_extension", {"amount": 15, "reason": "鉴定"}).status_code == 200
    answer = Api(client).as_("leader_a").post(f"/api/enforcement/{case.case_id}/decide_extension", {"approve": True})
    assert answer.status_code == 400 and "最多延长10日" in answer.json()["message"]


def test_the_leader_denies_an_extension_on_the_page(ew, client):
    case = make_enforcement_case(ew, state=State.INVESTIGATING)
    assert (
        Api(client)
        .as_("officer_a1")
        .post(f"/api/enforcement/{case.case_id}/request_extension", {"amount": 10, "reason": "鉴定"})
        .status_code
        == 200
    )
    client.force_login(ew.leader_a)
    assert "不批准" in client.get(reverse("enforcement:detail", args=[case.case_id])).content.decode()
    assert (
        client.post(
            reverse("enforcement:act", args=[case.case_id, "decide_extension"]), {"approve": "no", "note": "理由不充分"}
        ).status_code
        == 302
    )
    assert Case.objects.get(pk=case.case_id).extended_amount == 0
