"""Service, execution and publicity on the case page and over the API: the forms post to the
kit's act view, refusals come back in Chinese and change nothing, township B gets 404 on page and
API, and the county administrator keeps the settings (page and GET/PUT)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from zhenjie.enforcement.actions.execution import record_payment, serve_decision
from zhenjie.enforcement.models import CourtApplication, EnforcementPolicy, Payment, Reminder, Service
from zhenjie.enforcement.policy import DEFAULTS
from zhenjie.enforcement.testing import make_enforcement_case, serve_reminder
from zhenjie.enforcement.workflow import State
from zhenjie.kernel.models import JournalEntry
from zhenjie.testing import Api

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def decided(ew, fine="2000"):
    return make_enforcement_case(ew, state=State.DECIDED, fine=Decimal(fine))


def served(ew):
    enforcement = decided(ew)
    serve_decision(ew.officer_a1, enforcement, method="in_person", served_on=today(), received_by="李建国")
    return enforcement


def overdue(ew, days_ago=200):
    """Served `days_ago` days ago and not paid: the 15 days to pay (and the remedy periods) long past."""
    enforcement = make_enforcement_case(ew, state=State.DECIDED, fine=Decimal("2000"), decided_on=today() - timedelta(days=days_ago))
    serve_decision(ew.officer_a1, enforcement, method="in_person", served_on=today() - timedelta(days=days_ago), received_by="李建国")
    return enforcement


def pdf_text(client, document_id) -> str:
    import io

    from pypdf import PdfReader

    content = b"".join(client.get(reverse("workbench:document_pdf", args=[document_id])).streaming_content)
    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


def act(case_id, step):
    return reverse("enforcement:act", args=[case_id, step])


def test_an_officer_serves_records_a_payment_and_sees_the_balance_on_the_case_page(ew, client):
    enforcement = decided(ew)
    client.force_login(ew.officer_a1)
    page = client.get(reverse("enforcement:detail", args=[enforcement.case_id])).content.decode()
    assert 'data-testid="execution-panel"' in page and "未送达" in page

    answer = client.post(
        act(enforcement.case_id, "serve"), {"method": "in_person", "served_on": today().isoformat(), "received_by": "李建国"}
    )
    assert answer.status_code == 302
    answer = client.post(
        act(enforcement.case_id, "record_payment"), {"amount": "800", "paid_on": today().isoformat(), "reference": "PZ-9"}
    )
    assert answer.status_code == 302

    page = client.get(reverse("enforcement:detail", args=[enforcement.case_id])).content.decode()
    assert "800.00元 / 1200.00元" in page and "送达回证" in page and "PZ-9" in page


def test_an_overpayment_on_the_page_is_shown_in_chinese_and_nothing_is_written(ew, client):
    enforcement = served(ew)
    client.force_login(ew.officer_a1)
    answer = client.post(
        act(enforcement.case_id, "record_payment"), {"amount": "2500", "paid_on": today().isoformat(), "reference": "PZ-1"}
    )
    assert "缴款金额超过应缴金额：尚欠2000.00元" in answer.content.decode()
    assert not Payment.objects.exists()


def test_the_officer_of_township_b_gets_404_on_the_page_and_the_api(ew, client):
    enforcement = served(ew)
    client.force_login(ew.officer_b1)
    assert (
        client.post(
            act(enforcement.case_id, "record_payment"), {"amount": "1", "paid_on": today().isoformat(), "reference": "X"}
        ).status_code
        == 404
    )
    api = Api(client).as_("officer_b1")
    assert api.get(f"/api/enforcement/{enforcement.case_id}/execution").status_code == 404
    assert (
        api.post(
            f"/api/enforcement/{enforcement.case_id}/record_payment",
            {"amount": "1", "paid_on": today().isoformat(), "reference": "X"},
        ).status_code
        == 404
    )
    assert api.post(f"/api/enforcement/{enforcement.case_id}/publish", {}).status_code == 404
    assert not Payment.objects.exists()


def test_the_api_serves_and_records_payments_with_chinese_refusals(ew, client):
    enforcement = decided(ew)
    api = Api(client).as_("officer_a1")
    path = f"/api/enforcement/{enforcement.case_id}"

    bad_date = api.post(f"{path}/serve", {"method": "in_person", "served_on": "2026-13-40", "received_by": "李建国"})
    assert bad_date.status_code == 400 and bad_date.json()["message"] == "送达日期须为日期(如2026-03-01)"
    bad_method = api.post(f"{path}/serve", {"method": "pigeon", "served_on": today().isoformat()})
    assert bad_method.status_code == 400 and bad_method.json()["fields"].get("method")
    no_consent = api.post(f"{path}/serve", {"method": "electronic", "served_on": today().isoformat()})
    assert no_consent.status_code == 400 and no_consent.json()["code"] == "enforcement.service_no_consent"
    assert not Service.objects.exists()

    assert (
        api.post(f"{path}/serve", {"method": "post", "served_on": today().isoformat(), "tracking_number": "EMS001"}).status_code
        == 200
    )
    for amount in ("abc", 12, "-1", "1" * 30):
        answer = api.post(f"{path}/record_payment", {"amount": amount, "paid_on": today().isoformat(), "reference": "PZ-1"})
        assert answer.status_code == 400 and "缴款金额" in answer.json()["message"]
    assert (
        api.post(f"{path}/record_payment", {"amount": "2000.00", "paid_on": today().isoformat(), "reference": "PZ-1"}).status_code
        == 200
    )
    status = api.get(f"{path}/execution").json()
    assert status["balance"] in ("0.00", 0, "0") and status["service"]["method"] == "post" and not status["service"]["late"]
    closed = api.post(f"{path}/close", {"outcome": "paid"})
    assert closed.status_code == 200 and closed.json()["state"] == State.CLOSED
    again = api.post(f"{path}/record_payment", {"amount": "1", "paid_on": today().isoformat(), "reference": "PZ-2"})
    assert again.status_code == 409


def test_the_county_administrator_keeps_the_settings_on_the_page_and_over_the_api(ew, client):
    client.force_login(ew.world.county_admin)
    assert client.get(reverse("enforcement:settings")).status_code == 200
    bad = client.post(
        reverse("enforcement:settings"),
        {**DEFAULTS, "version": 1, "payment_days": 10},
    )
    assert bad.status_code == 400 and "不少于十五日" in bad.content.decode()
    ok = client.post(
        reverse("enforcement:settings"),
        {**DEFAULTS, "version": 1, "publish_within_days": 5, "payment_days": 20, "certificate_expiring_days": 60},
    )
    assert ok.status_code == 302
    assert EnforcementPolicy.objects.get().publish_within_days == 5
    assert JournalEntry.objects.filter(verb="settings.enforcement").count() == 1

    api = Api(client).as_("county_admin")
    assert api.get("/api/enforcement/settings").json()["payment_days"] == 20
    stale = api.client.put(
        "/api/enforcement/settings", {"payment_days": 30, "version": 1}, content_type="application/json", **api.headers
    )
    assert stale.status_code == 409
    wrong = api.client.put(
        "/api/enforcement/settings", {"publish_within_days": 0}, content_type="application/json", **api.headers
    )
    assert wrong.status_code == 400 and wrong.json()["message"] == "处罚决定公示时限须在1至20个工作日之间"

    client.force_login(ew.officer_a1)
    assert client.get(reverse("enforcement:settings")).status_code == 403
    assert Api(client).as_("officer_a1").get("/api/enforcement/settings").status_code == 403


def test_a_later_service_sets_the_payment_deadline_from_the_countys_days(ew):
    EnforcementPolicy.objects.create(county=ew.world.county, payment_days=30)
    enforcement = decided(ew)
    service = serve_decision(ew.officer_a1, enforcement, method="in_person", served_on=today(), received_by="李建国")
    assert service.payment_due_on >= today() + timedelta(days=30)


def test_the_publicity_panel_offers_publication_and_the_figures_count_it(ew, client):
    enforcement = served(ew)
    client.force_login(ew.officer_a1)
    page = client.get(reverse("enforcement:detail", args=[enforcement.case_id])).content.decode()
    assert 'data-testid="publicity-panel"' in page and "公示处罚决定" in page
    assert client.post(act(enforcement.case_id, "publish")).status_code == 302
    page = client.get(reverse("enforcement:detail", args=[enforcement.case_id])).content.decode()
    assert "公示页面" in page
    assert Api(client).as_("officer_a1").get("/api/enforcement/figures/publicity").json()["published"] == 1


def test_the_officer_list_warns_of_expiring_certificates_as_early_as_the_county_says(ew, client):
    from zhenjie.enforcement.models import Certificate

    Certificate.objects.filter(officer=ew.officer_a2).update(valid_until=today() + timedelta(days=60))
    client.force_login(ew.leader_a)
    page = client.get(reverse("enforcement_officers:list")).content.decode()
    assert page.count('data-status="expiring"') == 0 and "有效期不足30天" in page

    EnforcementPolicy.objects.create(county=ew.world.county, certificate_expiring_days=90)
    page = client.get(reverse("enforcement_officers:list")).content.decode()
    assert page.count('data-status="expiring"') == 1 and "有效期不足90天" in page


def test_the_case_page_of_a_served_case_costs_the_same_with_one_and_ten_payments(ew, client, django_assert_num_queries):
    enforcement = served(ew)
    url = reverse("enforcement:detail", args=[enforcement.case_id])
    client.force_login(ew.officer_a1)
    record_payment(ew.officer_a1, enforcement, amount="10", paid_on=today(), reference="PZ-0")
    with django_assert_num_queries(28):
        client.get(url)
    for n in range(1, 10):
        record_payment(ew.officer_a1, enforcement, amount="10", paid_on=today(), reference=f"PZ-{n}")
    with django_assert_num_queries(28):
        page = client.get(url).content.decode()
    assert "100.00元 / 1900.00元" in page and "PZ-9" in page


def test_an_officer_reminds_on_the_page_sees_the_reminder_and_its_paper_and_then_asks_the_court(ew, client):
    enforcement = overdue(ew)
    client.force_login(ew.officer_a1)
    url = reverse("enforcement:detail", args=[enforcement.case_id])
    assert "催告当事人履行" in client.get(url).content.decode()

    refused = client.post(act(enforcement.case_id, "apply_to_court"), {"applied_on": today().isoformat(), "court": "测试县人民法院"})
    assert "申请人民法院强制执行前应当催告当事人履行义务" in refused.content.decode()
    assert not CourtApplication.objects.exists()

    served_on = today() - timedelta(days=11)
    answer = client.post(act(enforcement.case_id, "remind"), {"method": "in_person", "served_on": served_on.isoformat()})
    assert answer.status_code == 302
    reminder = Reminder.objects.get()
    page = client.get(url).content.decode()
    assert 'data-testid="reminder"' in page and reminder.document.number in page and f"尚欠{reminder.amount_owed}元" in page
    assert reverse("workbench:document_pdf", args=[reminder.document_id]) in page and "登记对催告的陈述、申辩" in page

    text = pdf_text(client, reminder.document_id)
    assert "催告书" in text and reminder.document.number in text and f"{reminder.amount_owed:,.2f}" in text
    assert "陈述和申辩" in text and "申请人民法院强制执行" in text
    assert client.post(act(enforcement.case_id, "apply_to_court"), {"applied_on": today().isoformat(), "court": "测试县人民法院"}).status_code == 302
    assert CourtApplication.objects.count() == 1
    client.force_login(ew.officer_b1)
    assert client.get(reverse("workbench:document_pdf", args=[reminder.document_id])).status_code == 404


def test_the_api_reminds_with_chinese_refusals_and_lists_the_reminders(ew, client):
    enforcement = overdue(ew)
    api = Api(client).as_("officer_a1")
    path = f"/api/enforcement/{enforcement.case_id}"

    bad = api.post(f"{path}/remind", {"method": "in_person", "served_on": "2026-02-30"})
    assert bad.status_code == 400 and bad.json()["message"] == "催告书送达日期须为日期(如2026-03-01)"
    short = api.post(f"{path}/remind", {"method": "in_person", "served_on": today().isoformat(), "pay_by": (today() + timedelta(days=5)).isoformat()})
    assert short.status_code == 400 and "不能早于催告书送达后十日" in short.json()["message"]
    future = api.post(f"{path}/remind", {"method": "in_person", "served_on": (today() + timedelta(days=1)).isoformat()})
    assert future.status_code == 400 and future.json()["message"] == "催告书送达日期不能晚于今天"
    court = api.post(f"{path}/apply_to_court", {"applied_on": today().isoformat(), "court": "测试县人民法院"})
    assert court.status_code == 409 and "第五十四条" in court.json()["message"]
    assert not Reminder.objects.exists() and not CourtApplication.objects.exists()

    assert Api(client).as_("officer_b1").post(f"{path}/remind", {"method": "in_person", "served_on": today().isoformat()}).status_code == 404
    ok = api.post(f"{path}/remind", {"method": "post", "served_on": today().isoformat(), "pay_by": (today() + timedelta(days=20)).isoformat()})
    assert ok.status_code == 200
    reminders = api.get(f"{path}/execution").json()["reminders"]
    assert len(reminders) == 1 and reminders[0]["pay_by"] == (today() + timedelta(days=20)).isoformat() and reminders[0]["document_id"]
    assert reminders[0]["fine_owed"] in ("2000.00", 2000) and reminders[0]["method"] == "post"

    reminder_id = reminders[0]["id"]
    said = api.post(f"{path}/record_reminder_statement", {"reminder": reminder_id, "statement": "经济困难", "answer": "可申请分期"})
    assert said.status_code == 200 and api.get(f"{path}/execution").json()["reminders"][0]["statement"] == "经济困难"


def test_a_reminder_before_the_deadline_passed_is_refused_over_the_api(ew, client):
    enforcement = served(ew)
    api = Api(client).as_("officer_a1")
    answer = api.post(f"/api/enforcement/{enforcement.case_id}/remind", {"method": "in_person", "served_on": today().isoformat()})
    assert answer.status_code == 409 and "届满后方可催告" in answer.json()["message"]
    assert not Reminder.objects.exists()


def test_the_case_page_costs_the_same_with_one_and_five_reminders(ew, client, django_assert_num_queries):
    enforcement = overdue(ew)
    url = reverse("enforcement:detail", args=[enforcement.case_id])
    client.force_login(ew.officer_a1)
    serve_reminder(ew.officer_a1, enforcement, days_ago=30)
    with django_assert_num_queries(28):
        client.get(url)
    for days_ago in (25, 20, 15, 11):
        serve_reminder(ew.officer_a1, enforcement, days_ago=days_ago)
    with django_assert_num_queries(28):
        page = client.get(url).content.decode()
    assert page.count('data-testid="reminder"') == 5
