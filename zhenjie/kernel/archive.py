"""Archive packages (归档包) for closed cases of any kind: one zip with every file and document of
the case, its header and the kind's detail, its journal entries with their hashes, a stdlib-only
verify.py and manifest.json (every file's size and SHA-256). The manifest's SHA-256 and its HMAC
under the archive key (derived from JOURNAL_KEY) are kept on the ArchivePackage row, so an edit
of a file *and* the manifest is caught by verify_package even when verify.py on its own passes.
Contract: kernel/ARCHIVE.md.

Asking (archive_case) and building (build_package) are apart: a case's files can reach gigabytes,
so the build runs on the job queue (kernel.jobs.build_archive_package) and the page shows the
package's state meanwhile."""

import hashlib
import hmac
import io
import json
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from . import archive_verify, attachments, journal
from .actors import journal_name
from .errors import ActionError, Conflict, NotFound
from .models import ArchivePackage, Attachment, Case, JournalEntry, JournalHead
from .retention import Retention, retention_for
from .scoping import can_see_case, case_is_visible, get_visible_or_404, unscoped
from .workflow import rule_of, workflow_for

FORMAT = "zhenjie-archive/1"
PURPOSE = "archive"
VERIFY_SOURCE = Path(archive_verify.__file__)
# What verify_package opens at most (security.md 40: archive limits before reading): a package
# holds the case's own files, each at most 50 MB (attachments.py).
MAX_MEMBERS = 10_000
MAX_UNPACKED = 4 * 1024 * 1024 * 1024

# A rule: None when `actor` may archive `case`, else the refusal. By default the kind's declared
# "archive" rule (kernel.workflow `.may("archive", …)`); a kind declaring none refuses.
ArchiveRule = Callable[[object, Case], ActionError | None]


# ---- what a kind puts in -------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveSpec:
    detail: Callable[[Case], dict] | None = None  # the kind's own record, JSON-serialisable
    item_code: Callable[[Case], str] | None = None  # the service item, for the retention rule


_SPECS: dict[str, ArchiveSpec] = {}


def register_kind(kind: str, *, detail: Callable[[Case], dict] | None = None, item_code: Callable[[Case], str] | None = None) -> ArchiveSpec:
    """A kind says what of its own record goes into case.json and which service item the case is
    for (from its AppConfig.ready). Without it: the case header and the kind's default period."""
    spec = _SPECS[kind] = ArchiveSpec(detail, item_code)
    return spec


def item_code_of(case: Case) -> str:
    spec = _SPECS.get(case.kind)
    return spec.item_code(case) if spec and spec.item_code else ""


# ---- asking for a package ------------------------------------------------------------------


def may_archive(actor, case: Case, may: ArchiveRule | None = None) -> bool:
    """Whether to offer the button (the action decides)."""
    return case.closed_at is not None and (may or rule_of(PURPOSE))(actor, case) is None


def _grown_since(case: Case, package: ArchivePackage) -> bool:
    """Whether the case's record has entries the package lacks (a rating after closing, a
    document issued late) — its own archive entries aside."""
    return JournalEntry.objects.filter(case=case, pk__gt=package.journal_upto).exclude(verb__startswith="archive.").exists()


@transaction.atomic
def archive_case(actor, case: Case, *, may: ArchiveRule | None = None) -> ArchivePackage:
    """Ask for the case's archive package. Only a closed case; who may is the kind's rule. Asking
    again returns the package being built or the last one, unless the case's record has grown
    since — then a new version is made; a failed build is tried again under its version."""
    if not can_see_case(actor, case):
        raise NotFound("case.not_found", "事项不存在或不在您的辖区内")
    if (refused := (may or rule_of(PURPOSE))(actor, case)) is not None:
        raise refused
    # Lock the case: of two requests at once, the second sees the first one's package.
    case = Case.objects.select_for_update().select_related("area").get(pk=case.pk)
    if case.closed_at is None:
        raise Conflict("archive.case_open", "事项尚未办结，办结后才能归档")
    latest = case.archive_packages.order_by("-version").first()
    if latest is not None and (latest.state == ArchivePackage.State.PENDING or
                               (latest.state == ArchivePackage.State.READY and not _grown_since(case, latest))):
        return latest
    if latest is not None and latest.state == ArchivePackage.State.FAILED:
        latest.state, latest.error, latest.created_by, latest.created_at = ArchivePackage.State.PENDING, "", actor, timezone.now()
        latest.save(update_fields=["state", "error", "created_by", "created_at"])
        package = latest
    else:
        package = ArchivePackage.objects.create(case=case, version=(latest.version + 1) if latest else 1, created_by=actor)
    from . import jobs

    transaction.on_commit(lambda: jobs.build_archive_package(package.pk))
    return package


