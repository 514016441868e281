"""The audit administrator's reads of the journal, themselves journaled.

Whoever audits is audited too: every look at the journal — which filters, which page — and every
verification is an entry on the audit chain, so a reader of personal histories leaves a trace
like everyone else (等保 GB/T 22239-2019 8.1.4.3 a) 审计覆盖到每个用户, 8.1.5.3 审计管理员的操作
应进行审计; issue 12 item 3). The console (workbench.console.journal_page) records each read and verifies through here."""

from django.db import transaction

from zhenjie.accounts.roles import RoleCode

from . import journal
from .errors import Forbidden
from .scoping import reach_of

AUDIT_CHAIN = "audit"  # the audit administrators' own reads and verifications


def _require_auditor(actor) -> None:
    if RoleCode.AUDIT_ADMIN not in reach_of(actor).roles:
        raise Forbidden("audit.not_allowed", "只有安全审计员可以查阅全过程记录")


def record_read(actor, filters: dict) -> None:
    """Journal that an audit administrator read the journal with these filters (one entry per
    page read). Refuses anyone else: only the auditor reads the journal (三权分立)."""
    _require_auditor(actor)
    described = "，".join(f"{key}={value}" for key, value in filters.items())
    with transaction.atomic():
        journal.record(actor=actor, verb="audit.journal_read", chain=AUDIT_CHAIN,
                       summary=f"查阅全过程记录{('(' + described + ')') if described else ''}"[:200], data=dict(filters))


def verify_journal(actor) -> list[journal.Break]:
    """The auditor's check — the chains, their heads' seals and the newest anchor
    (anchors.verify_against_latest) — with the verification and its outcome journaled."""
    from .anchors import verify_against_latest

    _require_auditor(actor)
    breaks, _ = verify_against_latest()
    with transaction.atomic():
        journal.record(actor=actor, verb="audit.journal_verify", chain=AUDIT_CHAIN,
                       summary=f"校验全过程记录：{'发现' + str(len(breaks)) + '条链被改动' if breaks else '完好'}",
                       data={"broken_chains": [b.chain for b in breaks]})
    return breaks
