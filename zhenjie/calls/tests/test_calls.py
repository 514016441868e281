import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhenjie.calls import actions as calls
from zhenjie.calls.models import Call
from zhenjie.calls.queries import calls_for
from zhenjie.events import actions
from zhenjie.events.queries import events_for, get_event_for
from zhenjie.kernel.assignments import inbox_for
from zhenjie.kernel.errors import Conflict, Forbidden, NotFound, Rejected
from zhenjie.testing import make_event, make_user
from zhenjie.units.actions import create_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_department(world):
    environment = create_unit(None, name="测试县生态环境分局", kind="department", area=world.county)
    liaison = make_user("liaison_env", environment, ["department_liaison"], None)
    return environment, liaison


def open_event(world):
    event = make_event(world, category="pollution")
    actions.register_event(world.dispatcher_a, event)
    return event


def test_a_call_reaches_the_departments_liaison_and_nothing_else_of_the_township(world):
    event = open_event(world)
    other = open_event(world)
    [call] = calls.call_departments(world.dispatcher_a, event.case, [world.police], "请派员现场取证", 3)
    assert [a.todo for a in inbox_for(world.liaison)] == ["respond"]
    assert list(calls_for(world.liaison)) == [call]
    assert not events_for(world.liaison).exists()
    for hidden in (event, other):
        with pytest.raises(NotFound):
            get_event_for(world.liaison, hidden.case_id)


def test_the_whole_call_loop_and_the_departments_figures(world):
    event = open_event(world)
    [call] = calls.call_departments(world.leader_a, event.case, [world.police], "请依法查处", 3)
    calls.acknowledge_call(world.liaison, call)
    calls.report_call(world.liaison, call, "已立案调查")
    calls.reject_call(world.dispatcher_a, call, "请补充处理结果文书")
    calls.report_call(world.liaison, call, "已作出处罚决定并送达")
    calls.confirm_call(world.dispatcher_a, call)
    calls.rate_call(world.dispatcher_a, Call.objects.get(pk=call.pk), 4, "响应及时")
    [figures] = calls.department_figures(Call.objects.all())
    assert figures["received"] == 1 and figures["acknowledged_on_time"] == 1
    assert figures["solved_on_time"] == 1 and figures["average_rating"] == 4


def test_a_call_is_due_for_a_response_after_the_countys_response_time(client, world):
    event = open_event(world)
    before = timezone.now()
    [call] = calls.call_departments(world.dispatcher_a, event.case, [world.police], "请派员", 3)
    assert before + timezone.timedelta(hours=2) <= call.acknowledge_due <= timezone.now() + timezone.timedelta(hours=2)  # the default

    client.force_login(world.county_admin)  # the county sets its own on the supervision page
    assert client.post(reverse("workbench:supervision"), {"yellow_hours": 24, "call_acknowledge_hours": 8}).status_code == 302
    before = timezone.now()
    [call] = calls.call_departments(world.dispatcher_a, open_event(world).case, [world.police], "请派员", 3)
    assert before + timezone.timedelta(hours=8) <= call.acknowledge_due <= timezone.now() + timezone.timedelta(hours=8)
    [respond] = [a for a in inbox_for(world.liaison) if a.case_id == call.case_id]
    assert respond.due_at == call.acknowledge_due


def test_a_late_acknowledgement_counts_as_late(world):
    event = open_event(world)
    [call] = calls.call_departments(world.dispatcher_a, event.case, [world.police], "请处置", 3)
    Call.objects.filter(pk=call.pk).update(acknowledge_due=timezone.now() - timezone.timedelta(hours=1))
    calls.acknowledge_call(world.liaison, Call.objects.get(pk=call.pk))
    [figures] = calls.department_figures(Call.objects.all())
    assert figures["acknowledged_on_time"] == 0


def test_a_joint_call_makes_one_call_per_department(world, second_department):
    environment, liaison_env = second_department
    event = open_event(world)
    made = calls.call_departments(world.dispatcher_a, event.case, [world.police, environment], "联合执法：查处偷排", 5)
    assert len(made) == 2 and made[0].group and made[0].group == made[1].group
    assert list(calls_for(liaison_env)) == [made[1]]
    with pytest.raises(Conflict):
        calls.call_departments(world.dispatcher_a, event.case, [world.police], "再呼叫", 5)


@pytest.mark.parametrize(
    "departments, request_text, days, code",
    [
        ([], "请处置", 3, "call.departments_required"),
        (["office"], "请处置", 3, "call.not_a_department"),
        (["police"], " ", 3, "call.request_required"),
        (["police"], "长" * 2001, 3, "call.request_too_long"),
        (["police"], "请处置", 0, "call.working_days_invalid"),
        (["police"], "请处置", "3", "call.working_days_invalid"),
    ],
)
def test_bad_calls_are_refused(world, departments, request_text, days, code):
    event = open_event(world)
    units = {"police": world.police, "office": world.office_a}
    with pytest.raises(Rejected) as error:
        calls.call_departments(world.dispatcher_a, event.case, [units[d] for d in departments], request_text, days)
    assert error.value.code == code
    assert not Call.objects.exists()


def test_only_the_command_centre_of_the_events_township_may_call(world):
    event = open_event(world)
    with pytest.raises(Forbidden):
        calls.call_departments(world.clerk_a, event.case, [world.police], "请处置", 3)
    with pytest.raises(Forbidden):
        calls.call_departments(world.dispatcher_b, event.case, [world.police], "请处置", 3)


def test_the_liaison_cannot_confirm_their_own_work(world):
    event = open_event(world)
    [call] = calls.call_departments(world.dispatcher_a, event.case, [world.police], "请处置", 3)
    calls.acknowledge_call(world.liaison, call)
    calls.report_call(world.liaison, call, "已处置")
    with pytest.raises(Forbidden):
        calls.confirm_call(world.liaison, call)


def test_the_list_exports_its_columns_in_a_fixed_number_of_queries(world, client, django_assert_max_num_queries):
    event = open_event(world)
    calls.call_departments(world.dispatcher_a, event.case, [world.police], "=HYPERLINK(\"http://x\")", 3)
    calls.call_departments(world.dispatcher_a, open_event(world).case, [world.police], "请处置", 3)
    client.force_login(world.liaison)
    with django_assert_max_num_queries(12):  # the columns read what calls_for selects: no query per row
        response = client.get(reverse("calls:home"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == [
        "编号", "事件", "被呼叫部门", "呼叫单位", "呼叫事项", "状态", "呼叫时间", "响应时限", "响应时间", "办理期限", "反馈时间", "评价"]
    assert sheet.max_row == 3 and sheet["B3"].value == event.case.number and sheet["C3"].value == world.police.name
    assert sheet["E3"].data_type == "s"  # text, never a formula
