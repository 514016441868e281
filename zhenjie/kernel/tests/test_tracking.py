"""Tracking codes and the public timeline work for any kind of case. Shown here on a task
(交办件), which has no portal of its own: the test-only case kind of the kernel's tests is not
there yet."""

import pytest

from zhenjie.kernel import rating, tracking
from zhenjie.kernel.errors import NotFound
from zhenjie.kernel.models import Case
from zhenjie.tasks import actions
from zhenjie.testing import make_task

pytestmark = pytest.mark.django_db


def test_a_task_gets_a_code_shown_once_and_only_its_digest_is_kept(world):
    task = make_task(world)
    code = tracking.issue_code(task.case)
    assert len(code) == tracking.CODE_LENGTH and set(code) <= set(tracking.CODE_ALPHABET)
    stored = Case.objects.get(pk=task.case_id)
    assert stored.tracking_digest and code not in " ".join(str(value) for value in stored.__dict__.values())
    assert tracking.find_by_code(f" {stored.number} ", code.lower(), kinds=["task"]) == stored


def test_a_wrong_code_a_wrong_number_and_another_kind_get_the_same_answer(world):
    task = make_task(world)
    code = tracking.issue_code(task.case)
    other = make_task(world, title="另一件")
    other_code = tracking.issue_code(other.case)
    wrong = [
        (task.case.number, "AAAAAAAA", ["task"]), ("甲交〔2026〕第999号", code, ["task"]), (task.case.number, "", ["task"]),
        ("", code, ["task"]), (task.case.number, other_code, ["task"]), (task.case.number, code, ["event"]),
    ]
    answers = set()
    for number, given, kinds in wrong:
        with pytest.raises(NotFound) as error:
            tracking.find_by_code(number, given, kinds=kinds)
        answers.add((error.value.code, error.value.message))
    assert answers == {("tracking.not_found", "编号或查询码不正确，请核对后重试")}


def test_issuing_again_retires_the_earlier_code(world):
    task = make_task(world)
    first = tracking.issue_code(task.case)
    second = tracking.issue_code(task.case)
    assert tracking.find_by_code(task.case.number, second, kinds=["task"]).pk == task.case_id
    with pytest.raises(NotFound):
        tracking.find_by_code(task.case.number, first, kinds=["task"])


def test_the_public_timeline_of_a_task_tells_its_states_and_what_the_kind_chooses_never_who(world):
    task = make_task(world)
    actions.acknowledge_task(world.clerk_a, task)
    actions.report_task(world.clerk_a, task, "河道已排查，无堵塞")
    actions.close_task(world.leader_a, task)
    case = Case.objects.get(pk=task.case_id)
    rating.rate(world.leader_a, case, 5, "内部意见", rater_may=lambda actor, case: None)
    steps = tracking.public_timeline(case, notes={"reported": lambda case: case.task.result}, opened="已交办")
    assert [(step.label, step.note) for step in steps] == [
        ("已交办", ""), ("办理中", ""), ("已反馈", "河道已排查，无堵塞"), ("已办结", ""), ("您已评价", "非常满意"),
    ]
    told = " ".join(f"{step.label}{step.note}" for step in steps)
    assert all(name not in told for name in ("leader_a", "clerk_a", world.office_a.name, "内部意见"))
    assert [step.at for step in steps] == sorted(step.at for step in steps)
