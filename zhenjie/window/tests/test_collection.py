"""How the applicant collects the result, changed after filing (统一窗口出件, seed 002 §三(六)): at
the window, by post or at one of the township's agent points, until it is handed over; recorded
by the front desk at the applicant's request, or by the applicant online; journaled."""

import pytest
from django.urls import reverse

from zhenjie.accounts.models import User
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.kernel.errors import Conflict, Forbidden, NotFound, Rejected
from zhenjie.kernel.models import Assignment, Case, JournalEntry
from zhenjie.window.actions.agents import record_handover
from zhenjie.window.actions.delivery import change_collection, collection_of, deliver_application
from zhenjie.window.models import Application, Direction
from zhenjie.window.queries import get_application_for
from zhenjie.window.testing import make_application, make_point, make_window_world
from zhenjie.window.workflow import State

from .test_decision_api import headers
from .test_decision_pages import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def ww(world):
    ww = make_window_world(world)
    ww.point = make_point(ww)
    return ww


def fresh(application) -> Application:
    return Application.objects.select_related("case", "intake_unit", "delivery_point").get(pk=application.pk)


def changes(application) -> list[JournalEntry]:
    return list(JournalEntry.objects.filter(case=application.case, verb="window.collection"))


def test_the_clerk_records_the_applicants_wish_to_collect_at_the_village_point(ww):
    application = make_application(ww, state=State.REVIEWING)
    change_collection(ww.clerk_a, application, method="agent_point", point=ww.world.committee_a.pk, note="申请人来电")
    application = fresh(application)
    assert collection_of(application) == "agent_point" and application.handover_unit == ww.world.committee_a
    [entry] = changes(application)
    assert entry.summary == "领取方式：窗口领取（甲镇便民服务中心） → 代办点领取（甲一村村民委员会）"
    assert entry.note == "申请人申请更改，窗口登记：申请人来电"


def test_once_decided_the_hand_over_work_follows_the_new_choice(ww):
    application = make_application(ww, state=State.DECIDED)
    change_collection(ww.clerk_a, application, method="agent_point", point=ww.world.committee_a.pk)
    work = Assignment.objects.get(case=application.case, todo="deliver", state="open")
    assert (work.unit, work.role) == (ww.world.committee_a, R.VILLAGE_AGENT)
    change_collection(ww.world.agent_a, fresh(application), method="post", address="甲镇幸福路8号 王秀英 13800138000")
    application = fresh(application)
    work = Assignment.objects.get(case=application.case, todo="deliver", state="open")
    assert (work.unit, work.role) == (ww.centre_a, R.WINDOW_CLERK) and application.post_address.startswith("甲镇幸福路8号")
    assert len(changes(application)) == 2
    deliver_application(ww.clerk_a, application, method="post", tracking_number="SF1234567890")
    with pytest.raises(Conflict, match="已出件"):
        change_collection(ww.clerk_a, fresh(application), method="window")
    assert len(changes(application)) == 2


def test_an_application_filed_at_the_point_can_be_collected_at_the_centres_window(ww):
    application = make_application(ww, state=State.DECIDED, at_agent_point=True)
    change_collection(ww.world.agent_a, application, method="window")
    application = fresh(application)
    assert application.handover_unit == ww.centre_a and collection_of(application) == "window"
    assert Assignment.objects.get(case=application.case, todo="deliver", state="open").unit == ww.centre_a


def test_bad_requests_are_refused_by_field_and_change_nothing(ww):
    application = make_application(ww, state=State.REVIEWING)
    other_point = make_application(ww, township=ww.world.b)  # any unit of B is not A's point
    cases = (
        ({"method": "drone"}, "method", "请选择领取方式"),
        ({"method": "agent_point"}, "point", "领取代办点须为甲镇在用的村级代办点"),
        ({"method": "agent_point", "point": other_point.intake_unit_id}, "point", "领取代办点须为甲镇在用的村级代办点"),
        ({"method": "agent_point", "point": "1"}, "point", "领取代办点须为甲镇在用的村级代办点"),
        ({"method": "window", "point": ww.world.committee_a.pk}, "point", "只有代办点领取需要选择代办点"),
        ({"method": "post", "address": "   "}, "address", "邮寄送达须填写邮寄地址"),
        ({"method": "post", "address": "地" * 201}, "address", "邮寄送达须填写邮寄地址"),
        ({"method": "window"}, "method", "领取方式与原来相同"),
        ({"method": "window", "note": "说" * 201}, "note", "说明不超过200字"),
    )
    for values, field, message in cases:
        with pytest.raises(Rejected) as refused:
            change_collection(ww.clerk_a, fresh(application), **values)
        assert field in refused.value.fields and message in refused.value.message, values
    assert not changes(application) and fresh(application).collection == ""


