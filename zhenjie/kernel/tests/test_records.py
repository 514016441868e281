"""State changes of records that are not cases (kernel/records.py), on the test kind's Memo."""

import pytest
from django.utils import timezone

from zhenjie.kernel import journal, records
from zhenjie.kernel.errors import Conflict
from zhenjie.kernel.models import JournalEntry
from zhenjie.kernel.tests.casekind.models import Memo

pytestmark = pytest.mark.django_db

Draft, Issued, Withdrawn = Memo.State.DRAFT, Memo.State.ISSUED, Memo.State.WITHDRAWN


def issue(actor, memo, **options):
    return records.transition(
        memo, to=Issued, sources=Draft, actor=actor, verb="memo.issue", label="印发", noun="该通知", code="memo.wrong_state",
        subject=f"memo:{memo.pk}", also={"issued_at": timezone.now()}, **options,
    )


def test_a_move_changes_the_state_and_its_fields_and_is_journaled(world):
    memo = Memo.objects.create(title="防汛值班通知")
    issue(world.county_admin, memo, counter="version", summary="印发：防汛值班通知", data={"copies": 3})
    assert (memo.state, memo.version) == (Issued, 2) and memo.issued_at is not None
    entry = JournalEntry.objects.get(subject=f"memo:{memo.pk}")
    assert (entry.verb, entry.from_state, entry.to_state, entry.summary, entry.data, entry.actor) == (
        "memo.issue", Draft, Issued, "印发：防汛值班通知", {"copies": 3}, world.county_admin,
    )
    assert entry.chain == journal.RULES_CHAIN and journal.verify() == []


def test_the_second_of_two_moves_is_a_conflict_naming_the_state_and_writes_nothing(world):
    memo = Memo.objects.create(title="防汛值班通知")
    stale = Memo.objects.get(pk=memo.pk)
    issue(world.county_admin, memo)
    with pytest.raises(Conflict) as error:
        issue(world.county_admin, stale)
    assert (error.value.code, error.value.message) == ("memo.wrong_state", "该通知当前为「已印发」，不能印发，请刷新后重试")
    assert JournalEntry.objects.filter(subject=f"memo:{memo.pk}").count() == 1


def test_a_stale_counter_is_a_conflict_even_in_an_allowed_state(world):
    memo = Memo.objects.create(title="防汛值班通知")
    stale = Memo.objects.get(pk=memo.pk)
    Memo.objects.filter(pk=memo.pk).update(version=2)  # someone moved it on and back meanwhile
    with pytest.raises(Conflict):
        records.transition(
            stale, to=Withdrawn, sources=[Draft, Issued], counter="version", actor=world.county_admin, verb="memo.withdraw",
            label="撤回", noun="该通知", code="memo.wrong_state", subject=f"memo:{memo.pk}",
        )
    assert Memo.objects.get(pk=memo.pk).state == Draft
