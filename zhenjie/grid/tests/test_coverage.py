"""Who covers which grid: one lead per grid at a time, with history; township leaders and
dispatchers decide; concurrent changes settle on one."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from zhenjie.grid import actions, queries
from zhenjie.accounts.models import Coverage
from zhenjie.kernel.errors import Conflict, Forbidden, NotFound, Rejected
from zhenjie.kernel.models import JournalEntry

pytestmark = pytest.mark.django_db


def lead_of(grid):
    return Coverage.objects.get(grid=grid, is_lead=True, ended_at__isnull=True)


def test_changing_the_lead_closes_the_old_stint_and_keeps_the_history(gw):
    w = gw.world
    before = lead_of(w.grid_a)
    actions.set_lead_worker(w.dispatcher_a, w.grid_a, gw.grid_worker_a2, expected_lead=before.pk, note="调岗")
    assert lead_of(w.grid_a).worker == gw.grid_worker_a2
    history = list(queries.coverage_history_for(w.leader_a, w.grid_a))
    assert [(c.worker.username, c.is_lead, c.ended_at is None) for c in history] == [("grid_worker_a2", True, True), ("grid_worker_a", True, False)]
    entry = JournalEntry.objects.filter(verb="grid.set_lead").last()
    assert entry.chain == w.a.path and "grid_worker_a → grid_worker_a2" in entry.summary and entry.actor == w.dispatcher_a


def test_the_database_refuses_a_second_current_lead_even_past_the_action(gw):
    with pytest.raises(IntegrityError), transaction.atomic():
        Coverage.objects.create(grid=gw.world.grid_a, worker=gw.grid_worker_a2, is_lead=True)


def test_a_lead_change_made_on_a_stale_page_is_a_conflict_and_changes_nothing(gw):
    w = gw.world
    seen = lead_of(w.grid_a).pk
    actions.set_lead_worker(w.leader_a, w.grid_a, gw.grid_worker_a2, expected_lead=seen)
    with pytest.raises(Conflict) as error:
        actions.set_lead_worker(w.dispatcher_a, w.grid_a, w.grid_worker_a, expected_lead=seen)
    assert error.value.code == "grid.lead_changed" and "grid_worker_a2" in error.value.message
    assert lead_of(w.grid_a).worker == gw.grid_worker_a2
    assert Coverage.objects.filter(grid=w.grid_a).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_changing_a_lead_at_once_one_wins(gw):
    if connection.vendor != "postgresql":
        pytest.skip("true parallel writers need PostgreSQL; SQLite serialises them")
    w = gw.world
    seen = lead_of(w.grid_a).pk
    barrier = threading.Barrier(2)
    outcomes = []

    def change(actor, worker):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            actions.set_lead_worker(actor, w.grid_a, worker, expected_lead=seen)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        finally:
            thread_connection.close()

    from zhenjie.testing import make_user
    from zhenjie.accounts.roles import RoleCode as R

    third = make_user("grid_worker_a3", w.committee_a, [R.GRID_WORKER], w.grid_a)
    threads = [threading.Thread(target=change, args=(w.dispatcher_a, gw.grid_worker_a2)), threading.Thread(target=change, args=(w.leader_a, third))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert Coverage.objects.filter(grid=w.grid_a, is_lead=True, ended_at__isnull=True).count() == 1


def test_one_worker_may_cover_two_grids_and_then_sees_both(gw):
    w = gw.world
    assert list(queries.my_grids_for(w.grid_worker_a)) == [w.grid_a]
    actions.add_helper(w.dispatcher_a, gw.grid_a2, w.grid_worker_a)
    assert list(queries.my_grids_for(w.grid_worker_a)) == [w.grid_a, gw.grid_a2]
    stint = Coverage.objects.get(grid=gw.grid_a2, worker=w.grid_worker_a, ended_at__isnull=True)
    actions.remove_helper(w.dispatcher_a, stint)
    # The worker's reach is read once per request: their next request no longer has the grid.
    next_request = type(w.grid_worker_a).objects.get(pk=w.grid_worker_a.pk)
    assert list(queries.my_grids_for(next_request)) == [w.grid_a]


def test_the_lead_cannot_be_removed_without_naming_the_next(gw):
    with pytest.raises(Rejected) as error:
        actions.remove_helper(gw.world.dispatcher_a, lead_of(gw.world.grid_a))
    assert error.value.message == "责任网格员不能直接移除，请先指定新的责任网格员"


def test_a_worker_of_another_township_cannot_be_put_on_a_grid(gw):
    w = gw.world
    with pytest.raises(Rejected) as error:
        actions.set_lead_worker(w.dispatcher_a, w.grid_a, gw.grid_worker_b, expected_lead=lead_of(w.grid_a).pk)
    assert error.value.field == "worker" and "不是本镇(街道)在岗的网格员" in error.value.message


def test_only_leaders_and_dispatchers_of_the_township_decide(gw):
    w = gw.world
    with pytest.raises(Forbidden):
        actions.add_helper(w.grid_worker_a, w.grid_a, gw.grid_worker_a2)  # a worker sees their grid but does not staff it
    with pytest.raises(NotFound):
        actions.add_helper(w.dispatcher_b, w.grid_a, w.grid_worker_a)
    with pytest.raises(NotFound):
        actions.add_helper(w.liaison, w.grid_a, w.grid_worker_a)


def test_the_coverage_page_changes_a_lead_in_place_and_explains_a_refusal(client, gw):
    w = gw.world
    client.force_login(w.leader_a)
    page = client.get(reverse("grid:coverage")).content.decode()
    assert "甲一村第1网格" in page and "乙一村第1网格" not in page
    seen = lead_of(w.grid_a).pk
    row = client.post(reverse("grid:set_lead", args=[w.grid_a.pk]), {"worker": gw.grid_worker_a2.pk, "expected_lead": seen}, HTTP_HX_REQUEST="true")
    assert row.status_code == 200 and 'data-testid="lead-name"><strong>grid_worker_a2</strong>' in row.content.decode()
    stale = client.post(reverse("grid:set_lead", args=[w.grid_a.pk]), {"worker": w.grid_worker_a.pk, "expected_lead": seen}, HTTP_HX_REQUEST="true")
    assert "已被他人调整(现为：grid_worker_a2)" in stale.content.decode()
    assert lead_of(w.grid_a).worker == gw.grid_worker_a2


def test_the_coverage_page_is_for_managers_and_404s_another_townships_grid(client, gw):
    w = gw.world
    client.force_login(w.grid_worker_a)
    assert client.get(reverse("grid:coverage")).status_code == 403
    client.force_login(w.dispatcher_b)
    assert client.post(reverse("grid:set_lead", args=[w.grid_a.pk]), {"worker": gw.grid_worker_b.pk, "expected_lead": 0}).status_code == 404
    assert lead_of(w.grid_a).worker == w.grid_worker_a


def test_the_coverage_export_lists_each_grid_with_its_lead(client, gw):
    import io

    from openpyxl import load_workbook

    client.force_login(gw.world.dispatcher_a)
    actions.add_helper(gw.world.dispatcher_a, gw.grid_a2, gw.world.grid_worker_a)
    book = load_workbook(io.BytesIO(client.get(reverse("grid:coverage") + "?format=xlsx").content))
    rows = list(book.active.iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[3], r[5]) for r in rows] == [("甲一村第1网格", "grid_worker_a", None), ("甲一村第2网格", "grid_worker_a2", "grid_worker_a")]
