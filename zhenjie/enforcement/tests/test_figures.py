"""执法统计 (part 10): the cases of a period by power and result, on-time decisions, the review
return rate, hearings, transfers answered on time, penalties and publicity — built through the
real actions in townships A and B, read on the page, in Excel and on the API; B's officer sees
none of A's, the county administrator both; bad periods and townships answer 400 in Chinese."""

from datetime import datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from zhenjie.areas.models import Area
from zhenjie.enforcement import figures as figures_of
from zhenjie.enforcement.actions import hearing as hearing_actions
from zhenjie.enforcement.actions.decision import Penalty, decide_case, review_return, summary_decide
from zhenjie.enforcement.actions.execution import close_enforcement, record_payment, serve_decision
from zhenjie.enforcement.actions.lifecycle import decline_case
from zhenjie.enforcement.actions.transfers import (
    IncomingTransfer, accept_transfer, acknowledge_transfer_in, receive_transfer, transfer_case,
)  # fmt: skip
from zhenjie.enforcement.models import EnforcementCase, Transfer
from zhenjie.enforcement.publicity import figures_for as publicity_figures_for
from zhenjie.enforcement.queries_transfers import ANSWERED_LATE, is_overdue, pending_overdue
from zhenjie.enforcement.testing import make_enforcement_case, make_enforcement_world
from zhenjie.enforcement.workflow import State
from zhenjie.kernel.models import Case
from zhenjie.areas.actions import create_area
from zhenjie.testing import Api, make_other_county, square

pytestmark = pytest.mark.django_db

CHECKS = dict.fromkeys(("facts_clear", "evidence_sufficient", "procedure_lawful", "basis_correct", "penalty_appropriate"), True)
URL = "/enforcement/figures/"
API = "/api/enforcement/figures"


@pytest.fixture
def ew():
    return make_enforcement_world()


def today():
    return timezone.localdate()


def fresh(enforcement) -> EnforcementCase:
    return EnforcementCase.objects.get(pk=enforcement.pk)


def decided_late(ew, township=None, fine="1000", days_ago=40) -> EnforcementCase:
    """Decided `days_ago` days ago, after its deadline: Art. 60's 90 days ran out the day before."""
    enforcement = make_enforcement_case(ew, township=township, state=State.DECIDED, fine=Decimal(fine),
                                        decided_on=today() - timedelta(days=days_ago))  # fmt: skip
    Case.objects.filter(pk=enforcement.case_id).update(due_at=enforcement.decided_at - timedelta(days=1))
    return fresh(enforcement)


def build_a(ew) -> dict:
    """Nine cases of township A opened today, each ending as its name says."""
    made = {}
    # Decided in time, served, paid in full and closed.
    made["paid"] = make_enforcement_case(ew, state=State.DECIDING)
    decide_case(ew.leader_a, made["paid"], Penalty(kinds=["fine"], fine_amount="2000", reasons="初次违法"))
    serve_decision(ew.officer_a1, fresh(made["paid"]), method="in_person", served_on=today(), received_by="李建国")
    record_payment(ew.officer_a1, fresh(made["paid"]), amount="2000", paid_on=today(), reference="PAY-1")
    close_enforcement(ew.officer_a1, fresh(made["paid"]), outcome="paid")
    # Decided after its deadline, served the same day; paid late with ¥100 of the surcharge.
    made["late"] = decided_late(ew)
    serve_decision(ew.officer_a1, made["late"], method="in_person", served_on=today() - timedelta(days=40), received_by="李建国")
    record_payment(ew.officer_a1, fresh(made["late"]), amount="1100", paid_on=today(), reference="PAY-2")
    # Legal review: one returned, one passed.
    made["returned"] = make_enforcement_case(ew, "CF002", state=State.REVIEWING, is_major=True)
    review_return(ew.reviewer_a, made["returned"], CHECKS | {"evidence_sufficient": False, "opinion": "证据不足", "reason": "缺少测量记录"})
    made["reviewed"] = make_enforcement_case(ew, "CF002", state=State.DECIDING, is_major=True)
    # A lead transferred to the police, who acknowledged it.
    made["transferred"] = make_enforcement_case(ew)
    transfer_case(ew.officer_a1, made["transferred"], "该事项由测试县公安局行使", ew.world.police)
    accept_transfer(ew.world.liaison, fresh(made["transferred"]))
    # The police's transfer in, acknowledged by the team after its deadline.
    made["received"] = receive_transfer(ew.world.liaison, IncomingTransfer(
        township=ew.world.a.pk, title="无证经营烟花爆竹案", place="甲一村路口", facts="当事人在路口摆摊销售烟花爆竹。",
        reason="该事项已赋权乡镇行使", occurred_on=today(), letter_number="测公移〔2026〕3号", power_code="CF001"))  # fmt: skip
    Transfer.objects.filter(enforcement=made["received"]).update(acknowledge_due=timezone.now() - timedelta(hours=1))
    acknowledge_transfer_in(ew.officer_a1, fresh(made["received"]))
    made["declined"] = make_enforcement_case(ew)
    decline_case(ew.officer_a1, made["declined"], "不构成违法")
    # On the spot: ¥100, unpaid.
    made["summary"] = make_enforcement_case(ew)
    summary_decide(ew.officer_a1, made["summary"], "CF003", Penalty(kinds=["fine"], fine_amount="100", reasons="当场查实"))
    # A transfer the police have left unanswered past its deadline.
    made["waiting"] = make_enforcement_case(ew)
    transfer_case(ew.officer_a1, made["waiting"], "该事项由测试县公安局行使", ew.world.police)
    Transfer.objects.filter(enforcement=made["waiting"]).update(acknowledge_due=timezone.now() - timedelta(hours=1))
    return made


