"""Part 3 through the API and the case page: the notice, statements and hearing as officers use
them, another township's officer refused (404), bad input answered in Chinese (400), and the
panel's reads a fixed number of queries."""


import pytest

from zhenjie.enforcement.actions import hearing as actions
from zhenjie.enforcement.models import Hearing, PenaltyNotice, Statement
from zhenjie.enforcement.workflow import State
from zhenjie.kernel.models import Case, Document
from zhenjie.testing import Api

pytestmark = pytest.mark.django_db


NOTICE = {"penalty_kinds": ["fine"], "fine_amount": "20000", "facts": "未经批准擅自搭建彩钢棚120平方米。"}


def test_an_officer_notifies_hears_and_submits_through_the_api(ew, case, api, clock):
    clock(2026, 9, 30, 10)
    answer = api.as_("officer_a1").post(f"/api/enforcement/{case.case_id}/notice", NOTICE)
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["reply_until"] == "2026-10-13" and body["hearing_right"] is True
    assert body["document"]["number"] == "甲镇综执告〔2026〕第1号"
    pdf = api.get(body["document"]["pdf_url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"

    statement = api.post(f"/api/enforcement/{case.case_id}/statements", {"channel": "oral", "content": "罚款过重"}).json()
    answered = api.post(
        f"/api/enforcement/{case.case_id}/statements/{statement['id']}/answer", {"adopted": False, "answer": "证据充分"}
    )
    assert answered.status_code == 200 and answered.json()["adopted"] is False

    clock(2026, 10, 13, 16)
    assert api.post(f"/api/enforcement/{case.case_id}/hearing", {"channel": "written"}).status_code == 201
    clock(2026, 10, 13, 17)
    scheduled = api.post(f"/api/enforcement/{case.case_id}/hearing/schedule",
                         {"scheduled_at": "2026-10-22T09:30:00+08:00", "place": "甲镇人民政府三楼会议室", "presiding_id": ew.reviewer_a.pk})  # fmt: skip
    assert scheduled.status_code == 200, scheduled.json()
    assert scheduled.json()["hearing"]["document"]["number"] == "甲镇综执听〔2026〕第1号"

    clock(2026, 10, 22, 11)
    api.post(f"/api/enforcement/{case.case_id}/hearing/record", {"outcome": "held", "attendees": "李建国", "summary": "无新证据"})
    refused = api.post(f"/api/enforcement/{case.case_id}/ready")
    assert refused.status_code == 409 and "第五十八条" in refused.json()["message"]
    taken = api.post(f"/api/enforcement/{case.case_id}/submit_review")
    assert taken.status_code == 200 and taken.json()["state"] == State.REVIEWING


def test_a_late_request_over_the_api_is_a_409_naming_the_day(ew, case, api, clock):
    clock(2026, 9, 30, 10)
    api.as_("officer_a1").post(f"/api/enforcement/{case.case_id}/notice", NOTICE)
    clock(2026, 10, 14, 9)

    answer = api.post(f"/api/enforcement/{case.case_id}/request_hearing", {"channel": "oral"})  # the kit's step endpoint

    assert answer.status_code == 409 and "2026年10月13日届满" in answer.json()["message"]
    assert Case.objects.get(pk=case.case_id).state == State.NOTIFIED


def test_township_b_officer_gets_404_on_every_hearing_endpoint(ew, case, api, clock):
    clock(2026, 9, 30, 10)
    actions.notify_party(ew.officer_a1, case, actions.IntendedPenalty(kinds=["fine"], fine_amount="20000", facts="违建"))
    b = api.as_("officer_b1")
    for path, body in (
        ("notice", NOTICE), ("statements", {"channel": "oral", "content": "不服"}), ("waiver", {"waiver": "放弃"}),
        ("hearing", {"channel": "oral"}), ("submit_review", {}),
    ):  # fmt: skip
        answer = b.post(f"/api/enforcement/{case.case_id}/{path}", body)
        assert answer.status_code == 404, path
        assert answer.json()["message"] == "执法案件不存在或不在您的辖区内"
    assert b.get(f"/api/enforcement/{case.case_id}/hearing").status_code == 404
    assert PenaltyNotice.objects.count() == 1 and not Statement.objects.exists() and not Hearing.objects.exists()


def test_bad_input_over_the_api_is_a_400_in_chinese_and_writes_nothing(ew, case, api, clock):
    clock(2026, 9, 30, 10)
    a = api.as_("officer_a1")
    for body, field, words in (
        ({**NOTICE, "fine_amount": "abc"}, "fine_amount", "输入有误"),
        ({**NOTICE, "penalty_kinds": ["detention"]}, "penalty_kinds.0", "取值不在允许范围内"),
        ({**NOTICE, "penalty_kinds": "fine"}, "penalty_kinds", "须为列表"),
        ({**NOTICE, "fine_amount": "-3"}, "fine_amount", "须为大于0的金额"),
        ({**NOTICE, "facts": "  "}, "facts", "请填写违法事实"),
        ({"penalty_kinds": ["warning"]}, "facts", "输入有误"),
    ):
        answer = a.post(f"/api/enforcement/{case.case_id}/notice", body)
        assert answer.status_code == 400, body
        assert field in answer.json()["fields"] and words in answer.json()["message"]
    assert not PenaltyNotice.objects.exists() and not Document.objects.exists()

    a.post(f"/api/enforcement/{case.case_id}/notice", NOTICE)
    answer = a.post(f"/api/enforcement/{case.case_id}/statements", {"channel": "oral", "content": "x" * 5001})
    assert answer.status_code == 400
    answer = a.post(f"/api/enforcement/{case.case_id}/statements/99999999/answer", {"adopted": True, "answer": "好"})
    assert answer.status_code == 400 and answer.json()["message"] == "本案当前告知下没有这项陈述申辩"
    answer = a.post(f"/api/enforcement/{case.case_id}/hearing", {"channel": "fax"})
    assert answer.status_code == 400 and answer.json()["fields"] == {"channel": "请选择有效的申请方式"}
    assert not Statement.objects.exists() and not Hearing.objects.exists()


def test_the_hearing_read_costs_the_same_with_many_statements(ew, case, api, clock, django_assert_max_num_queries):
    clock(2026, 9, 30, 10)
    a = api.as_("officer_a1")
    a.post(f"/api/enforcement/{case.case_id}/notice", NOTICE)
    notice = PenaltyNotice.objects.get()
    Statement.objects.create(notice=notice, made_at=notice.notified_at, channel="oral", content="一", recorded_by=ew.officer_a1)
    a.get(f"/api/enforcement/{case.case_id}/hearing")  # the token's first use is not the read's cost
    with django_assert_max_num_queries(20) as few:
        assert a.get(f"/api/enforcement/{case.case_id}/hearing").status_code == 200
    Statement.objects.bulk_create(
        Statement(notice=notice, made_at=notice.notified_at, channel="written", content=f"第{n}项", recorded_by=ew.officer_a2,
                  adopted=False, answer="不采纳", answered_by=ew.officer_a1, answered_at=notice.notified_at)
        for n in range(20)
    )  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        answer = a.get(f"/api/enforcement/{case.case_id}/hearing")
    assert len(answer.json()["statements"]) == 21


# ---- the case page ------------------------------------------------------------------------------


def test_the_case_page_shows_the_notice_and_takes_a_statement_and_its_answer(ew, case, client, clock):
    clock(2026, 9, 30, 10)
    client.force_login(ew.officer_a1)
    posted = client.post(f"/enforcement/{case.case_id}/notify/", {"penalty_kinds": ["fine", "confiscate_gains"], "fine_amount": "20000",
                                                                  "confiscation_value": "3000", "facts": "擅自搭建<script>x</script>"})  # fmt: skip
    assert posted.status_code == 302

    page = client.get(f"/enforcement/{case.case_id}/").content.decode()
    assert "甲镇综执告〔2026〕第1号" in page and "至2026-10-13" in page
    assert "罚款人民币20000.00元；没收违法所得(金额或价值人民币3000.00元)" in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x</script>" not in page
    assert 'data-testid="hearing-form-record_statement"' in page and 'data-testid="hearing-form-schedule_hearing"' not in page

    client.post(f"/enforcement/{case.case_id}/record_statement/", {"channel": "written", "content": "已拆除一半"})
    statement = Statement.objects.get()
    refused = client.post(
        f"/enforcement/{case.case_id}/answer_statement/", {"statement": statement.pk, "adopted": "no", "answer": ""}
    )
    assert refused.status_code == 200 and Statement.objects.get().adopted is None
    client.post(
        f"/enforcement/{case.case_id}/answer_statement/", {"statement": statement.pk, "adopted": "yes", "answer": "已核实，采纳"}
    )

    page = client.get(f"/enforcement/{case.case_id}/").content.decode()
    assert "已拆除一半" in page and "已核实，采纳" in page


def test_the_notice_form_on_the_case_page_starts_from_the_cases_facts(ew, case, client):
    client.force_login(ew.officer_a1)
    page = client.get(f"/enforcement/{case.case_id}/").content.decode()
    form = page[page.index(f'action="/enforcement/{case.case_id}/notify/"') :]
    assert f"{case.facts}</textarea>" in form[: form.index("</form>")]


def test_a_refused_step_on_the_page_shows_the_reason(ew, case, client, clock):
    clock(2026, 9, 30, 10)
    actions.notify_party(ew.officer_a1, case, actions.IntendedPenalty(kinds=["fine"], fine_amount="500", facts="违建"))
    client.force_login(ew.officer_a1)

    page = client.post(f"/enforcement/{case.case_id}/ready/").content.decode()

    assert "当事人陈述、申辩的期限至2026年10月13日届满，届满前不能提请决定" in page
    assert Case.objects.get(pk=case.case_id).state == State.NOTIFIED


def test_township_b_officer_gets_404_on_the_page_steps(ew, case, client, clock):
    clock(2026, 9, 30, 10)
    client.force_login(ew.officer_b1)
    assert client.get(f"/enforcement/{case.case_id}/").status_code == 404
    assert client.post(f"/enforcement/{case.case_id}/notify/", {"penalty_kinds": ["warning"], "facts": "违建"}).status_code == 404
    assert not PenaltyNotice.objects.exists()


def test_the_county_administrator_sets_the_threshold_and_an_officer_may_not(ew, case, client, clock):
    api = Api(client)
    assert (
        api.as_("officer_a1").post("/api/enforcement/hearing-thresholds", {"party_kind": "person", "amount": "5000"}).status_code
        == 403
    )
    answer = api.as_("county_admin").post("/api/enforcement/hearing-thresholds", {"party_kind": "person", "amount": "5000"})
    assert answer.status_code == 200
    assert {r["party_kind"]: (r["amount"], r["is_default"]) for r in answer.json()} == {"person": ("5000.00", False),
                                                                                         "organisation": ("100000", True)}  # fmt: skip
    bad = api.post("/api/enforcement/hearing-thresholds", {"party_kind": "alien", "amount": "5000"})
    assert bad.status_code == 400 and bad.json()["fields"] == {"party_kind": "请选择有效的当事人类型"}

    notice = actions.notify_party(ew.officer_a1, case, actions.IntendedPenalty(kinds=["fine"], fine_amount="5000", facts="违建"))
    assert notice.hearing_right  # ¥5,000 now reaches the county's own figure
