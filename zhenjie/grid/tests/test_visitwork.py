"""Visits that create work (issue 14 item 5): a due visit in the covering grid worker's inbox,
red when missed, done when recorded; a 需要帮扶 visit referred to the unit that handles it,
traced both ways; other townships see neither."""

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zhenjie.grid import actions
from zhenjie.grid.actions.visitwork import create_due_visit_tasks
from zhenjie.grid.models import KeyPerson, Referral, Visit, VisitTask
from zhenjie.kernel import journal, supervision
from zhenjie.kernel.assignments import Inbox, inbox_counts
from zhenjie.kernel.errors import Rejected
from zhenjie.kernel.models import Assignment, Case
from zhenjie.testing import make_key_person, make_resident

from .conftest import days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(gw):
    """A low-income resident of 甲一村第1网格 entered 90 days ago: due today (every 90 days)."""
    resident = make_resident(gw.world.grid_a, gw.world.grid_worker_a, 11, name="李大爷", born=date(1950, 5, 1))
    return make_key_person(resident, gw.world.grid_worker_a, "subsistence", since=days_ago(90))


def end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def inbox_of(user) -> list[Assignment]:
    return Inbox(user)[0:50]


def test_a_due_visit_lands_in_the_lead_workers_inbox_with_the_due_date_as_deadline(client, gw, person):
    assert create_due_visit_tasks() == {"opened": 1, "withdrawn": 0, "unassigned": 0}
    task = VisitTask.objects.select_related("case").get()
    assert task.key_person == person and task.is_open and task.due_on == timezone.localdate()
    assert task.case.kind == "visit" and task.case.due_at == end_of(timezone.localdate())
    [work] = inbox_of(gw.world.grid_worker_a)
    assert work.case_id == task.case_id and work.due_at == task.case.due_at and work.todo == "visit"
    assert "李大爷" not in task.case.title  # the title travels (inbox, notifications): no name
    # Nobody else's inbox: the other grid's worker, the other township's.
    assert inbox_of(gw.grid_worker_a2) == [] and inbox_of(gw.grid_worker_b) == []
    # The inbox page's row opens the person's visit form.
    client.force_login(gw.world.grid_worker_a)
    page = client.get(reverse("workbench:inbox")).content.decode()
    link = reverse("grid:visit_task", args=[task.case_id])
    assert link in page and "上门走访" in page
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == reverse("grid:visit_new", args=[person.pk])
    form = client.get(response["Location"]).content.decode()
    assert 'data-testid="visit-task"' in form and "保存后任务完成" in form
    # The worker's grid home says how many there are and leads to them in the inbox.
    home = client.get(reverse("grid:home")).content.decode()
    assert 'data-testid="my-visit-tasks"' in home and "待办走访任务 1 件" in home and "?kind=visit" in home
    assert link in client.get(reverse("workbench:inbox") + "?kind=visit").content.decode()


def test_someone_not_yet_due_gets_no_task(gw):
    resident = make_resident(gw.world.grid_a, gw.world.grid_worker_a, 12, name="王奶奶", born=date(1940, 1, 1))
    make_key_person(resident, gw.world.grid_worker_a, "subsistence", since=days_ago(89))
    assert create_due_visit_tasks() == {"opened": 0, "withdrawn": 0, "unassigned": 0}
    assert create_due_visit_tasks(today=timezone.localdate() + timedelta(days=1))["opened"] == 1


def test_the_job_run_twice_opens_nothing_new(gw, person):
    create_due_visit_tasks()
    assert create_due_visit_tasks() == {"opened": 0, "withdrawn": 0, "unassigned": 0}
    assert VisitTask.objects.count() == 1 and Case.objects.filter(kind="visit").count() == 1
    assert len(inbox_of(gw.world.grid_worker_a)) == 1


def test_the_periodic_job_is_the_same_function(gw, person):
    from zhenjie.grid.jobs import open_due_visit_tasks

    open_due_visit_tasks.call_local()
    assert VisitTask.objects.filter(is_open=True).count() == 1