def build_b(ew) -> None:
    make_enforcement_case(ew, township=ew.world.b, state=State.DECIDED, fine=Decimal("500"))
    make_enforcement_case(ew, township=ew.world.b)


def by_code(found) -> dict:
    return {row.code: row for row in found.powers}


def figures(user, **params):
    return figures_of.figures_for(user, figures_of.choose(user, **params))


# ---- the counts ---------------------------------------------------------------------------------


def test_as_figures_count_each_case_by_power_and_result(ew):
    build_a(ew)
    build_b(ew)

    found = figures(ew.officer_a1)

    total = found.total.counts
    assert total["opened"] == 9 and total["registered"] == 4 and total["decided"] == 3 and total["summary"] == 1
    assert (total["declined"], total["transferred"], total["closed_paid"], total["terminated"], total["open"]) == (1, 1, 1, 0, 6)
    rows = by_code(found)
    assert set(rows) == {"", "CF001", "CF002", "CF003"}
    assert rows[""].name == "尚未立案的线索" and rows[""].counts["opened"] == 4 and rows[""].counts["declined"] == 1
    assert rows["CF001"].name == ew.powers_a["CF001"].name and rows["CF001"].counts["decided"] == 2
    assert rows["CF003"].counts["summary"] == 1


def test_a_decision_after_the_deadline_counts_late_and_the_summary_procedure_apart(ew):
    build_a(ew)

    total = figures(ew.officer_a1).total

    assert (total.counts["on_time"], total.counts["late"], total.counts["summary"]) == (1, 1, 1)
    assert total.on_time_rate == 50.0


def test_review_hearing_transfer_penalty_and_publicity_figures(ew):
    build_a(ew)

    found = figures(ew.officer_a1)

    assert (found.reviews.reviews, found.reviews.returned, found.reviews.return_rate) == (2, 1, 50.0)
    out, into = found.transfers_out, found.transfers_in
    assert (out.sent, out.accepted, out.refused, out.pending, out.on_time, out.late, out.pending_overdue) == (2, 1, 0, 1, 1, 0, 1)
    assert (into.sent, into.accepted, into.refused, into.on_time, into.late, into.pending_overdue) == (1, 1, 0, 0, 1, 0)
    money = found.penalties
    assert money.fines_decided == Decimal("3100.00") and money.paid == Decimal("3100.00")
    assert money.surcharge_collected == Decimal("100.00") and money.outstanding == Decimal("100.00")
    assert isinstance(money.paid, Decimal) and money.court_applications == 0
    # The page's publicity counts and the publicity API's are one function over the same cases.
    assert found.publicity == publicity_figures_for(ew.officer_a1)
    assert found.publicity.overdue_unpublished == 1


def test_the_counted_overdue_transfers_are_those_the_transfer_list_marks_overdue(ew):
    build_a(ew)
    rows = Transfer.objects.all()

    counted = set(rows.filter(ANSWERED_LATE | pending_overdue(timezone.now())).values_list("pk", flat=True))

    assert counted == {row.pk for row in rows if is_overdue(row)} and len(counted) == 2


