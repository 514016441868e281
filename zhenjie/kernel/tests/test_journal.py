import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from zhenjie.kernel import anchors, journal
from zhenjie.kernel.errors import Conflict
from zhenjie.kernel.models import JournalEntry, JournalHead
from zhenjie.kernel.tests.casekind.workflow import make_errand
from zhenjie.kernel.workflow import perform
from zhenjie.testing import journal_guard_lifted

pytestmark = pytest.mark.django_db


# What an attacker with DDL rights would do first: drop the database's append-only guard.
append_only_guard_lifted = journal_guard_lifted


def run_verify(*options) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("journal", "verify", *options, stdout=out, stderr=err)
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


# ---- the database's guard (等保 8.1.4.3 c) ------------------------------------------------------


def test_the_database_refuses_to_delete_a_journal_entry(world):
    entry = journal.entries_for_case(make_errand(world).case).first()
    with pytest.raises(DatabaseError), transaction.atomic():
        JournalEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM kernel_journalentry")
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE kernel_journalentry CASCADE")
    assert JournalEntry.objects.filter(pk=entry.pk).exists()


# ---- keyed digests and sealed heads (等保 8.1.4.7 b) -------------------------------------------


def last_two(chain: str) -> tuple[JournalEntry, JournalEntry]:
    *_, before, last = JournalEntry.objects.filter(chain=chain).order_by("seq")
    return before, last


def test_an_entrys_digest_is_keyed_not_a_plain_sha256(world, settings):
    entry = journal.entries_for_case(make_errand(world).case).first()
    assert entry.hash == journal.compute_hash(entry) != journal.legacy_hash(entry)
    settings.JOURNAL_KEY = "B" * 43  # the same rows under another key do not verify
    assert journal.verify(entry.chain)[0].reason == "内容与哈希不符(记录被改动)"


def test_truncation_with_the_head_wound_back_is_detected(world):
    errand = make_errand(world)
    perform(world.clerk_a, errand.case, "take")
    make_errand(world, title="又一件")
    chain = journal.entries_for_case(errand.case).first().chain
    *_, keep, gone1, gone2 = JournalEntry.objects.filter(chain=chain).order_by("seq")
    with append_only_guard_lifted():
        JournalEntry.objects.filter(pk__in=[gone1.pk, gone2.pk]).delete()
    # The attacker winds the head back to the entry now last: seq and digest agree again.
    JournalHead.objects.filter(chain=chain).update(seq=keep.seq, hash=keep.hash)
    code, _, err = run_verify()
    assert code == 1 and f"链 {chain} 第 {keep.seq} 条：链头校验码不符" in err


def test_replacing_the_last_entry_and_recomputing_its_sha256_and_the_head_is_detected(world):
    errand = make_errand(world)
    perform(world.clerk_a, errand.case, "take")
    chain = journal.entries_for_case(errand.case).first().chain
    _, last = last_two(chain)
    last.summary = "改写过的摘要"
    forged = journal.legacy_hash(last)  # what someone without the key can compute
    with append_only_guard_lifted():
        JournalEntry.objects.filter(pk=last.pk).update(summary=last.summary, hash=forged)
    JournalHead.objects.filter(chain=chain).update(hash=forged)
    code, _, err = run_verify()
    assert code == 1 and f"第 {last.seq} 条(记录ID {last.pk})：内容与哈希不符" in err


def test_replacing_the_last_entry_under_a_key_of_ones_own_is_detected(world, settings):
    errand = make_errand(world)
    perform(world.clerk_a, errand.case, "take")
    chain = journal.entries_for_case(errand.case).first().chain
    _, last = last_two(chain)
    real_key, settings.JOURNAL_KEY = settings.JOURNAL_KEY, "Z" * 43  # the attacker's guess
    last.summary = "改写过的摘要"
    forged = journal.compute_hash(last)
    forged_seal = journal.seal_of(chain, last.seq, forged, 1)
    settings.JOURNAL_KEY = real_key
    with append_only_guard_lifted():
        JournalEntry.objects.filter(pk=last.pk).update(summary=last.summary, hash=forged)
    JournalHead.objects.filter(chain=chain).update(hash=forged, seal=forged_seal)
    assert journal.verify(chain)[0].reason == "内容与哈希不符(记录被改动)"


def test_reordering_two_entries_is_detected(world):
    errand = make_errand(world)
    perform(world.clerk_a, errand.case, "take")
    chain = journal.entries_for_case(errand.case).first().chain
    before, last = last_two(chain)
    with append_only_guard_lifted():
        # Swap their places in the chain (through a free number: (chain, seq) is unique).
        JournalEntry.objects.filter(pk=last.pk).update(seq=10**9)
        JournalEntry.objects.filter(pk=before.pk).update(seq=last.seq, prev_hash=before.hash)
        JournalEntry.objects.filter(pk=last.pk).update(seq=before.seq, prev_hash=before.prev_hash)
    JournalHead.objects.filter(chain=chain).update(hash=before.hash)
    breaks = journal.verify(chain)
    assert len(breaks) == 1 and breaks[0].seq == before.seq and "不符" in breaks[0].reason


