"""The journal (全过程记录): append-only, hash-chained, keyed. See JOURNAL.md beside this file.

record() must be called inside the transaction of the change it records, so that the change and
its entry land together or not at all. verify() walks every chain and names the first entry that
does not match; with an anchor (anchors.py) it also proves that no chain was cut back or
rewritten since the anchor was written.

Digests (等保 8.1.4.7 b, 8.1.4.3 c): an entry's digest is HMAC-SHA256 under a key derived from
JOURNAL_KEY, which lives outside the database, so whoever can write the tables cannot forge an
entry. Entries written before keying (seq < the head's `keyed_from`) keep their plain SHA-256
digests and are checked as such; the head's own seal (an HMAC over chain, seq, last digest and
keyed_from) fixes where keying began, so no one can move that boundary to fall back to SHA-256."""

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import timezone as dt_timezone
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from zhenjie.areas.paths import township_path

from . import opened
from .errors import Conflict
from .actors import journal_name
from .models import Case, JournalEntry, JournalHead
from .prepared import Prepared
from .scoping import unscoped

GENESIS = "0" * 64
RULES_CHAIN = "rules"  # lists, calendars, settings and other county-wide rules


# ---- keys ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Keys:
    entry: bytes
    head: bytes
    anchor: bytes
    archive: bytes  # archive packages' manifests (kernel/archive.py)


@lru_cache(maxsize=4)
def _derive(raw: str) -> _Keys:
    try:
        master = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except (ValueError, TypeError):
        raise ImproperlyConfigured("JOURNAL_KEY 须为URL安全的Base64编码") from None
    if len(master) < 32:
        raise ImproperlyConfigured("JOURNAL_KEY 至少需要32字节随机数(Base64编码后约43个字符)")

    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)

    # One key per use, so an anchor's MAC can never pass for an entry's digest or a head's seal.
    return _Keys(derive(b"zhenjie journal entry v1"), derive(b"zhenjie journal head v1"), derive(b"zhenjie journal anchor v1"),
                 derive(b"zhenjie archive manifest v1"))


def keys() -> _Keys:
    raw = getattr(settings, "JOURNAL_KEY", "")
    if not raw:
        raise ImproperlyConfigured("JOURNAL_KEY 未设置")
    return _derive(raw)


def mac(key: bytes, payload: dict) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


def chain_for_case(case: Case) -> str:
    """One chain per township (the area path to township level), one for county-level cases."""
    return township_path(case.area.path)


def normalised(data: dict | None) -> dict:
    # Round-trip through JSON so the hash is computed from exactly what the database returns.
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder, ensure_ascii=False))


def canonical_fields(entry: JournalEntry) -> dict:
    return {
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


def plain_digest(fields: dict) -> str:
    """Plain SHA-256 of an entry's canonical fields (entries written before keying)."""
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def legacy_hash(entry: JournalEntry) -> str:
    """The digest of entries written before keying: plain SHA-256 of the same canonical JSON."""
    return plain_digest(canonical_fields(entry))


def compute_hash(entry: JournalEntry) -> str:
    """The keyed digest: without JOURNAL_KEY no one can make an entry that verifies."""
    return mac(keys().entry, canonical_fields(entry))


def seal_of(chain: str, seq: int, digest: str, keyed_from: int) -> str:
    """The head's seal: binds the chain's length, its last digest and where keying began."""
    return mac(keys().head, {"chain": chain, "seq": seq, "hash": digest, "keyed_from": keyed_from})


def head_is_sealed(head: JournalHead) -> bool:
    return head.keyed_from is not None and hmac.compare_digest(head.seal, seal_of(head.chain, head.seq, head.hash, head.keyed_from))


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
        actor_name=journal_name(actor),  # citizens pseudonymous (actors.journal_name)
        verb=verb,
        summary=summary,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data,
        created_at=at or timezone.now(),
    )


# Every action appends: the head's read is compiled once (kernel.prepared).
_HEAD_FOR_UPDATE = Prepared(lambda chain: JournalHead.objects.select_for_update().filter(chain=chain).order_by("chain")[:1], chain=str)


def _locked_head(chain: str) -> JournalHead:
    # The head is there but for a chain's first entry: look first, and only then start it (an
    # insert that ignores a conflict, so two first entries at once both find the one head).
    head = _HEAD_FOR_UPDATE.first(chain=chain)
    if head is None:
        genesis = JournalHead(chain=chain, seq=0, hash=GENESIS, keyed_from=1, seal=seal_of(chain, 0, GENESIS, 1))
        JournalHead.objects.bulk_create([genesis], ignore_conflicts=True)
        head = JournalHead.objects.select_for_update().get(chain=chain)
    if not head_is_sealed(head):
        # Appending would re-seal a head someone wound back or rewrote, and launder the tampering
        # into a chain that verifies. Refuse instead (等保 8.1.4.3 c/d): the action fails whole,
        # the audit administrator's verify names the chain.
        raise Conflict("journal.head_tampered", "全过程记录链头校验失败，操作未执行，请联系安全审计员核查")
    return head