def test_a_missed_visit_turns_red_and_counts_overdue(gw, person):
    create_due_visit_tasks()
    task = VisitTask.objects.select_related("case").get()
    supervision.sweep(now=task.case.due_at - timedelta(hours=2))
    assert Case.objects.get(pk=task.case_id).alert == "yellow"
    later = task.case.due_at + timedelta(hours=1)
    supervision.sweep(now=later)
    case = Case.objects.get(pk=task.case_id)
    assert case.alert == "red"
    assert inbox_counts(gw.world.grid_worker_a, now=later)["overdue"] == 1


def test_recording_the_visit_clears_the_task_in_the_same_step(client, gw, person):
    create_due_visit_tasks()
    client.force_login(gw.world.grid_worker_a)
    response = client.post(reverse("grid:visit_new", args=[person.pk]), {"situation": "normal", "findings": "身体尚可"})
    assert response.status_code == 302
    task = VisitTask.objects.select_related("case").get()
    assert not task.is_open and task.visit == Visit.objects.get() and task.case.state == "done" and task.case.closed_at
    assert inbox_of(gw.world.grid_worker_a) == []
    assert Assignment.objects.get(case=task.case).state == Assignment.State.DONE
    # The sweep leaves a closed task alone.
    supervision.sweep(now=task.case.due_at + timedelta(days=3))
    assert Case.objects.get(pk=task.case_id).alert == ""


def test_a_visit_that_leaves_the_person_due_leaves_the_task_open(gw, person):
    create_due_visit_tasks()
    # Entered late from the paper ledger: the visit of the day they entered it; the next is still due today.
    actions.record_visit(gw.world.grid_worker_a, person, situation="normal", findings="补记", visited_at=timezone.now() - timedelta(days=90))
    assert VisitTask.objects.get().is_open
    # One of yesterday moves the due date past today: done.
    actions.record_visit(gw.world.grid_worker_a, person, situation="normal", findings="昨天去过", visited_at=timezone.now() - timedelta(days=1))
    assert not VisitTask.objects.get().is_open


def test_leaving_the_ledger_withdraws_the_task(gw, person):
    create_due_visit_tasks()
    actions.end_key_person(gw.world.grid_worker_a, person, reason="家庭收入超过低保标准")
    task = VisitTask.objects.select_related("case").get()
    assert not task.is_open and task.case.state == "cancelled"
    assert inbox_of(gw.world.grid_worker_a) == []
    assert create_due_visit_tasks() == {"opened": 0, "withdrawn": 0, "unassigned": 0}


def test_a_departure_withdraws_every_task_of_the_person(gw, person):
    create_due_visit_tasks()
    actions.record_departure(gw.world.grid_worker_a, person.resident, status="deceased", on=timezone.localdate())
    assert VisitTask.objects.get().case.state == "cancelled"


def test_a_person_moved_to_another_grid_is_visited_by_the_new_grids_worker(gw, person):
    create_due_visit_tasks()
    KeyPerson.objects.filter(pk=person.pk).update(grid=gw.grid_a2)  # as 区划调整 moves a grid's rows
    assert create_due_visit_tasks() == {"opened": 1, "withdrawn": 1, "unassigned": 0}
    old, new = VisitTask.objects.select_related("case").order_by("pk")
    assert old.case.state == "cancelled" and not old.is_open and "调整到其他网格" in list(journal.entries_for_case(old.case))[-1].note
    assert new.is_open and new.grid == gw.grid_a2
    assert inbox_of(gw.world.grid_worker_a) == []
    assert [w.case_id for w in inbox_of(gw.grid_worker_a2)] == [new.case_id]


def test_a_grid_without_workers_sends_the_visit_to_the_command_centre(gw):
    from zhenjie.accounts.models import Coverage

    Coverage.objects.filter(grid=gw.world.grid_a).delete()
    from zhenjie.accounts.models import Post

    Post.objects.filter(user=gw.world.grid_worker_a).update(is_active=False)
    resident = make_resident(gw.world.grid_a, gw.world.leader_a, 13, name="赵爷爷", born=date(1945, 1, 1))
    make_key_person(resident, gw.world.leader_a, "subsistence", since=days_ago(95))
    create_due_visit_tasks()
    assert [w.unit for w in inbox_of(gw.world.dispatcher_a)] == [gw.world.centre_a]