def test_an_append_to_a_wound_back_chain_is_refused_and_writes_nothing(world):
    make_errand(world, title="前一件")
    errand = make_errand(world)
    chain = journal.entries_for_case(errand.case).first().chain
    before, last = last_two(chain)
    with append_only_guard_lifted():
        JournalEntry.objects.filter(pk=last.pk).delete()
    JournalHead.objects.filter(chain=chain).update(seq=before.seq, hash=before.hash)
    count = JournalEntry.objects.count()
    with pytest.raises(Conflict) as error:
        perform(world.clerk_a, errand.case, "take")
    assert error.value.code == "journal.head_tampered" and "请联系安全审计员" in error.value.message
    # Appending would have re-sealed the wound-back head and hidden the deletion: nothing changed.
    assert JournalEntry.objects.count() == count and type(errand.case).objects.get(pk=errand.case.pk).state == "new"
    assert "链头校验码不符" in journal.verify(chain)[0].reason


def test_a_journal_write_costs_three_queries_and_a_chains_first_two_more(world, django_assert_num_queries):
    # The head's seal rides on the head's own UPDATE: keying added no query (issue 12 item 5).
    # The head locked, the entry, the head moved on; a chain's first entry starts its head first.
    make_errand(world)
    with transaction.atomic(), django_assert_num_queries(5):
        journal.record(actor=world.clerk_a, verb="x", summary="计数", chain="counted")
    with transaction.atomic(), django_assert_num_queries(3):
        journal.record(actor=world.clerk_a, verb="x", summary="计数", chain="counted")
    assert not journal.verify("counted")


# ---- anchors outside the database ------------------------------------------------------------


@pytest.fixture
def anchor_dir(settings, tmp_path):
    settings.JOURNAL_ANCHOR_DIR = tmp_path / "anchors"
    return settings.JOURNAL_ANCHOR_DIR


def test_the_anchor_command_writes_every_head_outside_the_database(world, anchor_dir):
    make_errand(world)
    out = io.StringIO()
    call_command("journal", "anchor", stdout=out)
    (path,) = anchor_dir.glob("journal-anchor-*.json")
    anchor = anchors.load(path)
    heads = {head.chain: (head.seq, head.hash) for head in JournalHead.objects.all()}
    assert anchor.chains == heads and anchor.entries == JournalEntry.objects.count()
    assert "已写入锚点" in out.getvalue()
    code, out_text, _ = run_verify()
    assert code == 0 and f"与锚点 {path.name}" in out_text


def test_an_old_head_put_back_after_deleting_later_entries_is_caught_by_the_anchor(world, anchor_dir):
    errand = make_errand(world)
    chain = journal.entries_for_case(errand.case).first().chain
    saved = JournalHead.objects.values("seq", "hash", "seal").get(chain=chain)  # copied by the attacker
    perform(world.clerk_a, errand.case, "take")
    make_errand(world, title="又一件")
    anchors.write_anchor()
    with append_only_guard_lifted():
        JournalEntry.objects.filter(chain=chain, seq__gt=saved["seq"]).delete()
    JournalHead.objects.filter(chain=chain).update(**saved)  # a genuinely sealed, older head
    assert journal.verify(chain) == []  # the chain alone cannot tell
    code, _, err = run_verify()
    assert code == 1 and "链被截断：锚点" in err and f"现仅 {saved['seq']} 条" in err


def test_a_chain_removed_whole_is_caught_by_the_anchor(world, anchor_dir):
    errand = make_errand(world)
    chain = journal.entries_for_case(errand.case).first().chain
    anchors.write_anchor()
    with append_only_guard_lifted():
        JournalEntry.objects.filter(chain=chain).delete()
    JournalHead.objects.filter(chain=chain).delete()
    code, _, err = run_verify()
    assert code == 1 and f"链 {chain}" in err and "整条链已不存在" in err


def test_an_edited_anchor_file_fails_its_own_check(world, anchor_dir):
    make_errand(world)
    path = anchors.write_anchor()
    path.write_text(path.read_text().replace('"entries": ', '"entries": 1'))
    code, _, err = run_verify()
    assert code == 1 and "锚点文件" in err and "校验码不符" in err
    assert run_verify("--no-anchor")[0] == 0


def test_verify_uses_the_newest_anchor_and_a_named_one_on_request(world, anchor_dir):
    errand = make_errand(world)
    first = anchors.write_anchor()
    perform(world.clerk_a, errand.case, "take")
    newest = anchors.write_anchor()
    assert anchors.latest().name == newest.name
    assert f"与锚点 {first.name}" in run_verify("--anchor", str(first))[1]


def test_the_nightly_job_writes_an_anchor_and_sends_it_to_the_receiver(world, anchor_dir, settings):
    import http.server
    import threading

    received = []

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.JOURNAL_ANCHOR_URL = f"http://127.0.0.1:{server.server_port}/anchors"
    try:
        make_errand(world)
        from zhenjie.kernel.jobs import anchor_journal

        anchor_journal.call_local()
    finally:
        server.shutdown()
    (path,) = anchor_dir.glob("journal-anchor-*.json")
    assert received == [path.read_bytes()]


def test_a_receiver_that_is_down_is_logged_and_the_file_kept(world, anchor_dir, settings, caplog):
    import socket

    with socket.socket() as probe:  # a port no one listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.JOURNAL_ANCHOR_URL = f"http://127.0.0.1:{port}/anchors"
    make_errand(world)
    from zhenjie.kernel.jobs import send_journal_anchor

    path = anchors.write_anchor()
    with pytest.raises(OSError):
        send_journal_anchor.call_local(path.name)  # the queue retries on this exception
    assert "not delivered" in caplog.text and path.exists()
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit):
        call_command("journal", "anchor", stdout=out, stderr=err)
    assert "锚点已写入，但发送到" in err.getvalue()
