"""The journal (全过程记录): append-only, hash-chained. See JOURNAL.md beside this file.

record() must be called inside the transaction of the change it records, so that the change and
its entry land together or not at all. verify() walks every chain and names the first entry that
does not match."""

import hashlib
import json
from dataclasses import dataclass
from datetime import timezone as dt_timezone

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from zhenjie.areas.paths import township_path

from .models import Case, JournalEntry, JournalHead
from .scoping import unscoped

GENESIS = "0" * 64
RULES_CHAIN = "rules"  # lists, calendars, settings and other county-wide rules


def chain_for_case(case: Case) -> str:
    """One chain per township (the area path to township level), one for county-level cases."""
    return township_path(case.area.path)


def normalised(data: dict | None) -> dict:
    # Round-trip through JSON so the hash is computed from exactly what the database returns.
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder, ensure_ascii=False))


def compute_hash(entry: JournalEntry) -> str:
    payload = {
        "chain": entry.chain,
        "seq": entry.seq,
        "prev": entry.prev_hash,
        "case": entry.case_id,
        "subject": entry.subject,
        "actor": entry.actor_id,
        "actor_name": entry.actor_name,
        "verb": entry.verb,
        "summary": entry.summary,
        "from": entry.from_state,
        "to": entry.to_state,
        "note": entry.note,
        "data": entry.data,
        "at": entry.created_at.astimezone(dt_timezone.utc).isoformat(timespec="microseconds"),
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def draft(
    *,
    actor,
    verb: str,
    case: Case | None = None,
    subject: str = "",
    chain: str | None = None,
    summary: str = "",
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict | None = None,
    at=None,
) -> JournalEntry:
    """An entry not yet on its chain: append() links, hashes and saves it. The workflow's step
    function drafts its entry in memory, so live transitions and replayed history write the same
    fields (kernel/history.py)."""
    return JournalEntry(
        chain=chain or (chain_for_case(case) if case is not None else RULES_CHAIN),
        case=case,
        subject=subject,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(getattr(actor, "display_name", "") or "系统")[:64],
        verb=verb,
        summary=summary,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data,
        created_at=at or timezone.now(),
    )


def _locked_head(chain: str) -> JournalHead:
    JournalHead.objects.bulk_create([JournalHead(chain=chain, seq=0, hash=GENESIS)], ignore_conflicts=True)
    return JournalHead.objects.select_for_update().get(chain=chain)


def _link(entry: JournalEntry, head: JournalHead) -> None:
    """Put the entry next on the head's chain (in memory): sequence, previous hash, its own hash."""
    entry.case_id = entry.case.pk if entry.case is not None else None
    entry.summary = (entry.summary or "")[:200]
    entry.data = normalised(entry.data)
    entry.seq, entry.prev_hash = head.seq + 1, head.hash
    entry.hash = compute_hash(entry)
    head.seq, head.hash = entry.seq, entry.hash


def append(entry: JournalEntry) -> JournalEntry:
    """Save a drafted entry at the end of its chain. Locks the chain's head row until the
    surrounding transaction ends."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("journal.record() must run inside the transaction of the change it records")
    head = _locked_head(entry.chain)
    _link(entry, head)
    entry.save(force_insert=True)
    head.save(update_fields=["seq", "hash"])
    return entry


def append_many(entries: list[JournalEntry]) -> None:
    """Save many drafted entries (bulk), oldest first within each chain: one lock per chain."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("journal.append_many() must run inside the transaction of the change it records")
    by_chain: dict[str, list[JournalEntry]] = {}
    for entry in entries:
        by_chain.setdefault(entry.chain, []).append(entry)
    for chain, rows in sorted(by_chain.items()):
        head = _locked_head(chain)
        for entry in sorted(rows, key=lambda e: e.created_at):
            _link(entry, head)
        head.save(update_fields=["seq", "hash"])
    JournalEntry.objects.bulk_create(entries, batch_size=1000)


def record(*, actor, verb: str, case: Case | None = None, **fields) -> JournalEntry:
    """Append one entry now (the fields are draft()'s). Must run inside the transaction of the
    change it records."""
    return append(draft(actor=actor, verb=verb, case=case, **fields))


def entries_for_case(case: Case):
    return JournalEntry.objects.filter(case=case).select_related("actor").order_by("created_at", "seq")


@dataclass(frozen=True)
class Break:
    chain: str
    seq: int
    entry_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"链 {self.chain} 第 {self.seq} 条" + (f"(记录ID {self.entry_id})" if self.entry_id else "")
        return f"{where}：{self.reason}"


def verify(chain: str | None = None, batch: int = 5000) -> list[Break]:
    """Check every chain (or one); return the first break of each broken chain."""
    heads = unscoped(JournalHead, why="verification walks every chain")
    heads = heads if chain is None else heads.filter(chain=chain)
    chains = {head.chain: head for head in heads}
    # A chain with entries but no head means the head row was deleted.
    entries = unscoped(JournalEntry, why="verification walks every chain")
    entries = entries if chain is None else entries.filter(chain=chain)
    for name in entries.values_list("chain", flat=True).distinct():
        chains.setdefault(name, None)
    return [found for name in sorted(chains) if (found := _verify_chain(name, chains[name], batch))]


def _verify_chain(chain: str, head: JournalHead | None, batch: int) -> Break | None:
    expected_seq, prev_hash = 1, GENESIS
    last_id = 0
    while True:
        rows = list(unscoped(JournalEntry, why="verification walks every chain").filter(chain=chain, seq__gte=expected_seq).order_by("seq")[:batch])
        if not rows:
            break
        for entry in rows:
            if entry.seq != expected_seq:
                return Break(chain, expected_seq, None, f"缺少第 {expected_seq} 条(已被删除)，其后一条为第 {entry.seq} 条")
            if entry.prev_hash != prev_hash:
                return Break(chain, entry.seq, entry.pk, "与前一条的链接不符(前一条被改动或删除)")
            if compute_hash(entry) != entry.hash:
                return Break(chain, entry.seq, entry.pk, "内容与哈希不符(记录被改动)")
            prev_hash, expected_seq, last_id = entry.hash, entry.seq + 1, entry.pk
    last_seq = expected_seq - 1
    if head is None:
        return Break(chain, last_seq, last_id or None, "链头记录缺失")
    if head.seq != last_seq or head.hash != prev_hash:
        if head.seq > last_seq:
            return Break(chain, last_seq + 1, None, f"链尾第 {last_seq + 1} 至 {head.seq} 条已被删除")
        return Break(chain, head.seq, None, "链头与最后一条记录不符")
    return None