def test_who_may_change_it(ww):
    application = make_application(ww, state=State.REVIEWING)
    with pytest.raises(Forbidden, match="只有受理窗口、代办点或网上申请的申请人本人可以更改领取方式"):
        change_collection(ww.backoffice_a, application, method="post", address="甲镇幸福路8号")
    with pytest.raises(NotFound):
        get_application_for(ww.clerk_b, application.case_id)
    assert not changes(application)


def test_a_result_already_carried_to_the_point_stays_there(ww):
    application = make_application(ww, state=State.DECIDED, at_agent_point=True)
    record_handover(ww.world.agent_a, application, Direction.TO_POINT, received_by="李代办")
    with pytest.raises(Conflict, match="办理结果已送至甲一村村民委员会"):
        change_collection(ww.world.agent_a, fresh(application), method="window")
    assert not changes(application)


def test_the_form_on_the_sheet_and_township_b_gets_404(ww):
    application = make_application(ww, state=State.REVIEWING)
    url = reverse("window:collection", args=[application.case_id])
    clerk = client_for(ww.clerk_a)
    sheet = clerk.get(reverse("window:detail", args=[application.case_id])).content.decode()
    assert 'data-testid="collection-form"' in sheet and "窗口领取（甲镇便民服务中心）" in sheet
    refused = clerk.post(url, {"method": "post", "address": ""})
    assert refused.status_code == 400 and "邮寄送达须填写邮寄地址" in refused.content.decode()
    assert clerk.post(url, {"method": "agent_point", "point": "abc"}).status_code == 400
    for user in (ww.clerk_b, ww.backoffice_b):
        assert client_for(user).post(url, {"method": "post", "address": "乙镇"}).status_code == 404
    assert 'data-testid="collection-form"' not in client_for(ww.backoffice_a).get(reverse("window:detail", args=[application.case_id])).content.decode()
    done = clerk.post(url, {"method": "agent_point", "point": ww.world.committee_a.pk, "note": "申请人要求"})
    assert done.status_code == 302
    sheet = clerk.get(reverse("window:detail", args=[application.case_id])).content.decode()
    assert "代办点领取（甲一村村民委员会）" in sheet


def test_the_api_changes_it_and_reaches_nothing_of_another_township(client, ww):
    application = make_application(ww, state=State.DECIDED)
    path = f"/api/window/applications/{application.case_id}/collection"
    for user in (ww.clerk_b, ww.backoffice_b):
        assert client.post(path, {"method": "window"}, content_type="application/json", **headers(client, user)).status_code == 404
    clerk = headers(client, ww.clerk_a)
    assert client.post(path, {"method": "agent_point", "point_id": 0}, content_type="application/json", **clerk).status_code in (400, 422)
    forbidden = client.post(path, {"method": "post", "address": "甲镇"}, content_type="application/json", **headers(client, ww.backoffice_a))
    assert forbidden.status_code == 403
    answer = client.post(path, {"method": "agent_point", "point_id": ww.world.committee_a.pk}, content_type="application/json", **clerk)
    assert answer.status_code == 200, answer.content
    assert answer.json() | {"id": 0} == {"id": 0, "method": "agent_point", "method_label": "代办点领取", "unit_id": ww.world.committee_a.pk,
                                         "unit": "甲一村村民委员会", "post_address": ""}
    again = client.post(path, {"method": "agent_point", "point_id": ww.world.committee_a.pk}, content_type="application/json", **clerk)
    assert again.status_code == 400 and "领取方式与原来相同" in again.json()["message"]


def test_the_applicant_changes_it_online_for_their_own_application_only(ww):
    person = User.objects.create(username="citizen1", full_name="周晓明", kind=User.Kind.CITIZEN)
    mine = make_application(ww, state=State.REVIEWING)
    Application.objects.filter(pk=mine.pk).update(citizen_account=person)
    Case.objects.filter(pk=mine.case_id).update(channel="online")
    someone_elses = make_application(ww, state=State.REVIEWING)
    citizen = client_for(person)
    page = citizen.get(reverse("window_public:mine", args=[mine.case_id])).content.decode()
    assert 'data-testid="collection-form"' in page and 'name="note"' not in page
    refused = citizen.post(reverse("window_public:collection", args=[mine.case_id]), {"method": "post"})
    assert refused.status_code == 400 and "邮寄送达须填写邮寄地址" in refused.content.decode()
    done = citizen.post(reverse("window_public:collection", args=[mine.case_id]), {"method": "post", "address": "甲镇幸福路8号"})
    assert done.status_code == 302
    assert fresh(mine).collection == "post" and changes(mine)[0].note == "申请人网上申请更改"
    assert citizen.post(reverse("window_public:collection", args=[someone_elses.case_id]), {"method": "window"}).status_code == 404
    with pytest.raises(Forbidden):
        change_collection(person, someone_elses, method="post", address="甲镇")
    assert not changes(someone_elses)