def test_hearings_requested_held_and_absent(ew, monkeypatch):
    def clock(*parts):
        moment = timezone.make_aware(datetime(*parts))
        monkeypatch.setattr(timezone, "now", lambda: moment)

    clock(2026, 9, 30, 10)
    cases = [make_enforcement_case(ew, state=State.INVESTIGATING) for _ in range(3)]
    for enforcement in cases:
        hearing_actions.notify_party(ew.officer_a1, enforcement, hearing_actions.IntendedPenalty(
            kinds=["fine"], fine_amount="20000", facts="擅自搭建彩钢棚120平方米。"))  # fmt: skip
    clock(2026, 10, 12, 9)
    for enforcement in cases:
        hearing_actions.request_hearing(ew.officer_a1, enforcement, channel="written")
    clock(2026, 10, 13, 9)
    for enforcement in cases[:2]:
        hearing_actions.schedule_hearing(ew.officer_a1, enforcement, scheduled_at=timezone.make_aware(datetime(2026, 10, 22, 9, 30)),
                                         place="会议室", presiding=ew.reviewer_a)  # fmt: skip
    clock(2026, 10, 22, 11)
    hearing_actions.record_hearing(ew.officer_a1, cases[0], outcome="held", attendees="当事人李建国", summary="无异议")
    hearing_actions.record_hearing(ew.officer_a1, cases[1], outcome="absent", summary="当事人未到场")

    found = figures(ew.officer_a1, start="2026-09-01", end="2026-10-31")

    assert (found.hearings.requested, found.hearings.held, found.hearings.absent_or_withdrawn, found.hearings.pending) == (3, 1, 1, 1)
    assert figures(ew.officer_a1, start="2026-10-01", end="2026-10-31").hearings.requested == 0


# ---- who sees what, and the filters -----------------------------------------------------------------


def test_bs_officer_sees_none_of_as_counts_and_the_county_administrator_sees_both(ew):
    build_a(ew)
    build_b(ew)

    b = figures(ew.officer_b1)
    assert b.total.counts["opened"] == 2 and b.penalties.fines_decided == Decimal("500.00") and b.reviews.reviews == 0
    assert b.transfers_out.sent == 0 and set(by_code(b)) == {"", "CF001"}

    county = figures(ew.world.county_admin)
    assert county.total.counts["opened"] == 11 and county.penalties.fines_decided == Decimal("3600.00")
    only_b = figures(ew.world.county_admin, township=ew.world.b.pk)
    assert only_b.total.counts["opened"] == 2 and only_b.township == ew.world.b


def test_the_period_chooses_the_cases_by_the_day_their_lead_was_recorded(ew):
    old = make_enforcement_case(ew)
    Case.objects.filter(pk=old.case_id).update(opened_at=timezone.now() - timedelta(days=45))
    make_enforcement_case(ew)

    assert figures(ew.officer_a1).total.counts["opened"] == 1  # the last 30 days by default
    start = (today() - timedelta(days=60)).isoformat()
    assert figures(ew.officer_a1, start=start).total.counts["opened"] == 2


def test_figures_of_an_area_need_no_user_for_a_township_or_the_county(ew):
    build_a(ew)
    build_b(ew)
    start, end = today() - timedelta(days=29), today()

    assert figures_of.figures_of_area(ew.world.a, start, end).total.counts["opened"] == 9
    assert figures_of.figures_of_area(ew.world.county, start, end).total.counts["opened"] == 11


# ---- the page, Excel and the API ------------------------------------------------------------------------


