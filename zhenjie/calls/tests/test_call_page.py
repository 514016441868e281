"""The call sheet on the page kit: its steps post to the kit's one act view (calls:act, the path
the page always posted to), refusals come back on the page in Chinese, out of reach is 404."""

import pytest
from django.urls import reverse

from zhenjie.calls import actions as calls
from zhenjie.calls.models import Call
from zhenjie.events import actions
from zhenjie.testing import make_event

pytestmark = pytest.mark.django_db


def called(world):
    event = make_event(world, category="pollution")
    actions.register_event(world.dispatcher_a, event)
    [call] = calls.call_departments(world.dispatcher_a, event.case, [world.police], "请派员现场取证", 3)
    return call


def act(call, step):
    return reverse("calls:act", args=[call.case_id, step])


def state_of(call):
    return Call.objects.select_related("case").get(pk=call.pk).case.state


def test_the_liaison_acknowledges_and_reports_back_on_the_page(client, world):
    call = called(world)
    client.force_login(world.liaison)
    detail = reverse("calls:detail", args=[call.case_id])
    page = client.get(detail).content.decode()
    assert f'action="{act(call, "acknowledge")}"' in page and act(call, "report_back") not in page
    answer = client.post(act(call, "acknowledge"))
    assert answer.status_code == 302 and answer["Location"] == detail
    page = client.get(detail).content.decode()
    assert "操作成功" in page and "已响应" in page and f'action="{act(call, "report_back")}"' in page
    assert client.post(act(call, "report_back"), {"result": "已立案调查"}).status_code == 302
    assert state_of(call) == "reported" and Call.objects.get(pk=call.pk).result == "已立案调查"
    assert "已立案调查" in client.get(detail).content.decode()


def test_under_htmx_a_report_without_a_result_comes_back_as_the_panel_and_success_reloads_the_page(client, world):
    call = called(world)
    calls.acknowledge_call(world.liaison, call)
    client.force_login(world.liaison)
    refused = client.post(act(call, "report_back"), {"result": "  "}, HTTP_HX_REQUEST="true")
    panel = refused.content.decode()
    assert refused.status_code == 200 and "<html" not in panel and 'data-field-error="result"' in panel
    done = client.post(act(call, "report_back"), {"result": "已处置"}, HTTP_HX_REQUEST="true")
    assert done.status_code == 204 and done["HX-Redirect"] == reverse("calls:detail", args=[call.case_id])
    assert state_of(call) == "reported"


def test_a_step_the_viewer_may_not_take_is_refused_on_the_page_in_chinese(client, world):
    call = called(world)
    client.force_login(world.liaison)
    refused = client.post(act(call, "confirm"))
    assert refused.status_code == 200
    page = refused.content.decode()
    assert 'data-testid="action-error">您没有「确认办结」此事项的权限<' in page and "呼叫单位" in page  # the whole sheet, with the error
    assert state_of(call) == "called"
    client.force_login(world.dispatcher_a)
    refused = client.post(act(call, "withdraw"), {"reason": " "})
    assert refused.status_code == 200 and 'data-field-error="reason"' in refused.content.decode()
    assert state_of(call) == "called"
    assert client.post(act(call, "fly")).status_code == 404


def test_the_calling_township_rates_on_the_page_once(client, world):
    call = called(world)
    calls.acknowledge_call(world.liaison, call)
    calls.report_call(world.liaison, call, "已取证")
    calls.confirm_call(world.dispatcher_a, call)
    client.force_login(world.dispatcher_a)
    assert client.post(act(call, "rate"), {"rating": "4", "comment": "响应及时"}).status_code == 302
    case = Call.objects.select_related("case").get(pk=call.pk).case
    assert (case.rating, case.rating_comment) == (4, "响应及时")
    again = client.post(act(call, "rate"), {"rating": "5"})
    assert again.status_code == 200 and "已评价过，每件只能评价一次" in again.content.decode()


def test_another_township_gets_404_for_the_sheet_and_every_step(client, world):
    call = called(world)
    client.force_login(world.dispatcher_b)
    assert client.get(reverse("calls:detail", args=[call.case_id])).status_code == 404
    for step, data in [("acknowledge", {}), ("withdraw", {"reason": "越界"}), ("confirm", {})]:
        assert client.post(act(call, step), data).status_code == 404, step
    assert state_of(call) == "called"