# ---- building ------------------------------------------------------------------------------


def _header(case: Case) -> dict:
    workflow = workflow_for(case.kind)
    at = lambda value: value.isoformat() if value else None  # noqa: E731
    return {
        "id": case.pk, "kind": case.kind, "kind_label": workflow.label, "number": case.number, "title": case.title,
        "state": case.state, "state_label": workflow.state_label(case.state),
        "area": {"code": case.area.code, "name": case.area.name}, "owner_unit": case.owner_unit.name if case.owner_unit_id else None,
        "channel": case.channel, "external_id": case.external_id, "opened_at": at(case.opened_at), "due_at": at(case.due_at),
        "closed_at": at(case.closed_at), "rating": case.rating, "rating_comment": case.rating_comment,
        "parent": case.parent.number if case.parent_id else None,
    }  # fmt: skip


def _journal_segments(case: Case) -> tuple[list[dict], list[dict], int]:
    """The case's entries on each chain, with every other entry between its first and last as
    (seq, prev, hash) only — enough to re-check the links, nothing of other cases' content."""
    own: dict[str, dict[int, JournalEntry]] = {}
    for entry in JournalEntry.objects.filter(case=case).order_by("chain", "seq"):
        own.setdefault(entry.chain, {})[entry.seq] = entry
    segments, summaries, upto = [], [], 0
    for chain, entries in sorted(own.items()):
        first, last = min(entries), max(entries)
        links = unscoped(JournalEntry, why="the links between a case's entries in its township's chain").filter(
            chain=chain, seq__gte=first, seq__lte=last).order_by("seq").values_list("seq", "prev_hash", "hash")
        rows = []
        for seq, prev, digest in links.iterator():
            row = {"seq": seq, "prev": prev, "hash": digest}
            if seq in entries:
                row["fields"] = journal.canonical_fields(entries[seq])
            rows.append(row)
        segments.append({"chain": chain, "entries": rows})
        summaries.append({"chain": chain, "from_seq": first, "to_seq": last, "prev_hash": entries[first].prev_hash,
                          "last_hash": entries[last].hash, "case_entries": len(entries)})
        upto = max(upto, *(entry.pk for entry in entries.values()))
    return segments, summaries, upto


def _dumps(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True).encode()