def test_the_key_person_page_shows_the_open_task_and_its_card(client, gw, person):
    create_due_visit_tasks()
    task = VisitTask.objects.get()
    supervision.sweep(now=end_of(timezone.localdate()) + timedelta(hours=1))
    client.force_login(gw.world.grid_worker_a)
    page = client.get(reverse("grid:key_person", args=[person.pk])).content.decode()
    assert 'data-testid="visit-task"' in page and f"应于{task.due_on:%Y-%m-%d}前走访" in page and "红牌督办" in page


def test_another_townships_worker_cannot_open_the_task(client, gw, person):
    create_due_visit_tasks()
    task = VisitTask.objects.get()
    client.force_login(gw.grid_worker_b)
    assert client.get(reverse("grid:visit_task", args=[task.case_id])).status_code == 404


# ---- 需要帮扶 → 转介 ----------------------------------------------------------------------------


def help_visit(gw, person, **overrides):
    values = {
        "situation": "help", "findings": "老伴住院，家中无收入", "need": "living",
        "need_description": "申请临时救助，请民政核实", "need_unit": gw.world.office_a,
    }
    values.update(overrides)
    return actions.record_visit(gw.world.grid_worker_a, person, **values)


def test_a_help_visit_opens_a_referral_to_the_chosen_unit_traced_both_ways(client, gw, person):
    create_due_visit_tasks()
    visit = help_visit(gw, person)
    referral = Referral.objects.select_related("case").get()
    assert referral.visit == visit and referral.unit == gw.world.office_a and referral.case.kind == "referral"
    assert referral.case.state == "referred" and referral.case.number.startswith("甲镇转")
    assert VisitTask.objects.get().visit == visit  # the same visit completed the due task
    # The handling unit has it in its inbox.
    assert [w.case_id for w in inbox_of(gw.world.clerk_a)] == [referral.case_id]
    # The visit links to the case …
    client.force_login(gw.world.grid_worker_a)
    page = client.get(reverse("grid:key_person", args=[person.pk])).content.decode()
    assert reverse("grid:referral", args=[referral.case_id]) in page and referral.case.number in page
    # … and the case's page shows the visit and the person, with the way to the ledger.
    sheet = client.get(reverse("grid:referral", args=[referral.case_id])).content.decode()
    assert "李大爷" in sheet and "老伴住院" in sheet and reverse("grid:key_person", args=[person.pk]) in sheet
    # The API says the same.
    from zhenjie.testing import Api

    api = Api(client).as_("grid_worker_a")
    listed = api.get("/api/grid/visits", key_person_id=person.pk).json()["items"]
    assert listed[0]["referral_id"] == referral.case_id
    assert api.get(f"/api/referrals/{referral.case_id}").json()["visit_id"] == visit.pk


def test_the_handling_unit_sees_whom_to_help_but_not_the_ledger(client, gw, person):
    help_visit(gw, person)
    referral = Referral.objects.get()
    client.force_login(gw.world.clerk_a)
    sheet = client.get(reverse("grid:referral", args=[referral.case_id])).content.decode()
    assert "李大爷" in sheet and "申请临时救助" in sheet
    assert "老伴住院" not in sheet and reverse("grid:key_person", args=[person.pk]) not in sheet and "仅网格管理人员可见" in sheet
    # It signs for it and answers through the kit's steps; the case closes.
    assert client.post(reverse("grid:referral_act", args=[referral.case_id, "acknowledge"])).status_code == 302
    response = client.post(reverse("grid:referral_act", args=[referral.case_id, "answer"]), {"result": "已纳入临时救助，发放2000元"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.result.startswith("已纳入") and Case.objects.get(pk=referral.case_id).state == "answered"


def test_someone_else_of_the_township_who_sees_the_case_does_not_see_whom_it_is_about(client, gw, person):
    help_visit(gw, person)
    referral = Referral.objects.get()
    client.force_login(gw.world.agent_a)  # a village agent: sees the village's cases, reads no grid register
    sheet = client.get(reverse("grid:referral", args=[referral.case_id]))
    assert sheet.status_code == 200
    text = sheet.content.decode()
    assert "李大爷" not in text and "幸福路" not in text and "仅承办单位和网格管理人员可见" in text


def test_another_township_sees_neither_the_referral_nor_the_task(client, gw, person):
    create_due_visit_tasks()
    help_visit(gw, person)
    referral = Referral.objects.get()
    for user in (gw.grid_worker_b, gw.world.leader_b):
        client.force_login(user)
        assert client.get(reverse("grid:referral", args=[referral.case_id])).status_code == 404
        assert client.get(reverse("grid:visit_task", args=[VisitTask.objects.get().case_id])).status_code == 404
        assert client.post(reverse("grid:referral_act", args=[referral.case_id, "acknowledge"])).status_code == 404
    from zhenjie.testing import Api

    assert Api(client).as_("grid_worker_b").get(f"/api/referrals/{referral.case_id}").status_code == 404


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"need_description": ""}, "need_description", "请填写需求说明"),
        ({"need_description": "很" * 1001}, "need_description", "需求说明不能超过1000字"),
        ({"need": "money"}, "need", "请选择有效的帮扶需求类别"),
        ({"need_unit": None}, "need_unit", "请选择转介的承办单位"),
    ],
)
def test_a_bad_need_is_refused_in_chinese_and_nothing_is_written(gw, person, change, field, message):
    with pytest.raises(Rejected) as refused:
        help_visit(gw, person, **change)
    assert refused.value.field == field and message in refused.value.message
    assert not Visit.objects.exists() and not Referral.objects.exists() and not Case.objects.filter(kind="referral").exists()


