"""The joins the browser done-when walks through, each on its page: the tracking code shown once at
filing and printed on the 收件回执; collecting the result at an agent point chosen at the window;
every step's form returning to the application's sheet; the deemed acceptance told to the desk once."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhenjie.kernel.errors import NotFound, Rejected
from zhenjie.kernel.models import Assignment, Document, Notification
from zhenjie.lists.models import ServiceMaterial
from zhenjie.window.actions.agents import record_handover
from zhenjie.window.actions.decision import approve_application
from zhenjie.window.actions.intake import file_application
from zhenjie.window.actions.delivery import default_method, deliver_application
from zhenjie.window.actions.notice import settle_deemed
from zhenjie.window.intake_receipt import KIND as INTAKE_RECEIPT
from zhenjie.window.models import Application, Direction
from zhenjie.window.points import ledger_for
from zhenjie.window.testing import make_application, make_point, make_window_world
from zhenjie.window.tests.test_notice import at, one_missing, pdf_text
from zhenjie.window.tests.test_intake import filing
from zhenjie.window.tests.test_pages import intake_post
from zhenjie.window.workflow import State

pytestmark = pytest.mark.django_db


@pytest.fixture
def ww(db):
    return make_window_world()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_code_is_shown_once_at_filing_and_printed_on_the_receipt(ww):
    clerk = client_for(ww.clerk_a)
    item = ww.items_a["ZW0001"]
    filed = clerk.post(reverse("window:new_item", args=[item.pk]), intake_post(item), follow=True)
    page = filed.content.decode()
    application = Application.objects.get()
    receipt = Document.objects.get(case=application.case, kind=INTAKE_RECEIPT)
    code = page.split('data-testid="tracking-code">')[1].split("<")[0]
    assert len(code) >= 8 and application.case.number in page and reverse("workbench:document_pdf", args=[receipt.pk]) in page
    text = pdf_text(receipt).replace("\n", "")
    assert code in text and application.case.number in text and "甲镇便民服务中心" in text
    # Once: the sheet again shows no code; the deciding back office cannot read the receipt.
    assert 'data-testid="tracking-code"' not in clerk.get(reverse("window:detail", args=[application.case_id])).content.decode()
    assert client_for(ww.backoffice_a).get(reverse("workbench:document_pdf", args=[receipt.pk])).status_code == 404


def test_the_clerk_chooses_the_agent_point_to_collect_at(ww):
    point = make_point(ww)
    clerk = client_for(ww.clerk_a)
    item = ww.items_a["ZW0001"]
    url = reverse("window:new_item", args=[item.pk])
    assert "甲一村代办点领取" in clerk.get(url).content.decode()
    refused = clerk.post(url, intake_post(item, delivery_point=ww.centre_b.pk))  # not offered: the form refuses it
    assert refused.status_code == 200 and 'data-field-error="delivery_point"' in refused.content.decode()
    for wrong in (ww.centre_b.pk, ww.centre_a.pk, "1"):  # the action too: only A's active points, by unit id
        with pytest.raises(Rejected, match="领取代办点须为甲镇在用的村级代办点"):
            file_application(ww.clerk_a, filing(item, delivery_point=wrong))
    with pytest.raises(Rejected, match="在代办点受理的申请在本代办点出件"):
        file_application(ww.agent_a, filing(ww.items_a["BM001"], channel="agent_point", delivery_point=point.unit_id))
    assert not Application.objects.exists()
    assert clerk.post(url, intake_post(item, delivery_point=point.unit_id)).status_code == 302
    assert Application.objects.get().delivery_point_id == point.unit_id


def test_an_agent_files_at_the_point_and_chooses_no_other(ww):
    make_point(ww)
    item = ww.items_a["BM001"]
    page = client_for(ww.agent_a).get(reverse("window:new_item", args=[item.pk])).content.decode()
    assert "领取地点" not in page  # filed at the point, collected there


def _collected_at_point(ww):
    point = make_point(ww)
    application = make_application(ww, state=State.REVIEWING)
    Application.objects.filter(pk=application.pk).update(delivery_point=point.unit)
    application.refresh_from_db()
    return point, approve_application(ww.backoffice_a, application, opinion="符合条件")


def test_a_result_collected_at_the_point_goes_to_its_agent(ww):
    point, application = _collected_at_point(ww)
    work = Assignment.objects.get(case=application.case, todo="deliver")
    assert (work.unit_id, work.role) == (point.unit_id, "village_agent")
    assert default_method(application) == "agent_point"
    ledger = ledger_for(ww.agent_a, point)
    assert [a.pk for a in ledger.to_bring] == [application.pk] and ledger.held == []  # no originals at the point
    record_handover(ww.agent_a, application, Direction.TO_POINT, received_by="代办员李四")
    home = client_for(ww.agent_a).get(reverse("window:agent_home")).content.decode()
    assert reverse("window:detail", args=[application.case_id]) in home and 'data-testid="hand-over-link"' in home
    with pytest.raises(NotFound):  # another township's clerk: not even there for them
        deliver_application(ww.clerk_b, application, method="window", received_by="王秀英")
    deliver_application(ww.agent_a, application, method="agent_point", received_by="王秀英")
    assert Application.objects.get(pk=application.pk).case.state == State.DELIVERED


def test_only_a_point_chosen_or_filed_at_takes_agent_point_delivery(ww):
    application = make_application(ww, state=State.DECIDED)
    with pytest.raises(Rejected) as refused:
        deliver_application(ww.clerk_a, application, method="agent_point", received_by="王秀英")
    assert refused.value.code == "application.not_from_agent_point"


def test_each_step_returns_to_the_sheet(ww):
    clerk, back_office = client_for(ww.clerk_a), client_for(ww.backoffice_a)
    application = make_application(ww)
    sheet = reverse("window:detail", args=[application.case_id])
    accepted = clerk.post(reverse("window_backoffice:act", args=[application.case_id, "accept"]))
    assert accepted.status_code == 302 and accepted.url == sheet
    queue = back_office.get(reverse("window_backoffice:queue")).content.decode()
    assert sheet in queue and reverse("window_backoffice:clock", args=[application.case_id]) not in queue
    decided = back_office.post(reverse("window:decide", args=[application.case_id]), {"decision": "approve", "text": ""})
    assert decided.status_code == 302 and decided.url == sheet
    handed = clerk.post(reverse("window:hand_over", args=[application.case_id]), {"method": "window", "received_by": "王秀英"})
    assert handed.status_code == 302 and handed.url == sheet


def test_the_sheet_offers_each_step_once(ww):
    application = make_application(ww)
    page = client_for(ww.clerk_a).get(reverse("window:detail", args=[application.case_id])).content.decode()
    assert page.count('data-testid="accept"') == 1 and page.count("/accept/") == 1
    assert page.count('action="' + reverse("window:act", args=[application.case_id, "withdraw"])) == 1


def test_a_deemed_acceptance_tells_the_front_desk_once(ww, monkeypatch):
    application = one_missing(ww, when=at(2026, 9, 30, 10))
    monkeypatch.setattr(timezone, "now", lambda: at(2026, 10, 14, 9))
    assert settle_deemed(Application.objects.get(pk=application.pk))
    assert settle_deemed(Application.objects.get(pk=application.pk))
    told = Notification.objects.filter(case=application.case, kind="warning")
    assert [(n.user_id, n.kind) for n in told] == [(ww.clerk_a.pk, "warning")]
    assert "视为受理" in told.get().title
    assert not Notification.objects.filter(user=ww.clerk_b).exists()


def test_materials_of_the_guide_are_listed_on_the_receipt(ww):
    """A paper not brought is not printed as received on the applicant's receipt."""
    clerk = client_for(ww.clerk_a)
    item = ww.items_a["ZW0001"]
    missing = ServiceMaterial.objects.get(item=item, name="申请表")
    clerk.post(reverse("window:new_item", args=[item.pk]), intake_post(item, **{f"m{missing.pk}_status": "missing"}))
    text = pdf_text(Document.objects.get(kind=INTAKE_RECEIPT)).replace("\n", "")
    assert "居民身份证" in text and "申请表" not in text


