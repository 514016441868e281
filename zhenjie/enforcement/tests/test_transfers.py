"""Part 8, transfers: out to the county department holding the power (acknowledged or refused
within the county's working days), in from a department to the township's team."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zhenjie.enforcement.actions.transfers import (
    IncomingTransfer, accept_transfer, acknowledge_transfer_in, receive_transfer, refuse_transfer, return_transfer_in,
    transfer_case,
)  # fmt: skip
from zhenjie.enforcement.models import Answer, Direction, EnforcementCase, Source, Transfer
from zhenjie.enforcement.policy import DEFAULTS, policy_for, update_enforcement_policy
from zhenjie.enforcement.testing import make_enforcement_case
from zhenjie.enforcement.workflow import State
from zhenjie.kernel.assignments import inbox_counts, inbox_for
from zhenjie.kernel.errors import Conflict, Forbidden, NotFound, Rejected
from zhenjie.kernel.models import Assignment, Case, Document, JournalEntry
from zhenjie.testing import Api, make_other_county, make_user
from zhenjie.units.actions import create_unit
from zhenjie.units.models import Unit

pytestmark = pytest.mark.django_db


def state(enforcement) -> str:
    return Case.objects.get(pk=enforcement.case_id).state


def written():
    return (JournalEntry.objects.count(), Transfer.objects.count(), Assignment.objects.count(), Document.objects.count())


def incoming(ew, **changes) -> IncomingTransfer:
    values = dict(township=ew.world.a.pk, title="无证经营烟花爆竹案", place="甲一村路口", facts="当事人在路口摆摊销售烟花爆竹。",
                  reason="该事项已赋权乡镇行使", occurred_on=timezone.localdate(), letter_number="测公移〔2026〕3号", power_code="CF001")  # fmt: skip
    return IncomingTransfer(**{**values, **changes})


# ---- out ---------------------------------------------------------------------------------------


def test_a_transfer_out_names_the_department_which_finds_it_in_its_inbox_with_the_letter(ew):
    enforcement = make_enforcement_case(ew, state=State.INVESTIGATING)

    transfer_case(ew.officer_a1, enforcement, "该事项由测试县公安局行使", ew.world.police)

    assert state(enforcement) == State.TRANSFERRING
    work = inbox_for(ew.world.liaison).get()
    assert work.case_id == enforcement.case_id and work.todo == "acknowledge_transfer" and work.due_at > timezone.now()
    transfer = Transfer.objects.get(enforcement=enforcement)
    assert transfer.direction == Direction.OUT and transfer.department == ew.world.police and transfer.answer == Answer.PENDING
    assert transfer.facts == "未经批准擅自搭建彩钢棚。" and transfer.letter_number.startswith("甲镇综执移〔")
    assert transfer.document.kind == "enforcement_transfer_letter" and transfer.document.case_id == enforcement.case_id
    assert JournalEntry.objects.filter(case=enforcement.case, verb="transfer_out", summary="移送测试县公安局").exists()


def test_a_department_of_another_county_or_no_department_is_refused_and_nothing_changes(ew):
    enforcement = make_enforcement_case(ew)
    other_county, _ = make_other_county()
    elsewhere = Unit.objects.get(name="邻县公安局")
    before = written()

    for department, code in ((elsewhere, "enforcement.department_invalid"), (None, "enforcement.department_required"),
                             (ew.world.police_station_a, "enforcement.department_invalid")):  # fmt: skip
        with pytest.raises(Rejected) as refused:
            transfer_case(ew.officer_a1, enforcement, "该事项由公安局行使", department)
        assert refused.value.code == code and refused.value.fields.keys() == {"department"}
    assert written() == before and state(enforcement) == State.LEAD


def test_the_department_acknowledges_and_the_case_closes_as_transferred_on_the_timeline(ew):
    enforcement = make_enforcement_case(ew)
    transfer_case(ew.officer_a1, enforcement, "该事项由测试县公安局行使", ew.world.police)

    accept_transfer(ew.world.liaison, EnforcementCase.objects.get(pk=enforcement.pk))

    assert state(enforcement) == State.TRANSFERRED
    transfer = Transfer.objects.get(enforcement=enforcement)
    assert transfer.answer == Answer.ACCEPTED and transfer.answered_by == ew.world.liaison
    assert JournalEntry.objects.filter(case=enforcement.case, verb="accept_transfer", summary="测试县公安局签收移送").exists()
    assert not inbox_for(ew.world.liaison).exists()


def test_a_refused_lead_goes_back_to_registration_and_a_registered_case_to_investigation(ew):
    lead = make_enforcement_case(ew)
    registered = make_enforcement_case(ew, state=State.INVESTIGATING)
    for enforcement in (lead, registered):
        transfer_case(ew.officer_a1, enforcement, "该事项由测试县公安局行使", ew.world.police)

    refuse_transfer(ew.world.liaison, EnforcementCase.objects.get(pk=lead.pk), "该行为不属本局管辖")
    refuse_transfer(ew.world.liaison, EnforcementCase.objects.get(pk=registered.pk), "证据不足，请补充")

    assert state(lead) == State.LEAD and state(registered) == State.INVESTIGATING
    todos = {w.case_id: w.todo for w in inbox_for(ew.officer_a1)}
    assert todos == {lead.case_id: "register", registered.case_id: "investigate"}
    transfer = Transfer.objects.get(enforcement=lead)
    assert transfer.answer == Answer.REFUSED and transfer.answer_reason == "该行为不属本局管辖"
    entry = JournalEntry.objects.get(case=lead.case, verb="refuse_transfer")
    assert entry.note == "该行为不属本局管辖" and entry.summary == "测试县公安局不予接收，退回甲镇综合行政执法队"


def test_a_refusal_needs_its_reason_and_an_officer_cannot_answer_for_the_department(ew):
    enforcement = make_enforcement_case(ew)
    transfer_case(ew.officer_a1, enforcement, "该事项由测试县公安局行使", ew.world.police)
    enforcement = EnforcementCase.objects.get(pk=enforcement.pk)
    before = written()

    with pytest.raises(Rejected) as refused:
        refuse_transfer(ew.world.liaison, enforcement, "  ")
    assert refused.value.fields.keys() == {"reason"}
    with pytest.raises(Rejected) as too_long:
        refuse_transfer(ew.world.liaison, enforcement, "理" * 2001)
    assert "不能超过2000字" in too_long.value.message
    with pytest.raises(Forbidden):
        accept_transfer(ew.officer_a1, enforcement)
    assert written() == before and state(enforcement) == State.TRANSFERRING


def test_an_overdue_acknowledgement_shows_in_the_department_inbox_and_the_transfer_list(ew, client):
    update_enforcement_policy(ew.world.county_admin, transfer_acknowledge_days=2)
    enforcement = make_enforcement_case(ew)
    transfer_case(ew.officer_a1, enforcement, "该事项由测试县公安局行使", ew.world.police)
    work = Assignment.objects.get(case=enforcement.case, todo="acknowledge_transfer")
    assert work.due_at <= timezone.now() + timedelta(days=2 + 10)  # two working days, holidays aside
    Assignment.objects.filter(pk=work.pk).update(due_at=timezone.now() - timedelta(hours=1))
    Transfer.objects.filter(enforcement=enforcement).update(acknowledge_due=timezone.now() - timedelta(hours=1))

    assert inbox_counts(ew.world.liaison)["overdue"] == 1
    body = Api(client).as_("liaison").get("/api/enforcement/transfers").json()
    assert body["count"] == 1 and body["items"][0]["overdue"] is True and body["items"][0]["answer"] == "pending"


def test_the_county_setting_is_the_county_administrators_and_bounded(ew):
    with pytest.raises(Forbidden):
        update_enforcement_policy(ew.officer_a1, transfer_acknowledge_days=3)
    for days in (0, 31, "5"):
        with pytest.raises(Rejected) as refused:
            update_enforcement_policy(ew.world.county_admin, transfer_acknowledge_days=days)
        assert refused.value.message == "案件移送签收时限须在1至30个工作日之间"
    _, other_admin = make_other_county()
    update_enforcement_policy(other_admin, transfer_acknowledge_days=20)
    assert policy_for(ew.world.a).transfer_acknowledge_days == 5  # the neighbour's setting is its own
    assert update_enforcement_policy(ew.world.county_admin, transfer_acknowledge_days=7).transfer_acknowledge_days == 7
    enforcement = make_enforcement_case(ew)
    transfer_case(ew.officer_a1, enforcement, "该事项由测试县公安局行使", ew.world.police)
    work = Assignment.objects.get(case=enforcement.case, todo="acknowledge_transfer")
    assert work.due_at >= timezone.now() + timedelta(days=7)  # seven working days are at least seven days


# ---- in ----------------------------------------------------------------------------------------


def test_a_department_transfer_in_opens_a_lead_in_the_townships_team_to_acknowledge(ew):
    enforcement = receive_transfer(ew.world.liaison, incoming(ew))

    assert enforcement.team == ew.team_a and enforcement.source == Source.TRANSFER and enforcement.case.area == ew.world.a
    assert state(enforcement) == State.LEAD and enforcement.case.number.startswith("甲镇综执〔")
    work = inbox_for(ew.officer_a1).get()
    assert work.todo == "acknowledge_transfer" and work.case_id == enforcement.case_id
    assert not inbox_for(ew.officer_b1).exists()
    transfer = Transfer.objects.get(enforcement=enforcement)
    assert (
        transfer.direction == Direction.IN
        and transfer.department == ew.world.police
        and transfer.letter_number == "测公移〔2026〕3号"
    )

    acknowledge_transfer_in(ew.officer_a2, EnforcementCase.objects.get(pk=enforcement.pk))

    assert inbox_for(ew.officer_a1).get().todo == "register"
    assert Transfer.objects.get(pk=transfer.pk).answer == Answer.ACCEPTED
    assert JournalEntry.objects.filter(
        case=enforcement.case, verb="acknowledge_transfer", summary="签收测试县公安局移送"
    ).exists()


def test_a_transfer_in_to_a_township_of_another_county_or_a_power_it_lacks_is_refused(ew):
    other_county, _ = make_other_county()
    from zhenjie.areas.actions import create_area

    elsewhere, _ = create_area(
        None, code="990299101000", name="丙镇", level="township", parent=other_county, township_kind="town"
    )
    before = written()
    for changes, code in (({"township": elsewhere.pk}, "enforcement.township_invalid"), ({"township": None}, "enforcement.township_required"),
                          ({"power_code": "NO-SUCH"}, "enforcement.power_not_held"), ({"title": ""}, "enforcement.title_required"),
                          ({"facts": "案" * 5001}, "enforcement.facts_too_long"), ({"reason": ""}, "enforcement.reason_required")):  # fmt: skip
        with pytest.raises(Rejected) as refused:
            receive_transfer(ew.world.liaison, incoming(ew, **changes))
        assert refused.value.code == code, changes
    with pytest.raises(Forbidden):
        receive_transfer(ew.officer_a1, incoming(ew))
    assert written() == before


def test_the_department_sees_the_transfers_it_sent_and_nothing_else_of_the_township(ew, client):
    sent = receive_transfer(ew.world.liaison, incoming(ew))
    other = make_enforcement_case(ew)
    other_department = create_unit(None, name="测试县市场监督管理局", kind=Unit.Kind.DEPARTMENT, area=ew.world.county)
    make_user("market_liaison", other_department, ["department_liaison"], None)
    api = Api(client).as_("liaison")

    listed = api.get("/api/enforcement/transfers").json()
    assert [item["case"]["id"] for item in listed["items"]] == [sent.case_id]
    assert api.get(f"/api/enforcement/{sent.case_id}").status_code == 200
    assert api.get(f"/api/enforcement/{other.case_id}").status_code == 404
    market = Api(client).as_("market_liaison")
    assert market.get("/api/enforcement/transfers").json()["count"] == 0
    assert market.get(f"/api/enforcement/{sent.case_id}").status_code == 404


def test_township_b_sees_none_of_as_transfers_and_cannot_acknowledge_one(ew, client):
    enforcement = receive_transfer(ew.world.liaison, incoming(ew))
    with pytest.raises(NotFound):
        acknowledge_transfer_in(ew.officer_b1, EnforcementCase.objects.get(pk=enforcement.pk))
    api = Api(client).as_("officer_b1")
    assert api.get("/api/enforcement/transfers").json()["count"] == 0
    assert api.post(f"/api/enforcement/{enforcement.case_id}/acknowledge_transfer").status_code == 404
    assert state(enforcement) == State.LEAD


def test_the_team_may_return_a_department_transfer_with_its_reason(ew):
    enforcement = receive_transfer(ew.world.liaison, incoming(ew))
    return_transfer_in(ew.officer_a1, EnforcementCase.objects.get(pk=enforcement.pk), "该事项未赋权本镇")
    assert state(enforcement) == State.TRANSFERRED
    assert Transfer.objects.get(enforcement=enforcement).answer == Answer.REFUSED
    with pytest.raises(Conflict):
        acknowledge_transfer_in(ew.officer_a1, EnforcementCase.objects.get(pk=enforcement.pk))


def test_the_api_transfers_out_by_department_id_and_the_department_answers(ew, client):
    enforcement = make_enforcement_case(ew)
    officer = Api(client).as_("officer_a1")
    other_county, _ = make_other_county()
    elsewhere = Unit.objects.get(name="邻县公安局")

    refused = officer.post(
        f"/api/enforcement/{enforcement.case_id}/transfer_out", {"reason": "公安局管辖", "department": elsewhere.pk}
    )
    assert refused.status_code == 400 and refused.json()["code"] == "enforcement.department_invalid"
    missing = officer.post(f"/api/enforcement/{enforcement.case_id}/transfer_out", {"reason": "公安局管辖"})
    assert missing.status_code == 400
    sent = officer.post(
        f"/api/enforcement/{enforcement.case_id}/transfer_out", {"reason": "公安局管辖", "department": ew.world.police.pk}
    )
    assert sent.status_code == 200 and sent.json()["state"] == State.TRANSFERRING

    liaison = Api(client).as_("liaison")
    answered = liaison.post(f"/api/enforcement/{enforcement.case_id}/accept_transfer")
    assert answered.status_code == 200 and answered.json()["state"] == State.TRANSFERRED


def test_the_api_takes_a_department_transfer_in_with_chinese_refusals(ew, client):
    liaison = Api(client).as_("liaison")
    body = {"township_id": ew.world.a.pk, "title": "无证经营案", "place": "甲一村", "facts": "摆摊销售。", "reason": "已赋权乡镇",
            "occurred_on": timezone.localdate().isoformat(), "letter_number": "测公移〔2026〕4号", "power_code": "CF001"}  # fmt: skip
    created = liaison.post("/api/enforcement/transfers", body)
    assert created.status_code == 201 and created.json()["case"]["source"] == "transfer"
    too_long = liaison.post("/api/enforcement/transfers", {**body, "title": "案" * 201})
    assert too_long.status_code == 400
    unknown = liaison.post("/api/enforcement/transfers", {**body, "township_id": 10**6})
    assert unknown.status_code == 400 and unknown.json()["code"] == "enforcement.township_invalid"


# ---- pages -------------------------------------------------------------------------------------


def test_the_refused_registration_offers_the_transfer_to_the_holder_preselected(ew, client):
    from zhenjie.lists.tests.builders import county_power_list

    county_power_list(ew.world)
    create_unit(None, name="测试县市场监督管理局", kind=Unit.Kind.DEPARTMENT, area=ew.world.county)
    enforcement = make_enforcement_case(ew)
    client.force_login(ew.officer_a1)
    page = client.post(
        reverse("enforcement:registration", args=[enforcement.case_id]), {"power_code": "GA-CF-001"}
    ).content.decode()
    assert 'data-testid="transfer-department"' in page
    assert f'<option value="{ew.world.police.pk}" selected>测试县公安局</option>' in page and "测试县市场监督管理局" in page


def test_the_department_answers_on_the_case_page_and_the_team_sees_the_answer_on_the_timeline(ew, client):
    enforcement = make_enforcement_case(ew)
    client.force_login(ew.officer_a1)
    client.post(
        reverse("enforcement:act", args=[enforcement.case_id, "transfer_out"]),
        {"reason": "公安局管辖", "department": ew.world.police.pk},
    )
    assert state(enforcement) == State.TRANSFERRING

    client.force_login(ew.world.liaison)
    page = client.get(reverse("enforcement:detail", args=[enforcement.case_id])).content.decode()
    assert "签收移送" in page and "不予接收(退回)" in page and "未经批准擅自搭建彩钢棚" in page
    refused = client.post(reverse("enforcement:act", args=[enforcement.case_id, "refuse_transfer"]), {"reason": ""})
    assert refused.status_code == 200 and state(enforcement) == State.TRANSFERRING
    client.post(reverse("enforcement:act", args=[enforcement.case_id, "refuse_transfer"]), {"reason": "不属本局管辖"})
    assert state(enforcement) == State.LEAD

    client.force_login(ew.officer_a1)
    page = client.get(reverse("enforcement:detail", args=[enforcement.case_id])).content.decode()
    assert "测试县公安局不予接收" in page and "不属本局管辖" in page


def test_the_transfer_list_page_marks_the_overdue_and_shows_b_nothing(ew, client):
    enforcement = make_enforcement_case(ew)
    transfer_case(ew.officer_a1, enforcement, "公安局管辖", ew.world.police)
    Transfer.objects.update(acknowledge_due=timezone.now() - timedelta(hours=1))
    client.force_login(ew.world.liaison)
    page = client.get(reverse("enforcement_transfers:list")).content.decode()
    assert 'data-testid="transfer-overdue"' in page and enforcement.case.number in page
    client.force_login(ew.officer_b1)
    assert enforcement.case.number not in client.get(reverse("enforcement_transfers:list")).content.decode()
    assert Api(client).as_("officer_b1").get(f"/api/enforcement/{enforcement.case_id}").status_code == 404


def test_a_liaison_transfers_in_by_the_page_and_an_officer_may_not(ew, client):
    client.force_login(ew.officer_a1)
    assert client.get(reverse("enforcement_transfers:new")).status_code == 403
    client.force_login(ew.world.liaison)
    answer = client.post(reverse("enforcement_transfers:new"), {
        "township": ew.world.a.pk, "title": "无证经营案", "place": "甲一村", "occurred_on": timezone.localdate().isoformat(),
        "power_code": "NO-SUCH", "reason": "已赋权", "facts": "摆摊销售。",
    })  # fmt: skip
    assert answer.status_code == 200 and "不能移送" in answer.content.decode() and not Transfer.objects.exists()
    answer = client.post(reverse("enforcement_transfers:new"), {
        "township": ew.world.a.pk, "title": "无证经营案", "place": "甲一村", "occurred_on": timezone.localdate().isoformat(),
        "power_code": "CF001", "reason": "已赋权", "facts": "摆摊销售。",
    })  # fmt: skip
    assert answer.status_code == 302 and Transfer.objects.get().direction == Direction.IN


def test_the_transfer_list_runs_the_same_queries_at_3_and_12_transfers(ew, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(ew.officer_a1)
    counts = []
    for total in (3, 12):
        while Transfer.objects.count() < total:
            receive_transfer(ew.world.liaison, incoming(ew))
        for fetch in (
            lambda: client.get(reverse("enforcement_transfers:list")),
            lambda: Api(client).as_("officer_a1").get("/api/enforcement/transfers"),
        ):
            with CaptureQueriesContext(connection) as captured:
                assert fetch().status_code == 200
            counts.append(len(captured.captured_queries))
    assert counts[0] == counts[2] and counts[1] == counts[3], counts


def test_a_department_transfer_is_acknowledged_before_the_team_registers_or_declines_it(ew):
    from zhenjie.enforcement.actions.lifecycle import decline_case, register_case

    enforcement = receive_transfer(ew.world.liaison, incoming(ew))
    for act in (lambda e: register_case(ew.officer_a1, e, "CF001"), lambda e: decline_case(ew.officer_a1, e, "无违法事实")):
        with pytest.raises(Conflict) as refused:
            act(EnforcementCase.objects.get(pk=enforcement.pk))
        assert refused.value.code == "enforcement.transfer_not_acknowledged"
    assert state(enforcement) == State.LEAD and Transfer.objects.get(enforcement=enforcement).answer == Answer.PENDING

    acknowledge_transfer_in(ew.officer_a1, EnforcementCase.objects.get(pk=enforcement.pk))
    register_case(ew.officer_a1, EnforcementCase.objects.get(pk=enforcement.pk), "CF001")
    assert state(enforcement) == State.INVESTIGATING


def test_the_county_administrator_sets_the_deadline_on_the_settings_page_and_others_may_not(ew, client):
    client.force_login(ew.officer_a1)
    assert client.get(reverse("enforcement:settings")).status_code == 403
    assert Api(client).as_("officer_a1").get("/api/enforcement/settings").status_code == 403
    client.force_login(ew.world.county_admin)
    page = client.get(reverse("enforcement:settings")).content.decode()
    assert "案件移送签收时限(工作日)" in page and 'name="transfer_acknowledge_days" value="5"' in page
    refused = client.post(reverse("enforcement:settings"), {**DEFAULTS, "version": 1, "transfer_acknowledge_days": "0"})
    assert refused.status_code == 400 and 'data-field-error="transfer_acknowledge_days"' in refused.content.decode()
    assert "案件移送签收时限须在1至30个工作日之间" in refused.content.decode()
    saved = client.post(reverse("enforcement:settings"), {**DEFAULTS, "version": 1, "transfer_acknowledge_days": "8"})
    assert saved.status_code == 302
    entry = JournalEntry.objects.get(verb="settings.enforcement")
    assert entry.data["before"]["transfer_acknowledge_days"] == 5 and entry.data["after"]["transfer_acknowledge_days"] == 8

    api = Api(client).as_("county_admin")
    assert api.get("/api/enforcement/settings").json()["transfer_acknowledge_days"] == 8
    stale = api.client.put(
        "/api/enforcement/settings",
        {"transfer_acknowledge_days": 3, "version": 1},
        content_type="application/json",
        **api.headers,
    )
    assert stale.status_code == 409 and policy_for(ew.world.a).transfer_acknowledge_days == 8
