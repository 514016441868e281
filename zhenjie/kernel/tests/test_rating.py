"""One rating (好差评) on the case, for any kind: five grades, once, journaled, only when the kind's
rule allows. Cases here are tasks (交办件), rated by the issuing township once closed — a rule
written for the test; the test-only case kind of the kernel's tests is not there yet."""

import threading

import pytest
from django.db import connection, connections

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.kernel import rating
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected
from zhenjie.kernel.models import Case, JournalEntry
from zhenjie.kernel.scoping import reach_of
from zhenjie.tasks import actions
from zhenjie.testing import make_task

pytestmark = pytest.mark.django_db


def issuer_once_closed(actor, case):
    if R.TOWNSHIP_LEADER not in reach_of(actor).roles_in(case.area):
        return Forbidden("task.not_issuer", "只有交办的乡镇可以评价")
    if case.state != "closed":
        return Conflict("task.not_closed", "办结后才能评价")
    return None


def closed_task(world):
    task = make_task(world)
    actions.acknowledge_task(world.clerk_a, task)
    actions.report_task(world.clerk_a, task, "已排查")
    actions.close_task(world.leader_a, task)
    return Case.objects.get(pk=task.case_id)


def test_the_five_grades_of_haochaping_best_first():
    assert list(rating.GRADES.items()) == [(5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意")]


def test_a_rating_lands_on_the_case_once_with_its_comment_and_a_journal_entry(world):
    case = closed_task(world)
    assert rating.may_rate(world.leader_a, case, issuer_once_closed)
    rating.rate(world.leader_a, case, 4, "  按时办结  ", rater_may=issuer_once_closed)
    stored = Case.objects.get(pk=case.pk)
    assert (stored.rating, stored.rating_comment) == (4, "按时办结") and stored.rated_at is not None
    entry = JournalEntry.objects.get(case=case, verb="rate")
    assert (entry.summary, entry.note, entry.data, entry.actor) == ("评价：满意", "按时办结", {"rating": 4}, world.leader_a)
    assert not rating.may_rate(world.leader_a, stored, issuer_once_closed)
    with pytest.raises(Conflict) as error:
        rating.rate(world.leader_a, stored, 1, rater_may=issuer_once_closed)
    assert (error.value.code, error.value.message) == ("rating.already_rated", "已评价过，每件只能评价一次")
    assert Case.objects.get(pk=case.pk).rating == 4 and JournalEntry.objects.filter(verb="rate").count() == 1


def test_of_two_raters_holding_the_same_case_the_second_is_a_conflict_and_changes_nothing(world):
    case = closed_task(world)
    mine, theirs = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)
    rating.rate(world.leader_a, mine, 5, "好", rater_may=issuer_once_closed)
    with pytest.raises(Conflict):
        rating.rate(world.leader_a, theirs, 1, "差", rater_may=issuer_once_closed)
    stored = Case.objects.get(pk=case.pk)
    assert (stored.rating, stored.rating_comment) == (5, "好") and JournalEntry.objects.filter(verb="rate").count() == 1


@pytest.mark.parametrize("grade", [0, 6, True, "5", None, 4.5])
def test_a_grade_outside_the_five_is_refused(world, grade):
    case = closed_task(world)
    with pytest.raises(Rejected) as error:
        rating.rate(world.leader_a, case, grade, rater_may=issuer_once_closed)
    assert (error.value.field, error.value.message) == ("rating", "请选择1至5星的评价")
    assert Case.objects.get(pk=case.pk).rating is None


def test_a_comment_over_500_characters_is_refused(world):
    case = closed_task(world)
    with pytest.raises(Rejected) as error:
        rating.rate(world.leader_a, case, 3, "长" * 501, rater_may=issuer_once_closed)
    assert (error.value.field, error.value.message) == ("comment", "评价意见不能超过500字")
    rating.rate(world.leader_a, case, 3, "长" * 500, rater_may=issuer_once_closed)


def test_the_kinds_rule_decides_who_and_when_and_a_refusal_writes_nothing(world):
    task = make_task(world)
    with pytest.raises(Conflict) as error:
        rating.rate(world.leader_a, task.case, 5, rater_may=issuer_once_closed)
    assert error.value.message == "办结后才能评价"
    case = closed_task(world)
    for outsider in (world.clerk_a, world.leader_b):
        assert not rating.may_rate(outsider, case, issuer_once_closed)
        with pytest.raises(Forbidden):
            rating.rate(outsider, case, 5, rater_may=issuer_once_closed)
    assert not Case.objects.filter(rating__isnull=False).exists() and not JournalEntry.objects.filter(verb="rate").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_ratings_at_once_one_lands_and_the_other_is_a_conflict():
    if connection.vendor != "postgresql":
        pytest.skip("true parallel writers need PostgreSQL; SQLite serialises them")
    from zhenjie.testing import make_world

    world = make_world()
    case = closed_task(world)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def rate(grade):
        try:
            mine = Case.objects.select_related("area").get(pk=case.pk)
            barrier.wait()
            rating.rate(world.leader_a, mine, grade, rater_may=issuer_once_closed)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=rate, args=(grade,)) for grade in (5, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert JournalEntry.objects.filter(case=case, verb="rate").count() == 1
    assert Case.objects.get(pk=case.pk).rating == JournalEntry.objects.get(case=case, verb="rate").data["rating"]