def test_a_unit_of_another_township_is_refused(gw, person):
    with pytest.raises(Rejected, match="不在本乡镇"):
        help_visit(gw, person, need_unit=gw.world.centre_b)


def test_the_page_refuses_a_need_without_description_with_the_message_on_the_field(client, gw, person):
    client.force_login(gw.world.grid_worker_a)
    response = client.post(
        reverse("grid:visit_new", args=[person.pk]),
        {"situation": "help", "findings": "生活困难", "need": "living", "need_description": "", "need_unit": gw.world.office_a.pk},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-field-error="need_description"' in page and "请填写需求说明" in page
    assert not Visit.objects.exists()


def test_the_page_records_a_help_visit_and_says_where_it_went(client, gw, person):
    client.force_login(gw.world.grid_worker_a)
    form = client.get(reverse("grid:visit_new", args=[person.pk])).content.decode()
    assert 'data-testid="need-fields"' in form and gw.world.office_a.name in form and gw.world.centre_b.name not in form
    response = client.post(
        reverse("grid:visit_new", args=[person.pk]),
        {"situation": "help", "findings": "生活困难", "need": "disability", "need_description": "需要辅具", "need_unit": gw.world.office_a.pk},
        follow=True,
    )
    assert f"已转介{gw.world.office_a.name}" in response.content.decode()
    assert Referral.objects.get().need == "disability"


def test_a_normal_visit_ignores_need_fields(gw, person):
    help_visit(gw, person, situation="normal", need_description="")
    assert Visit.objects.count() == 1 and not Referral.objects.exists()


def test_the_visit_list_reads_the_referrals_without_a_query_per_row(client, gw, person, django_assert_max_num_queries):
    for _ in range(3):
        help_visit(gw, person)
    client.force_login(gw.world.grid_worker_a)
    client.get(reverse("grid:key_person", args=[person.pk]))  # warm the per-process caches
    with django_assert_max_num_queries(30) as captured:
        page = client.get(reverse("grid:key_person", args=[person.pk])).content.decode()
    assert page.count('data-testid="visit-referral"') == 3
    before = len(captured)
    for _ in range(3):
        help_visit(gw, person)
    with django_assert_max_num_queries(before) as _:
        client.get(reverse("grid:key_person", args=[person.pk]))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_of_the_job_at_once_open_one_task():
    import threading

    from django.db import connection, connections

    from zhenjie.testing import make_grid_world

    if connection.vendor != "postgresql":
        pytest.skip("true parallel writers need PostgreSQL; SQLite serialises them")
    gw = make_grid_world()
    resident = make_resident(gw.world.grid_a, gw.world.grid_worker_a, 11, name="李大爷", born=date(1950, 5, 1))
    make_key_person(resident, gw.world.grid_worker_a, "subsistence", since=days_ago(90))
    barrier, results = threading.Barrier(2), []

    def run():
        try:
            barrier.wait()
            results.append(create_due_visit_tasks()["opened"])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 1]
    assert VisitTask.objects.count() == 1 and Case.objects.filter(kind="visit").count() == 1
    assert Assignment.objects.filter(case__kind="visit").count() == 1
