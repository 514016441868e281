"""返工 (rework): one row each time a case goes back to the unit that handled it, journaled on the
case in the same transaction; bad input writes nothing."""

import pytest
from django.db import transaction

from zhenjie.kernel import rework
from zhenjie.kernel.errors import Rejected
from zhenjie.kernel.models import JournalEntry, Rework
from zhenjie.testing import make_event

pytestmark = pytest.mark.django_db


def test_a_rework_is_one_row_on_the_unit_and_one_journal_line_on_the_case(world):
    event = make_event(world)
    row = rework.record(event.case, world.office_a, Rework.Reason.REOPEN, actor=world.dispatcher_a, note="  群众反映未清理  ")
    assert (row.case, row.unit, row.reason, row.actor, row.note) == (event.case, world.office_a, "reopen", world.dispatcher_a, "群众反映未清理")
    assert list(event.case.reworks.all()) == [row] and row.at is not None
    entry = JournalEntry.objects.get(case=event.case, verb="rework")
    assert entry.summary == "返工（重新办理）：甲镇社会治理办公室"
    assert (entry.note, entry.actor, entry.data["unit"], entry.data["reason"]) == ("群众反映未清理", world.dispatcher_a, world.office_a.pk, "reopen")


def test_a_rework_rolls_back_with_the_change_that_sent_the_case_back(world):
    event = make_event(world)
    with pytest.raises(RuntimeError), transaction.atomic():
        rework.record(event.case, world.office_a, Rework.Reason.VERIFY_FAIL, actor=world.grid_worker_a)
        raise RuntimeError("the transition failed")
    assert not Rework.objects.exists() and not JournalEntry.objects.filter(verb="rework").exists()


@pytest.mark.parametrize("reason, note, message", [("lazy", "", "返工原因不正确"), ("reopen", "长" * 2001, "返工说明不能超过2000字")])
def test_bad_input_is_refused_in_chinese_and_writes_nothing(world, reason, note, message):
    event = make_event(world)
    with pytest.raises(Rejected) as error:
        rework.record(event.case, world.office_a, reason, note=note)
    assert error.value.message == message
    assert not Rework.objects.exists() and not JournalEntry.objects.filter(verb="rework").exists()
