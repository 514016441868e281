"""Agent points joined to the applications: the numbered 代办件交接单 of each ledger line, the
hand-over at the point only once the result reached it, the township's per-point items (the
intake form and its check read the same function), the application's agent panel, the public
page's items per point and its place in the public nav."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhenjie.kernel.errors import Conflict, Forbidden, NotFound, Rejected
from zhenjie.kernel.models import Document, JournalEntry
from zhenjie.window.actions.agents import record_handover, set_point_item
from zhenjie.window.actions.delivery import deliver_application
from zhenjie.window.actions.intake import guide_items
from zhenjie.window.decision_papers import HANDOVER_SLIP
from zhenjie.window.models import Channel, Direction, Handover, PaperTransfer, PointItem
from zhenjie.window.points import items_for_point, items_of_points
from zhenjie.window.testing import make_application, make_point, make_window_world
from zhenjie.window.transfer_slips import TRANSFER_SLIP
from zhenjie.window.workflow import State

from .test_decision import pdf_text
from .test_intake import filing

pytestmark = pytest.mark.django_db
JUNE = date(2026, 6, 1)


@pytest.fixture
def ww():
    return make_window_world()


# ---- the slip (代办件交接单) -------------------------------------------------------------------


def test_each_transfer_issues_a_numbered_slip_in_the_recorders_unit(ww):
    make_point(ww)
    application = make_application(ww, "BM001", at_point=ww.world.committee_a)
    carried = record_handover(ww.agent_a, application, Direction.TO_CENTRE, received_by="窗口李娜", note="<b>两份</b>")
    assert carried.slip.kind == TRANSFER_SLIP and carried.slip.number == "甲一代交〔2026〕第1号"  # the committee's series
    text = pdf_text(carried.slip)
    for expected in ("代办件交接单", application.case.number, "原件送交中心", "甲一村代办点", "居民身份证(原件1份)", "窗口李娜", "<b>两份</b>"):
        assert expected in text

    decided = make_application(ww, "BM001", at_point=ww.world.committee_a, state=State.DECIDED)
    back = record_handover(ww.clerk_a, decided, Direction.TO_POINT, received_by="张代办")
    assert back.slip.number == "甲镇代交〔2026〕第1号"  # the centre's own series
    assert "审批结果：准予" in pdf_text(back.slip)


def test_a_refused_transfer_takes_no_slip_number(ww):
    make_point(ww)
    application = make_application(ww, "BM001", at_point=ww.world.committee_a)
    with pytest.raises(Conflict):  # not decided: no result to carry back
        record_handover(ww.clerk_a, application, Direction.TO_POINT, received_by="张代办")
    with pytest.raises(Rejected):  # a character the slip cannot print: refused on the field, nothing kept
        record_handover(ww.agent_a, application, Direction.TO_CENTRE, received_by="李\U00030000")
    assert not Document.objects.filter(kind=TRANSFER_SLIP).exists() and not PaperTransfer.objects.exists()
    assert record_handover(ww.agent_a, application, Direction.TO_CENTRE, received_by="李娜").slip.number.endswith("第1号")


def test_the_ledger_prints_the_slips_and_b_cannot_open_them(ww, client):
    point = make_point(ww)
    application = make_application(ww, "BM001", at_point=ww.world.committee_a)
    slip = record_handover(ww.agent_a, application, Direction.TO_CENTRE, received_by="窗口李娜").slip
    client.force_login(ww.clerk_a)
    page = client.get(reverse("window:agent_point", args=[point.pk])).content.decode()
    assert reverse("workbench:document_pdf", args=[slip.pk]) in page and slip.number in page
    assert client.get(reverse("workbench:document_pdf", args=[slip.pk]))["Content-Type"] == "application/pdf"
    client.force_login(ww.clerk_b)
    assert client.get(reverse("workbench:document_pdf", args=[slip.pk])).status_code == 404


def test_the_slip_is_issued_by_exactly_those_who_may_record_the_transfer(ww):
    from zhenjie.areas.actions import create_area
    from zhenjie.kernel import documents
    from zhenjie.kernel.documents import kind_for
    from zhenjie.testing import make_user
    from zhenjie.units.actions import create_unit
    from zhenjie.units.models import Unit
    from zhenjie.window.points import may_record_transfer

    world = ww.world
    point = make_point(ww)
    application = make_application(ww, "BM001", at_point=world.committee_a)
    # An agent of another village's point, posted over the whole township: an agent, in the
    # township, who sees the case — but not of this point.
    village_2, _ = create_area(None, code="990199101202", name="甲二村", level="village", parent=world.a, village_kind="village")
    committee_2 = create_unit(None, name="甲二村村民委员会", kind=Unit.Kind.VILLAGE_COMMITTEE, area=village_2)
    other_agent = make_user("agent_a2", committee_2, ["village_agent"], world.a)
    slip = kind_for(TRANSFER_SLIP)
    people = {"agent_a": ww.agent_a, "clerk_a": ww.clerk_a, "leader_a": world.leader_a, "backoffice_a": ww.backoffice_a,
              "dispatcher_a": world.dispatcher_a, "agent_a2": other_agent, "clerk_b": ww.clerk_b}  # fmt: skip
    may = {name: may_record_transfer(user, point) for name, user in people.items()}
    assert may == {"agent_a": True, "clerk_a": True, "leader_a": True, "backoffice_a": False, "dispatcher_a": False,
                   "agent_a2": False, "clerk_b": False}  # fmt: skip
    assert {name: slip.may_issue(user, application.case) for name, user in people.items()} == may

    extra = {"point": point.name, "direction": "原件送交中心", "papers": "身份证", "handed_at": "2026年6月1日 09:00", "received_by": "李娜"}
    numbers = [documents.issue_document(people[name], application.case, TRANSFER_SLIP, extra=extra).number
               for name in ("agent_a", "clerk_a")]  # fmt: skip
    assert numbers == ["甲一代交〔2026〕第1号", "甲镇代交〔2026〕第1号"]  # the committee's series, the centre's
    for name in ("backoffice_a", "dispatcher_a", "agent_a2"):
        with pytest.raises(Forbidden) as refused:
            documents.issue_document(people[name], application.case, TRANSFER_SLIP, extra=extra)
        assert refused.value.message == "只有本代办点代办员或便民服务中心窗口人员可以出具代办件交接单"
    with pytest.raises(NotFound) as hidden:  # another township's clerk: the application is not even there
        documents.issue_document(ww.clerk_b, application.case, TRANSFER_SLIP, extra=extra)
    assert hidden.value.message == "事项不存在或不在您的辖区内"
    with pytest.raises(Forbidden) as refused:  # and the ledger line itself says the same
        record_handover(other_agent, application, Direction.TO_CENTRE, received_by="李娜")
    assert refused.value.message == "只有本代办点代办员或便民服务中心窗口人员可以登记交接"
    assert Document.objects.filter(kind=TRANSFER_SLIP).count() == 2 and not PaperTransfer.objects.exists()


# ---- the hand-over at the point joins the ledger ------------------------------------------------


def test_the_agent_cannot_hand_over_at_the_point_before_the_result_reached_it(ww):
    make_point(ww)
    application = make_application(ww, "BM001", at_point=ww.world.committee_a, state=State.DECIDED)
    with pytest.raises(Conflict) as refused:
        deliver_application(ww.agent_a, application, method="agent_point", received_by="王秀英")
    assert refused.value.code == "application.result_not_at_point" and "结果送回代办点" in refused.value.message
    application.case.refresh_from_db()
    assert application.case.state == State.DECIDED
    assert not Handover.objects.exists() and not Document.objects.filter(kind=HANDOVER_SLIP).exists()

    record_handover(ww.clerk_a, application, Direction.TO_POINT, received_by="张代办")
    deliver_application(ww.agent_a, application, method="agent_point", received_by="王秀英")
    application.case.refresh_from_db()
    assert application.case.state == State.DELIVERED


def test_by_post_the_point_need_not_hold_the_result(ww):
    make_point(ww)
    application = make_application(ww, "BM001", at_point=ww.world.committee_a, state=State.DECIDED)
    deliver_application(ww.agent_a, application, method="post", tracking_number="EA123456789CN")
    assert application.delivery_method == "post"


# ---- per-point items (复杂事项可代办) -----------------------------------------------------------


def codes(rows) -> list[str]:
    return [item.code for item in rows]


def test_the_township_entrusts_and_removes_items_per_point_and_intake_honours_it(ww):
    from zhenjie.window.actions.intake import file_application

    point = make_point(ww)
    assert codes(items_for_point(point, JUNE)) == ["BM001"]
    set_point_item(ww.world.leader_a, point, "ZW0002", True)  # 复杂事项可代办
    set_point_item(ww.clerk_a, point, "BM001", False)
    assert codes(items_for_point(point, JUNE)) == ["ZW0002"]
    assert codes(guide_items(ww.world.a, JUNE, channel=Channel.AGENT_POINT, point=point)) == ["ZW0002"]
    filed = file_application(ww.agent_a, filing(ww.items_a["ZW0002"], channel=Channel.AGENT_POINT))
    assert filed.application.item_code == "ZW0002"
    with pytest.raises(Rejected) as refused:
        file_application(ww.agent_a, filing(ww.items_a["BM001"], channel=Channel.AGENT_POINT))
    assert refused.value.code == "application.not_agent_item"
    entries = JournalEntry.objects.filter(verb="window.agent_point.item", subject=f"agent_point:{point.pk}").order_by("pk")
    assert [e.data["takes"] for e in entries] == [[None, True], [None, False]]

    # Back to what the guide says: the point's own choice is dropped.
    set_point_item(ww.clerk_a, point, "BM001", True)
    assert list(PointItem.objects.values_list("code", flat=True)) == ["ZW0002"]
    assert codes(items_for_point(point, JUNE)) == ["ZW0002", "BM001"]  # guide order


@pytest.mark.parametrize(
    ("who", "code", "takes", "error"),
    [
        ("clerk_b", "ZW0002", True, Forbidden),  # another township
        ("agent_a", "ZW0002", True, Forbidden),  # the agent does not choose their own items
        ("leader_a", "XX9999", True, Rejected),  # not in the guide
        ("leader_a", "", True, Rejected),
        ("leader_a", "Z" * 65, True, Rejected),
        ("leader_a", "ZW0002", "yes", Rejected),
    ],
)
def test_bad_item_choices_are_refused_and_write_nothing(ww, who, code, takes, error):
    point = make_point(ww)
    actor = getattr(ww, who, None) or getattr(ww.world, who)
    with pytest.raises(error):
        set_point_item(actor, point, code, takes)
    assert not PointItem.objects.exists()
    assert not JournalEntry.objects.filter(verb="window.agent_point.item").exists()


def test_the_point_page_toggles_an_item_and_the_public_page_lists_each_points_items(ww, client):
    point = make_point(ww)
    client.force_login(ww.clerk_a)
    answer = client.post(reverse("window:agent_point_item", args=[point.pk]), {"code": "ZW0002", "takes": "1"})
    assert answer.status_code == 302 and PointItem.objects.get().takes is True
    page = client.get(reverse("window:agent_point", args=[point.pk])).content.decode()
    assert "乡镇委托代办" in page and "移出本点" in page
    bad = client.post(reverse("window:agent_point_item", args=[point.pk]), {"code": "ZW0002", "takes": "maybe"}, follow=True)
    assert "请选择可代办或不可代办" in bad.content.decode()
    client.force_login(ww.clerk_b)
    assert client.post(reverse("window:agent_point_item", args=[point.pk]), {"code": "ZW0001", "takes": "1"}).status_code == 404

    public = client.get(reverse("window_public:agent_points_township", args=[ww.world.a.code])).content.decode()
    assert "高龄津贴申请" in public and "老年人优待证代办" in public


def test_the_items_of_a_townships_points_load_in_a_fixed_number_of_queries(ww):
    from zhenjie.units.actions import create_unit
    from zhenjie.units.models import Unit

    from zhenjie.window.actions.agents import create_point

    first = make_point(ww)
    with CaptureQueriesContext(connection) as one:
        items_of_points([first], JUNE)
    second_unit = create_unit(None, name="甲镇党群服务中心", kind=Unit.Kind.CENTRE, area=ww.world.a)
    second = create_point(ww.world.leader_a, unit=second_unit, name="甲镇党群服务中心代办点", villages=[ww.world.village_a],
                          phone="0317-7654321", address="甲镇", hours="周一至周五")  # fmt: skip
    set_point_item(ww.world.leader_a, second, "ZW0001", True)
    with CaptureQueriesContext(connection) as two:
        items = items_of_points([first, second], JUNE)
    assert len(two) == len(one)
    assert codes(items[first.pk]) == ["BM001"] and codes(items[second.pk]) == ["ZW0001", "BM001"]


# ---- the application's agent panel ------------------------------------------------------------


def test_the_panel_shows_the_point_the_carry_limit_and_records_from_the_application(ww, client):
    make_point(ww)
    application = make_application(ww, "BM001", at_point=ww.world.committee_a)
    detail = reverse("window:detail", args=[application.case_id])
    client.force_login(ww.clerk_a)
    page = client.get(detail).content.decode()
    assert 'data-testid="agent-panel"' in page and "甲一村代办点" in page and "3个工作日" in page
    assert 'data-testid="transfer-to_centre"' in page and 'data-testid="transfer-to_point"' not in page

    point_id = application.intake_unit.agent_point.pk
    answer = client.post(reverse("window:agent_point_handover", args=[point_id]),
                         {"application": application.pk, "direction": "to_centre", "received_by": "窗口李娜", "next": "detail"})  # fmt: skip
    assert answer.status_code == 302 and answer.url == detail
    page = client.get(detail).content.decode()
    slip = PaperTransfer.objects.get().slip
    assert "已于" in page and slip.number in page and 'data-testid="transfer-to_centre"' not in page

    empty = client.post(reverse("window:agent_point_handover", args=[point_id]),
                        {"application": application.pk, "direction": "to_point", "received_by": "", "next": "detail"}, follow=True)  # fmt: skip
    assert "签收人" in empty.content.decode() and PaperTransfer.objects.count() == 1


def test_the_panel_offers_the_return_trip_once_decided_and_not_to_township_b(ww, client):
    make_point(ww)
    application = make_application(ww, "BM001", at_point=ww.world.committee_a, state=State.DECIDED)
    client.force_login(ww.agent_a)
    page = client.get(reverse("window:detail", args=[application.case_id])).content.decode()
    assert 'data-testid="transfer-to_point"' in page and "办理结果尚在中心" in page
    client.force_login(ww.clerk_b)
    assert client.get(reverse("window:detail", args=[application.case_id])).status_code == 404


def test_no_panel_for_an_application_taken_at_the_window(ww, client):
    application = make_application(ww, "ZW0001")
    client.force_login(ww.clerk_a)
    assert 'data-testid="agent-panel"' not in client.get(reverse("window:detail", args=[application.case_id])).content.decode()


def test_the_public_portal_nav_leads_to_the_points(ww, client):
    make_point(ww)
    portal = client.get(reverse("lists:public_index")).content.decode()  # any page of the public portal
    assert f'href="{reverse("window_public:agent_points")}"' in portal
    index = client.get(reverse("window_public:agent_points")).content.decode()
    assert reverse("window_public:agent_points_township", args=[ww.world.a.code]) in index