def test_the_page_shows_the_tables_and_chart_and_the_excel_has_the_rows(ew, client):
    build_a(ew)
    client.force_login(ew.officer_a1)

    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("综合执法统计", "按权责事项与办理结果", "尚未立案的线索", "法制审核退回率", "50.0%", "<svg", "部门超期未答复(件)", "¥3100.00"):
        assert text in html
    assert 'name="township"' in html and "甲镇" in html and "乙镇" not in html

    book = load_workbook(BytesIO(client.get(URL, {"format": "xlsx"}).content))
    powers = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert powers[0][:4] == ["权责事项编码", "权责事项名称", "线索", "立案"]
    assert powers[-1][1] == "合计" and powers[-1][2] == 9 and len(powers) == 6
    lines = dict(book.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert lines["审核退回率(%)"] == 50.0 and lines["部门移入(件)"] == 1 and lines["本队超期答复(件)"] == 1


def test_the_county_administrator_narrows_the_page_and_its_excel_to_one_township(ew, client):
    build_a(ew)
    build_b(ew)
    client.force_login(ew.world.county_admin)

    html = client.get(URL, {"township": ew.world.b.pk}).content.decode()
    assert f'<option value="{ew.world.b.pk}" selected>乙镇</option>' in html and "尚未立案的线索" in html

    book = load_workbook(BytesIO(client.get(URL, {"township": ew.world.b.pk, "format": "xlsx"}).content))
    total = list(book.worksheets[0].iter_rows(values_only=True))[-1]
    assert total[1] == "合计" and total[2] == 2


def test_the_api_answers_the_same_figures(ew, client):
    build_a(ew)
    build_b(ew)

    body = Api(client).as_("officer_b1").get(API).json()

    assert body["total"]["counts"]["opened"] == 2 and body["penalties"]["fines_decided"] == "500.00"
    assert body["township_id"] is None and body["reviews"] == {"reviews": 0, "returned": 0, "return_rate": 0.0}
    body = Api(client).as_("county_admin").get(API, township=str(ew.world.a.pk)).json()
    assert body["total"]["counts"]["opened"] == 9 and body["transfers_out"]["pending_overdue"] == 1 and body["township_id"] == ew.world.a.pk
    # The police's liaison counts the cases it was sent or sent, as its transfer list shows them.
    body = Api(client).as_("liaison").get(API).json()
    assert body["total"]["counts"]["opened"] == 3 and body["transfers_out"]["sent"] == 2 and body["transfers_in"]["sent"] == 1


def other_countys_township() -> Area:
    other_county, _ = make_other_county()
    township, _ = create_area(None, code="990299101000", name="邻镇", level="township", parent=other_county, township_kind="town",
                              boundary=square(117.0, 35.0, 0.2))  # fmt: skip
    return township


def bad_inputs(ew):
    far = today() - timedelta(days=399)
    return [
        ({"from": today().isoformat(), "to": (today() - timedelta(days=3)).isoformat()}, "起始日期不能晚于截止日期"),
        ({"from": far.isoformat(), "to": today().isoformat()}, "统计期间不能超过366天"),
        ({"from": "2026-13-45"}, "起始日期「2026-13-45」无效"),
        ({"township": "abc"}, "所选乡镇(街道)不存在或不在您的辖区内"),
        ({"township": str(ew.world.b.pk)}, "所选乡镇(街道)不存在或不在您的辖区内"),
        ({"township": str(other_countys_township().pk)}, "所选乡镇(街道)不存在或不在您的辖区内"),
    ]


def test_bad_input_answers_400_in_chinese_on_the_page_with_the_form_kept_and_on_the_api(ew, client):
    client.force_login(ew.officer_a1)
    api = Api(client).as_("officer_a1")
    for params, message in bad_inputs(ew):
        page = client.get(URL, params)
        assert page.status_code == 400 and message in page.content.decode()
        assert 'data-testid="figures-form"' in page.content.decode()
        renamed = {{"from": "start", "to": "end"}.get(k, k): v for k, v in params.items()}
        answer = api.get(API, **renamed)
        assert answer.status_code == 400 and message in answer.json()["message"]


def test_the_county_administrator_may_not_name_another_countys_township(ew, client):
    township = other_countys_township()
    answer = Api(client).as_("county_admin").get(API, township=str(township.pk))
    assert answer.status_code == 400 and answer.json()["message"] == "所选乡镇(街道)不存在或不在您的辖区内"


# ---- a fixed number of queries --------------------------------------------------------------------------


def test_the_figures_read_a_fixed_number_of_queries_at_two_sizes(ew, client, django_assert_num_queries):
    build_a(ew)
    client.force_login(ew.officer_a1)
    with django_assert_num_queries(QUERIES):
        figures(ew.officer_a1)
    first = page_queries(client)
    build_a(ew)
    build_b(ew)
    with django_assert_num_queries(QUERIES):
        found = figures(ew.officer_a1)
    assert found.total.counts["opened"] == 18
    assert page_queries(client) == first


QUERIES = 8  # the power rows, reviews, hearings, transfers, two for penalties, two for publicity (the reach is cached on the user)


def page_queries(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return len(captured)
