"""Anchors of the journal outside the database (issue 12 item 5; 等保 8.1.4.3 c, 8.1.4.7 b).

A chain proves itself only as far as its head: someone who deletes the newest entries and puts
back a head row copied earlier leaves a chain that verifies. So every night the heads — each
chain's length and last digest — are written to a file outside the database, MACed under the
journal key, and optionally POSTed to a receiver on another machine. `journal verify` then checks
that every anchored chain still reaches its anchored length with the anchored digest: a chain cut
back, rewritten or removed since the anchor is a break. See JOURNAL.md."""

import hashlib
import hmac
import json
import logging
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from datetime import timezone as dt_timezone
from pathlib import Path

from django.conf import settings
from django.db.models import Q

from . import journal
from .models import JournalEntry, JournalHead
from .scoping import unscoped

FORMAT = "zhenjie-journal-anchor/1"
PREFIX = "journal-anchor-"
logger = logging.getLogger("zhenjie.journal")


class AnchorInvalid(Exception):
    """The anchor file is not one we wrote with this key: edited, truncated or foreign."""


@dataclass(frozen=True)
class Anchor:
    made_at: str
    chains: dict[str, tuple[int, str]]  # chain -> (entries, last digest)
    name: str = ""

    @property
    def entries(self) -> int:
        return sum(seq for seq, _ in self.chains.values())

    def breaks(self, heads: dict, only: str | None = None) -> list[journal.Break]:
        """For each anchored chain (or only one) that no longer reaches what was anchored, a Break."""
        wanted = [(chain, seq, digest) for chain, (seq, digest) in sorted(self.chains.items()) if seq and only in (None, chain)]
        found: dict[str, tuple[int, str]] = {}
        entries = unscoped(JournalEntry, why="verification against an anchor reads every chain's anchored entry")
        for start in range(0, len(wanted), 200):
            condition = Q()
            for chain, seq, _ in wanted[start:start + 200]:
                condition |= Q(chain=chain, seq=seq)
            for chain, pk, digest in entries.filter(condition).values_list("chain", "pk", "hash"):
                found[chain] = (pk, digest)
        breaks = []
        for chain, seq, digest in wanted:
            head = heads.get(chain)
            length = head.seq if head is not None else 0
            if chain not in heads:
                breaks.append(journal.Break(chain, seq, None, f"整条链已不存在(锚点 {self.made_at} 时有 {seq} 条)"))
            elif chain not in found or length < seq:
                breaks.append(journal.Break(chain, min(length, seq) + 1, None, f"链被截断：锚点 {self.made_at} 时有 {seq} 条，现仅 {length} 条"))
            elif not hmac.compare_digest(found[chain][1], digest):
                breaks.append(journal.Break(chain, seq, found[chain][0], f"与锚点 {self.made_at} 记录的第 {seq} 条不符(链被改写)"))
        return breaks


def directory() -> Path:
    return Path(settings.JOURNAL_ANCHOR_DIR)


def _payload(made_at: str, chains: list[list]) -> dict:
    listing = json.dumps(chains, ensure_ascii=False, separators=(",", ":"))
    return {
        "format": FORMAT,
        "made_at": made_at,
        "chains": chains,
        "entries": sum(seq for _, seq, _ in chains),
        # One digest of every head: what a receiver or a printed daily report can compare at a glance.
        "digest": hashlib.sha256(listing.encode()).hexdigest(),
    }


def write_anchor(folder: Path | None = None) -> Path:
    """Write the current heads to a new anchor file and return its path. One query."""
    folder = folder or directory()
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(dt_timezone.utc)
    heads = unscoped(JournalHead, why="the anchor records every chain's head").order_by("chain").values_list("chain", "seq", "hash")
    payload = _payload(now.isoformat(timespec="seconds"), [[chain, seq, digest] for chain, seq, digest in heads])
    payload["mac"] = journal.mac(journal.keys().anchor, payload)
    path = folder / f"{PREFIX}{now:%Y%m%dT%H%M%S%fZ}.json"
    temporary = path.with_suffix(".part")
    temporary.write_text(json.dumps(payload, ensure_ascii=False, indent=1))
    os.replace(temporary, path)  # a reader never sees half a file
    return path


def load(path: Path) -> Anchor:
    try:
        payload = json.loads(Path(path).read_text())
        claimed = payload.pop("mac")
        chains = payload["chains"]
        expected = _payload(payload["made_at"], chains)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise AnchorInvalid(f"锚点文件 {Path(path).name} 无法读取：{error}") from None
    if payload != expected or not hmac.compare_digest(str(claimed), journal.mac(journal.keys().anchor, payload)):
        raise AnchorInvalid(f"锚点文件 {Path(path).name} 的校验码不符(文件被改动，或不是用本平台的密钥写成)")
    return Anchor(payload["made_at"], {chain: (seq, digest) for chain, seq, digest in chains}, Path(path).name)


def latest(folder: Path | None = None) -> Anchor | None:
    """The newest anchor in the folder (names sort by time), or None when none was written yet."""
    folder = folder or directory()
    names = sorted(folder.glob(f"{PREFIX}*.json")) if folder.is_dir() else []
    return load(names[-1]) if names else None


def send(path: Path, url: str | None = None) -> None:
    """POST the anchor file to the configured receiver. Raises on failure (the job queue retries)."""
    url = url or settings.JOURNAL_ANCHOR_URL
    body = Path(path).read_bytes()
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 - the URL is the operator's setting
            if not 200 <= response.status < 300:
                raise OSError(f"HTTP {response.status}")
    except (OSError, urllib.error.URLError) as error:
        logger.warning("journal anchor %s not delivered to %s: %s", Path(path).name, url, error)
        raise
    logger.info("journal anchor %s delivered to %s", Path(path).name, url)


def verify_against_latest(chain: str | None = None) -> tuple[list[journal.Break], Anchor | None]:
    """What the audit administrator's button and `journal verify` run: the chains, their heads'
    seals, and the newest anchor. An anchor file that fails its own check is itself a break."""
    try:
        anchor = latest()
    except AnchorInvalid as error:
        return [journal.Break("锚点", 0, None, str(error))], None
    return journal.verify(chain, anchor=anchor), anchor
