"""Events and calls rate through the kernel's one rating on the case (好差评): the reporter rates a
closed event, the calling township rates a confirmed call; the department figures average the
calls' ratings as before."""

import pytest
from django.urls import reverse

from zhenjie.calls import actions as calls
from zhenjie.calls.models import Call
from zhenjie.events import actions, analysis
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected
from zhenjie.kernel.models import Case, JournalEntry
from zhenjie.testing import make_event

pytestmark = pytest.mark.django_db


def confirmed_call(world, request="请依法查处"):
    event = make_event(world, category="pollution")
    actions.register_event(world.dispatcher_a, event)
    [call] = calls.call_departments(world.dispatcher_a, event.case, [world.police], request, 3)
    calls.acknowledge_call(world.liaison, call)
    calls.report_call(world.liaison, call, "已处理")
    calls.confirm_call(world.dispatcher_a, call)
    return Call.objects.select_related("case__area").get(pk=call.pk)


def test_a_call_is_rated_on_its_case_by_the_calling_township_after_confirming(world, client):
    call = confirmed_call(world)
    with pytest.raises(Forbidden):
        calls.rate_call(world.liaison, call, 5)
    with pytest.raises(Forbidden):
        calls.rate_call(world.dispatcher_b, call, 5)
    with pytest.raises(Rejected):
        calls.rate_call(world.dispatcher_a, call, 5, "长" * 501)
    calls.rate_call(world.dispatcher_a, call, 4, "响应及时")
    case = Case.objects.get(pk=call.case_id)
    assert (case.rating, case.rating_comment) == (4, "响应及时") and case.rated_at is not None
    assert not hasattr(Call, "rating") and JournalEntry.objects.get(case=case, verb="rate").summary == "评价：满意"
    with pytest.raises(Conflict):
        calls.rate_call(world.dispatcher_a, Call.objects.select_related("case__area").get(pk=call.pk), 5)
    client.force_login(world.dispatcher_a)
    page = client.get(reverse("calls:detail", args=[call.case_id])).content.decode()
    assert "4 星 响应及时" in page and "评价部门响应</button>" not in page


def test_an_unconfirmed_call_cannot_be_rated_and_the_page_offers_no_form(world, client):
    event = make_event(world, category="pollution")
    actions.register_event(world.dispatcher_a, event)
    [call] = calls.call_departments(world.dispatcher_a, event.case, [world.police], "请处置", 3)
    with pytest.raises(Conflict) as error:
        calls.rate_call(world.dispatcher_a, call, 4)
    assert error.value.message == "确认办结后才能评价"
    client.force_login(world.dispatcher_a)
    assert "评价部门响应</button>" not in client.get(reverse("calls:detail", args=[call.case_id])).content.decode()
    assert "评价部门响应</button>" in client.get(reverse("calls:detail", args=[confirmed_call(world).case_id])).content.decode()


def test_the_department_figures_average_the_calls_ratings_unrated_ones_left_out(world):
    for grade in (5, 4, None):
        call = confirmed_call(world, request=f"请处置{grade}")
        if grade is not None:
            calls.rate_call(world.dispatcher_a, call, grade)
    [figures] = calls.department_figures(Call.objects.all())
    assert (figures["received"], figures["solved"], figures["average_rating"]) == (3, 3, 4.5)
    [row] = analysis.department_ranking(world.county_admin)
    assert (row.name, row.average_rating) == (world.police.name, 4.5)
