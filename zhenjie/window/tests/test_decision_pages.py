"""The decision panel, its forms, the county's window settings and the portal's rating page;
township A's clerk sees nothing of B's."""

import pytest
from django.test import Client
from django.urls import reverse

from zhenjie.kernel import tracking
from zhenjie.kernel.models import Case, Document
from zhenjie.window.actions.delivery import deliver_application
from zhenjie.window.models import WindowPolicy
from zhenjie.window.testing import make_application, make_window_world
from zhenjie.window.workflow import State

pytestmark = pytest.mark.django_db


@pytest.fixture
def ww():
    return make_window_world()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_back_office_decides_on_the_page_and_the_panel_shows_the_decision(ww):
    application = make_application(ww, state=State.REVIEWING)
    back_office = client_for(ww.backoffice_a)
    page = back_office.get(reverse("window:decision", args=[application.case_id]))
    assert page.status_code == 200 and 'data-testid="decide-form"' in page.content.decode()
    refused = back_office.post(reverse("window:decide", args=[application.case_id]), {"decision": "refuse", "text": ""})
    assert refused.status_code == 400 and "须填写理由" in refused.content.decode()
    done = back_office.post(reverse("window:decide", args=[application.case_id]), {"decision": "approve", "text": "符合条件"})
    assert done.status_code == 302
    page = client_for(ww.clerk_a).get(reverse("window:decision", args=[application.case_id])).content.decode()
    assert "准予决定书" in page and "出件期限" in page and 'data-testid="hand-over-form"' in page


def test_the_clerk_hands_over_on_the_page(ww):
    application = make_application(ww, state=State.DECIDED)
    clerk = client_for(ww.clerk_a)
    url = reverse("window:hand_over", args=[application.case_id])
    refused = clerk.post(url, {"method": "post", "tracking_number": ""})
    assert refused.status_code == 400 and "邮寄送达须填写邮寄单号" in refused.content.decode()
    assert clerk.post(url, {"method": "window", "received_by": "<b>王秀英</b>"}).status_code == 302
    page = clerk.get(reverse("window:decision", args=[application.case_id])).content.decode()
    assert "送达回证" in page and "&lt;b&gt;王秀英&lt;/b&gt;" in page


def test_the_application_sheet_lists_each_paper_once(ww):
    application = make_application(ww, state=State.REVIEWING)
    client_for(ww.backoffice_a).post(reverse("window:decide", args=[application.case_id]), {"decision": "approve", "text": "符合条件"})
    number = Document.objects.get(case=application.case, kind="approval_decision").number
    sheet = client_for(ww.clerk_a).get(reverse("window:detail", args=[application.case_id])).content.decode()
    documents_card, rest = sheet.split('data-testid="decision-panel"')
    assert f"准予决定书 {number}" in documents_card
    assert number not in rest.split('id="application-panel"')[0]  # not again in the decision panel
    assert client_for(ww.clerk_a).get(reverse("window:decision", args=[application.case_id])).content.decode().count(number) == 1


def test_township_b_sees_nothing_of_a(ww):
    application = make_application(ww, state=State.REVIEWING)
    for user in (ww.clerk_b, ww.backoffice_b):
        other = client_for(user)
        assert other.get(reverse("window:decision", args=[application.case_id])).status_code == 404
        assert other.post(reverse("window:decide", args=[application.case_id]), {"decision": "approve", "text": ""}).status_code == 404
        assert other.post(reverse("window:hand_over", args=[application.case_id]), {"method": "window", "received_by": "x"}).status_code == 404
    assert Case.objects.get(pk=application.case_id).state == State.REVIEWING


def test_the_county_administrator_sets_the_window_settings(ww):
    admin = client_for(ww.world.county_admin)
    url = reverse("window:settings")
    assert admin.get(url).status_code == 200
    bad = admin.post(url, {"version": 1, "rectification_days": 99, "delivery_days": 10})
    assert bad.status_code == 400 and "1至20" in bad.content.decode() and not WindowPolicy.objects.exists()
    assert admin.post(url, {"version": 1, "rectification_days": 7, "delivery_days": 12}).status_code == 302
    policy = WindowPolicy.objects.get(county=ww.world.county)
    assert (policy.rectification_days, policy.delivery_days) == (7, 12)
    stale = admin.post(url, {"version": 1, "rectification_days": 3, "delivery_days": 12})
    assert stale.status_code == 400 and WindowPolicy.objects.get().rectification_days == 7
    assert client_for(ww.clerk_a).get(url).status_code == 403


def test_the_applicant_rates_on_the_portal_with_number_and_code(ww):
    application = make_application(ww, state=State.DECIDED)
    code = tracking.issue_code(application.case)
    deliver_application(ww.clerk_a, application, method="window", received_by="王秀英")
    portal = Client()
    url = reverse("window_public:rate")
    wrong = portal.post(url, {"number": application.case.number, "code": "ABCDEFGH", "rating": 5})
    assert wrong.status_code == 400 and "编号或查询码不正确" in wrong.content.decode()
    done = portal.post(url, {"number": application.case.number, "code": code, "rating": 1, "comment": "态度差"})
    assert done.status_code == 200 and 'data-testid="rated"' in done.content.decode() and "no-store" in done["Cache-Control"]
    assert Case.objects.get(pk=application.case_id).rating == 1
