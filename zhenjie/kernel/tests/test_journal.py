import contextlib
import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from zhenjie.kernel import journal
from zhenjie.kernel.models import JournalEntry, JournalHead
from zhenjie.kernel.tests.casekind.workflow import make_errand
from zhenjie.kernel.workflow import perform

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def append_only_guard_lifted():
    """What an attacker with DDL rights would do first: drop the database's append-only guard."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks from this test's inserts must run before ALTER TABLE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE kernel_journalentry DISABLE TRIGGER kernel_journal_append_only")
        else:
            cursor.execute("DROP TRIGGER kernel_journal_append_only")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("ALTER TABLE kernel_journalentry ENABLE TRIGGER kernel_journal_append_only")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            else:
                from importlib import import_module

                migration = import_module("zhenjie.kernel.migrations.0002_journal_append_only")
                for statement in migration.SQLITE_UP:
                    cursor.execute(statement)


def run_verify() -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("journal", "verify", stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


def test_every_transition_appends_a_linked_entry_and_verify_passes(world):
    errand = make_errand(world)
    perform(world.clerk_a, errand.case, "take")
    entries = list(journal.entries_for_case(errand.case))
    assert [e.verb for e in entries] == ["open", "take"]
    assert entries[1].prev_hash == entries[0].hash
    assert entries[1].actor_name == "clerk_a"
    assert run_verify()[0] == 0


def test_the_database_refuses_to_update_a_journal_entry(world):
    entry = journal.entries_for_case(make_errand(world).case).first()
    with pytest.raises(DatabaseError), transaction.atomic():
        JournalEntry.objects.filter(pk=entry.pk).update(note="改过")


def test_verify_names_the_first_altered_entry(world):
    make_errand(world, title="第一件")
    second = make_errand(world, title="第二件")
    target = journal.entries_for_case(second.case).first()
    with append_only_guard_lifted():
        JournalEntry.objects.filter(pk=target.pk).update(summary="被篡改的摘要")
    code, _, err = run_verify()
    assert code == 1
    assert f"第 {target.seq} 条(记录ID {target.pk})：内容与哈希不符" in err


def test_verify_detects_a_deleted_entry_in_the_middle(world):
    errand = make_errand(world)
    perform(world.clerk_a, errand.case, "take")
    make_errand(world, title="后一件")
    victim = journal.entries_for_case(errand.case).last()
    with append_only_guard_lifted():
        JournalEntry.objects.filter(pk=victim.pk).delete()
    code, _, err = run_verify()
    assert code == 1
    assert f"缺少第 {victim.seq} 条(已被删除)" in err


def test_verify_detects_the_last_entry_of_a_chain_deleted(world):
    errand = make_errand(world)
    last = journal.entries_for_case(errand.case).last()
    with append_only_guard_lifted():
        JournalEntry.objects.filter(pk=last.pk).delete()
    breaks = journal.verify(last.chain)
    assert len(breaks) == 1 and "已被删除" in breaks[0].reason and breaks[0].seq == last.seq


def test_verify_detects_a_deleted_chain_head(world):
    errand = make_errand(world)
    chain = journal.entries_for_case(errand.case).first().chain
    JournalHead.objects.filter(chain=chain).delete()
    assert journal.verify()[0].reason == "链头记录缺失"


def test_townships_keep_separate_chains(world):
    a = make_errand(world)
    b = make_errand(world, world.gov_b, actor=world.leader_b, title="乙镇任务", number_unit=world.gov_b)
    chain_a = journal.entries_for_case(a.case).first().chain
    chain_b = journal.entries_for_case(b.case).first().chain
    assert chain_a == world.a.path and chain_b == world.b.path


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        journal.record(actor=None, verb="x")
