"""Keying the journal (kernel 0016) versions the digest scheme instead of rewriting history:
chains written before it verify after it, keep growing with keyed entries, and still show any
change to their old entries."""

from datetime import datetime
from datetime import timezone as dt_timezone

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from zhenjie.kernel import journal
from zhenjie.kernel.models import JournalEntry, JournalHead
from zhenjie.testing import journal_guard_lifted


def write_unkeyed_chain(apps, chain: str, count: int) -> None:
    """Entries as the code before 0016 wrote them: plain SHA-256, a head without a seal."""
    OldEntry = apps.get_model("kernel", "JournalEntry")
    OldHead = apps.get_model("kernel", "JournalHead")
    prev = journal.GENESIS
    for seq in range(1, count + 1):
        entry = JournalEntry(chain=chain, seq=seq, prev_hash=prev, verb="list.publish", summary=f"旧记录{seq}",
                             actor_name="系统", data={"n": seq}, created_at=datetime(2026, 3, seq, tzinfo=dt_timezone.utc))
        entry.hash = journal.legacy_hash(entry)
        OldEntry.objects.create(**{f.attname: getattr(entry, f.attname) for f in JournalEntry._meta.concrete_fields if f.attname != "id"})
        prev = entry.hash
    OldHead.objects.create(chain=chain, seq=count, hash=prev)


@pytest.mark.slow  # migrates back and forth
@pytest.mark.django_db(transaction=True)
def test_chains_written_before_keying_verify_after_it_and_grow_keyed():
    call_command("migrate", "kernel", "0015", verbosity=0)
    try:
        old = MigrationExecutor(connection).loader.project_state([("kernel", "0015_sent_outside")]).apps
        write_unkeyed_chain(old, "rules", 3)
    finally:
        call_command("migrate", verbosity=0)
    head = JournalHead.objects.get(chain="rules")
    assert (head.seq, head.keyed_from) == (3, 4) and journal.head_is_sealed(head)
    assert journal.verify() == []

    from django.db import transaction

    with transaction.atomic():
        new = journal.record(actor=None, verb="list.publish", summary="新记录")
    assert new.seq == 4 and new.hash == journal.compute_hash(new) != journal.legacy_hash(new)
    assert journal.verify() == []

    # Moving the boundary (to pass SHA-256 entries off as old ones) is a break...
    JournalHead.objects.filter(chain="rules").update(keyed_from=5)
    assert [b.chain for b in journal.verify()] == ["rules"]
    JournalHead.objects.filter(chain="rules").update(keyed_from=4)
    assert journal.verify() == []
    # ...and an old entry is still checked by its own scheme.
    with journal_guard_lifted():
        JournalEntry.objects.filter(chain="rules", seq=2).update(summary="改过")
    assert journal.verify()[0].seq == 2