class _Writer:
    """Writes members into the zip and lists each one's size and SHA-256 for the manifest."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive, self.files = archive, []

    def add_bytes(self, path: str, content: bytes) -> None:
        self.archive.writestr(path, content)
        self.files.append({"path": path, "size": len(content), "sha256": hashlib.sha256(content).hexdigest()})

    def add_blob(self, path: str, attachment: Attachment) -> None:
        sha, size = hashlib.sha256(), 0
        with attachments.open_blob(attachment.blob) as stored, self.archive.open(path, "w", force_zip64=True) as member:
            while chunk := stored.read(1 << 20):
                sha.update(chunk)
                size += len(chunk)
                member.write(chunk)
        if sha.hexdigest() != attachment.blob.sha256:
            # The stored file no longer matches the hash it was kept under: never archive it as if whole.
            raise ArchiveFailed(f"存储的文件已损坏，无法归档：{attachment.name}")
        self.files.append({"path": path, "size": size, "sha256": sha.hexdigest()})


class ArchiveFailed(Exception):
    """Building stopped; the message (Chinese) goes on the package row."""


def _member_path(attachment: Attachment) -> str:
    document = getattr(attachment, "document", None)
    if document is not None:
        number = document.number.replace("/", "-").replace("\\", "-")  # a number is a name here, never a folder
        return f"documents/{attachment.pk}-{number}.pdf"
    return f"attachments/{attachment.pk}-{attachment.name}"


def seal_of(manifest: bytes) -> str:
    return hmac.new(journal.keys().archive, manifest, hashlib.sha256).hexdigest()


def build_package(package_id: int) -> ArchivePackage:
    """Build a pending package (the job's body). The zip is written outside any transaction (it
    only reads, and may take long); storing it, the row and the journal entry are one short
    transaction that first locks the row, so of two workers given the same package one registers
    it. A failure leaves the package `failed` with the reason, and nothing else written."""
    package = ArchivePackage.objects.select_related("case__area", "case__owner_unit", "case__parent", "created_by").get(pk=package_id)
    if package.state != ArchivePackage.State.PENDING:
        return package
    try:
        with tempfile.TemporaryFile() as spool:
            built = _write_zip(package, spool)
            spool.seek(0)
            content = spool.read()
        with transaction.atomic():
            if ArchivePackage.objects.select_for_update().filter(pk=package.pk, state=ArchivePackage.State.PENDING).exists():
                _register(package, content, built)
    except (ArchiveFailed, OSError) as error:
        reason = str(error) if isinstance(error, ArchiveFailed) else "读取案卷文件失败，请联系系统管理员"
        ArchivePackage.objects.filter(pk=package.pk, state=ArchivePackage.State.PENDING).update(state=ArchivePackage.State.FAILED, error=reason[:500])
    package.refresh_from_db()
    return package


@dataclass(frozen=True)
class _Built:
    manifest: bytes
    files: int
    journal_upto: int
    retention: Retention
    retain_until: date | None
    at: datetime


def _write_zip(package: ArchivePackage, spool) -> _Built:
    case, now = package.case, timezone.now()
    retention = retention_for(case, item_code_of(case))
    retain_until = retention.until(case.closed_at)
    spec = _SPECS.get(case.kind)
    segments, summaries, upto = _journal_segments(case)
    files = Attachment.objects.filter(case=case).exclude(purpose=PURPOSE).select_related("blob", "document").order_by("pk")
    with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
        writer = _Writer(archive)
        writer.add_bytes("case.json", _dumps({"case": _header(case), "detail": spec.detail(case) if spec and spec.detail else None}))
        for attachment in files:
            writer.add_blob(_member_path(attachment), attachment)
        writer.add_bytes(archive_verify.JOURNAL, _dumps({"segments": segments}))
        writer.add_bytes("verify.py", VERIFY_SOURCE.read_bytes())
        manifest = _dumps({
            "format": FORMAT, "package": {"id": package.pk, "version": package.version},
            "case": {"id": case.pk, "kind": case.kind, "number": case.number, "title": case.title},
            "packaged_by": journal_name(package.created_by), "packaged_at": now.isoformat(),
            "retention": {"years": retention.years, "label": retention.label, "source": retention.source},
            "retain_until": retain_until.isoformat() if retain_until else None,
            "may_destroy_after": retain_until.isoformat() if retain_until else None,
            "files": writer.files, "journal": summaries,
        })  # fmt: skip
        archive.writestr(archive_verify.MANIFEST, manifest)
    return _Built(manifest, len(writer.files), upto, retention, retain_until, now)


def _register(package: ArchivePackage, content: bytes, built: _Built) -> None:
    case = package.case
    name = f"{case.number or case.pk}-归档包-第{package.version}版.zip"
    stored = attachments.store(content, name, PURPOSE, case=case, actor=package.created_by)
    package.state, package.packaged_at, package.attachment = ArchivePackage.State.READY, built.at, stored
    package.sha256, package.seal = hashlib.sha256(built.manifest).hexdigest(), seal_of(built.manifest)
    package.size, package.files, package.journal_upto = len(content), built.files, built.journal_upto
    package.retention_years, package.retain_until = built.retention.years, built.retain_until
    package.save()
    journal.record(actor=package.created_by, verb="archive.package", case=case, from_state=case.state, to_state=case.state,
                   summary=f"归档(第{package.version}版，保管期限{built.retention.label})",
                   data={"package": package.pk, "version": package.version, "manifest_sha256": package.sha256,
                         "retain_until": package.retain_until})


# ---- verifying -----------------------------------------------------------------------------


def _open(path_or_bytes) -> zipfile.ZipFile:
    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, (bytes, bytearray)) else path_or_bytes
    return zipfile.ZipFile(source)


def verify_package(path_or_bytes) -> list[str]:
    """Every problem of a package (empty: whole and genuine): what verify.py finds, and what only
    the system can — the manifest against its registered SHA-256 and HMAC, and each journal entry
    against its keyed digest."""
    try:
        archive = _open(path_or_bytes)
    except (zipfile.BadZipFile, OSError):
        return ["不是有效的ZIP归档包"]
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS or sum(info.file_size for info in members) > MAX_UNPACKED:
            return ["归档包文件数或解压后大小超出上限，未予校验"]
        problems, manifest_sha256 = archive_verify.check(archive_verify.Zip(archive))
        if not manifest_sha256:
            return problems
        raw = archive.read(archive_verify.MANIFEST)
        problems += _check_registration(raw, manifest_sha256)
        problems += _check_entry_digests(archive)
    return problems


def _check_registration(raw: bytes, manifest_sha256: str) -> list[str]:
    try:
        package_id = json.loads(raw)["package"]["id"]
    except (ValueError, KeyError, TypeError):
        return ["清单中没有归档包编号"]
    package = unscoped(ArchivePackage, why="verification compares with the registered seal").filter(pk=package_id if isinstance(package_id, int) else None).first()
    if package is None or package.state != ArchivePackage.State.READY:
        return ["系统中没有这个归档包的登记"]
    problems = []
    if not hmac.compare_digest(package.sha256, manifest_sha256):
        problems.append(f"清单与系统登记的SHA-256不符(清单被改动)：登记值 {package.sha256}")
    if not hmac.compare_digest(package.seal, seal_of(raw)):
        problems.append("清单的校验码(HMAC)与系统登记的不符(清单被改动)")
    return problems


def _check_entry_digests(archive: zipfile.ZipFile) -> list[str]:
    """Each of the case's entries against its keyed digest: links rewritten consistently pass
    verify.py, not this. Entries written before keying are checked by plain SHA-256 (JOURNAL.md)."""
    try:
        segments = json.loads(archive.read(archive_verify.JOURNAL))["segments"]
    except (KeyError, ValueError, TypeError, *archive_verify.BROKEN):
        return []  # verify.py already reported the journal file
    keyed_from = dict(unscoped(JournalHead, why="where keying began, per chain").values_list("chain", "keyed_from"))
    problems = []
    for segment in segments:
        for entry in segment.get("entries", []):
            fields = entry.get("fields")
            if fields is None:
                continue
            legacy = fields.get("seq", 0) < (keyed_from.get(segment.get("chain")) or 1)
            digest = journal.plain_digest(fields) if legacy else journal.mac(journal.keys().entry, fields)
            if not hmac.compare_digest(digest, str(entry.get("hash"))):
                problems.append(f"全过程记录链 {segment.get('chain')} 第 {entry.get('seq')} 条：内容与哈希不符(记录被改动)")
    return problems


def verify_stored(package: ArchivePackage) -> list[str]:
    """verify_package on the zip as the system keeps it."""
    with attachments.open_blob(package.attachment.blob) as stored:
        return verify_package(stored.read())


# ---- reading -------------------------------------------------------------------------------


def packages_of_case_for(user, case_id: int):
    """A case's packages, newest first, for a user who may see the case (else none)."""
    return (ArchivePackage.objects.filter(case_is_visible(user), case_id=case_id)
            .select_related("created_by", "attachment__blob").order_by("-version"))


def get_package_for(user, case_id: int, package_id: int) -> ArchivePackage:
    return get_visible_or_404(packages_of_case_for(user, case_id), "archive.not_found", "归档包不存在或不在您的辖区内", pk=package_id)


def latest_ready_for(user, case_id: int) -> ArchivePackage:
    package = packages_of_case_for(user, case_id).filter(state=ArchivePackage.State.READY).first()
    if package is None:
        raise NotFound("archive.not_found", "该事项尚无归档包或不在您的辖区内")
    return package


def package_response(package: ArchivePackage):
    from .serving import file_response

    blob = package.attachment.blob
    return file_response(attachments.open_blob(blob), filename=package.attachment.name, content_type="application/zip", size=blob.size)