def _link(entry: JournalEntry, head: JournalHead) -> None:
    """Put the entry next on the head's chain (in memory): sequence, previous hash, its own hash."""
    entry.case_id = entry.case.pk if entry.case is not None else None
    entry.summary = (entry.summary or "")[:200]
    entry.data = normalised(entry.data)
    entry.seq, entry.prev_hash = head.seq + 1, head.hash
    entry.hash = compute_hash(entry)
    head.seq, head.hash = entry.seq, entry.hash


def _reseal(head: JournalHead) -> None:
    head.seal = seal_of(head.chain, head.seq, head.hash, head.keyed_from)


def append(entry: JournalEntry) -> JournalEntry:
    """Save a drafted entry at the end of its chain. Locks the chain's head row until the
    surrounding transaction ends."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("journal.record() must run inside the transaction of the change it records")
    # The case object the entry was drafted with (_link's key may drop it), never a read for it.
    case_in_hand = entry.case if JournalEntry.case.is_cached(entry) else None
    head = _locked_head(entry.chain)
    _link(entry, head)
    _reseal(head)
    entry.save(force_insert=True)
    head.save(update_fields=["seq", "hash", "seal"])
    opened.note(case_in_hand, "entries", entry)
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
        _reseal(head)
        head.save(update_fields=["seq", "hash", "seal"])
    JournalEntry.objects.bulk_create(entries, batch_size=1000)


def record(*, actor, verb: str, case: Case | None = None, **fields) -> JournalEntry:
    """Append one entry now (the fields are draft()'s). Must run inside the transaction of the
    change it records."""
    return append(draft(actor=actor, verb=verb, case=case, **fields))


def entries_for_case(case: Case):
    return JournalEntry.objects.filter(case=case).select_related("actor").order_by("created_at", "seq")


_TIMELINE = Prepared(lambda case_id: entries_for_case(case_id), case_id=int)


def timeline(case: Case) -> list[JournalEntry]:
    """entries_for_case as a case's page shows it, read by a query compiled once (kernel.prepared)."""
    return _TIMELINE(case_id=case.pk)


@dataclass(frozen=True)
class Break:
    chain: str
    seq: int
    entry_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"链 {self.chain} 第 {self.seq} 条" + (f"(记录ID {self.entry_id})" if self.entry_id else "")
        return f"{where}：{self.reason}"


def verify(chain: str | None = None, batch: int = 5000, *, anchor=None) -> list[Break]:
    """Check every chain (or one); return the first break of each broken chain. Given an anchor
    (anchors.Anchor), also check that every chain it names still reaches the anchored length with
    the anchored digest: a chain cut back, rewritten or removed since then is a break."""
    heads = unscoped(JournalHead, why="verification walks every chain")
    heads = heads if chain is None else heads.filter(chain=chain)
    chains = {head.chain: head for head in heads}
    # A chain with entries but no head means the head row was deleted.
    entries = unscoped(JournalEntry, why="verification walks every chain")
    entries = entries if chain is None else entries.filter(chain=chain)
    for name in entries.values_list("chain", flat=True).distinct():
        chains.setdefault(name, None)
    found = {name: broken for name in sorted(chains) if (broken := _verify_chain(name, chains[name], batch))}
    if anchor is not None:
        for broken in anchor.breaks(chains, only=chain):
            found.setdefault(broken.chain, broken)
    return [found[name] for name in sorted(found)]


def _verify_chain(chain: str, head: JournalHead | None, batch: int) -> Break | None:
    if head is None:
        last = unscoped(JournalEntry, why="verification walks every chain").filter(chain=chain).order_by("-seq").first()
        return Break(chain, last.seq if last else 0, last.pk if last else None, "链头记录缺失")
    keyed_from = head.keyed_from or 1
    expected_seq, prev_hash = 1, GENESIS
    while True:
        rows = list(unscoped(JournalEntry, why="verification walks every chain").filter(chain=chain, seq__gte=expected_seq).order_by("seq")[:batch])
        if not rows:
            break
        for entry in rows:
            if entry.seq != expected_seq:
                return Break(chain, expected_seq, None, f"缺少第 {expected_seq} 条(已被删除)，其后一条为第 {entry.seq} 条")
            if entry.prev_hash != prev_hash:
                return Break(chain, entry.seq, entry.pk, "与前一条的链接不符(前一条被改动或删除)")
            digest = compute_hash(entry) if entry.seq >= keyed_from else legacy_hash(entry)
            if not hmac.compare_digest(digest, entry.hash):
                return Break(chain, entry.seq, entry.pk, "内容与哈希不符(记录被改动)")
            prev_hash, expected_seq = entry.hash, entry.seq + 1
    last_seq = expected_seq - 1
    if head.seq != last_seq or head.hash != prev_hash:
        if head.seq > last_seq:
            return Break(chain, last_seq + 1, None, f"链尾第 {last_seq + 1} 至 {head.seq} 条已被删除")
        return Break(chain, head.seq, None, "链头与最后一条记录不符")
    if not head_is_sealed(head):
        # Entries and head agree, but the head's seal does not: someone deleted or replaced the
        # last entries and wound the head back to match, without the key to re-seal it.
        return Break(chain, head.seq, None, "链头校验码不符(链尾记录被删除或替换后链头被回退)")
    return None