def test_a_citizen_online_chooses_a_point_and_gets_no_paper_receipt(ww):
    from zhenjie.window.tests.test_online import citizen

    point = make_point(ww)
    online = client_for(citizen())
    item = ww.items_a["ZW0001"]
    url = reverse("window_public:apply", args=[ww.world.a.code, item.pk])
    assert "甲一村代办点领取" in online.get(url).content.decode()
    data = intake_post(item, delivery_point=point.unit_id)
    data.pop("channel")
    assert online.post(url, data).status_code == 302
    application = Application.objects.get()
    assert application.delivery_point_id == point.unit_id and application.handover_unit_id == point.unit_id
    assert not Document.objects.filter(kind=INTAKE_RECEIPT).exists()  # the code is on the confirmation page


def test_progress_of_a_delivered_application_points_to_the_rating(client, ww):
    from zhenjie.kernel import tracking

    application = make_application(ww, state=State.DECIDED)
    code = tracking.issue_code(application.case)
    before = client.post(reverse("window_public:track"), {"number": application.case.number, "code": code}).content.decode()
    assert 'data-testid="rate-link"' not in before
    deliver_application(ww.clerk_a, application, method="window", received_by="王秀英")
    after = client.post(reverse("window_public:track"), {"number": application.case.number, "code": code}).content.decode()
    assert 'data-testid="rate-link"' in after and reverse("window_public:rate") in after


def test_the_api_files_with_a_point_to_collect_at(client, ww):
    from zhenjie.testing import Api, citizen_id

    point = make_point(ww)
    api = Api(client).as_(ww.clerk_a.username)
    item = ww.items_a["ZW0001"]
    materials = [{"material_id": m.pk, "status": "received", "form": m.form, "copies": m.copies}
                 for m in ServiceMaterial.objects.filter(item=item).order_by("position")]  # fmt: skip
    body = {"item_id": item.pk, "applicant_kind": "person", "applicant_name": "赵六", "id_number": citizen_id(13), "phone": "13800138002",
            "materials": materials}  # fmt: skip
    wrong = api.post("/api/applications", body | {"delivery_point": ww.centre_b.pk})
    assert wrong.status_code == 400 and wrong.json()["code"] == "application.delivery_point_invalid"
    assert api.post("/api/applications", body | {"delivery_point": "甲一村"}).status_code == 400
    assert not Application.objects.exists()
    assert api.post("/api/applications", body | {"delivery_point": point.unit_id}).status_code == 201
    assert Application.objects.get().delivery_point_id == point.unit_id
