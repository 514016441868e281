"""Imports, all or nothing, with a preview (迁入). Pages and the management commands call these
functions and nothing else; the kinds (kinds/) say what a file holds, this module what every
import shares:

- who may import where (`scope_for`: the kind's role, within that post's jurisdiction, in one county);
- read → plan: a file with any bad cell is refused whole, every bad cell named (row, column,
  reason), nothing written (`plan_file`);
- preview (`preview_import`): the file kept by SHA-256 and an `ImportRun` recording the plan's
  digest, so the confirmation applies exactly what was shown;
- confirm (`confirm_import`): the plan recomputed from the kept file inside the transaction; if it
  differs from the previewed one (someone changed the data, or the file) it is refused;
- apply (`apply_plan`): the kind writes through the owning app's actions, in one transaction,
  with one `movein.import` journal entry (who, kind, file hash, counts) beside the actions' own.
  A plan with no change writes nothing at all — no journal entry either: re-importing the same
  file leaves no trace but its `ImportRun` row (state "无变化") from the page.
"""

import hashlib
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from zhenjie.areas.models import Area
from zhenjie.areas.paths import county_path
from zhenjie.kernel import journal
from zhenjie.kernel.errors import ActionError, Conflict, Forbidden, NotFound, Rejected
from zhenjie.kernel.scoping import reach_of

from .files import MAX_ERRORS, error_report
from .kinds import KINDS, kind_named
from .kinds.base import CellError, ImportKind, Plan, Scope
from .models import ImportRun

PREVIEW_HOURS = 24  # a preview older than this must be uploaded again


class ImportRefused(ActionError):
    """The file has bad cells (or the data changed before confirmation); nothing was written."""

    status = 400

    def __init__(self, plan: Plan, message: str = ""):
        super().__init__("movein.refused", message or f"发现{len(plan.errors)}处错误，整个文件未导入", field="file")
        self.plan = plan


def get_kind(code: str) -> ImportKind:
    kind = kind_named(code)
    if kind is None:
        raise NotFound("movein.kind_unknown", f"没有「{code}」这类导入，可选：{'、'.join(KINDS)}")
    return kind


def scope_for(actor, kind: ImportKind, *, county_code: str = "") -> Scope:
    """Where `actor` may import `kind`: the jurisdictions of their posts holding the kind's role,
    within one county. The platform itself (actor None: a command on the server) imports into
    the whole county named by `county_code`, or the only county there is."""
    if actor is None:
        counties = Area.objects.filter(level=Area.Level.COUNTY)
        if county_code:
            counties = counties.filter(code=county_code)
        found = list(counties[:2])
        if len(found) != 1:
            raise Rejected("movein.county_required", "请用 --county 指明县(市、区)的12位区划代码" if len(found) > 1 or not county_code else f"没有区划代码为 {county_code} 的县(市、区)")
        return Scope(None, found[0], (found[0].path,))
    roots = reach_of(actor).roots_with(frozenset({kind.role}))
    if not roots:
        raise Forbidden("movein.not_allowed", f"只有{_role_label(kind.role)}可以导入{kind.label}")
    county = Area.objects.filter(path=county_path(roots[0]), level=Area.Level.COUNTY).first()
    if county is None:
        raise Forbidden("movein.not_allowed", f"您的岗位没有所属的县(市、区)，不能导入{kind.label}")
    return Scope(actor, county, tuple(root for root in roots if root.startswith(county.path)))


def _role_label(role: str) -> str:
    from zhenjie.accounts.roles import RoleCode

    return RoleCode(role).label


def plan_file(scope: Scope, kind: ImportKind, content: bytes, name: str) -> Plan:
    """Read and plan; writes nothing. A file that cannot be read at all is a plan with one error."""
    try:
        rows, errors = kind.read(content, name)
    except Rejected as error:
        return Plan(kind.code, errors=[CellError(0, "", error.message)])
    if errors:
        return Plan(kind.code, errors=errors)
    try:
        plan = kind.plan(scope, rows)
    except Rejected as error:  # a kind that reads its file while planning (the file needs the tree)
        return Plan(kind.code, errors=[CellError(0, "", error.message)])
    if plan.errors:
        plan.errors.sort(key=lambda e: (e.row, e.column))
        plan.new, plan.changed, plan.removed = [], [], []
    return plan


def apply_plan(scope: Scope, kind: ImportKind, plan: Plan, *, sha256: str, file_name: str, remove: bool) -> bool:
    """Write a plan without errors through the kind, journaled; False when there was nothing to
    write (and nothing, not even a journal entry, was written). Must run in a transaction."""
    if plan.refused:
        raise ImportRefused(plan)
    if plan.is_empty or (not plan.new and not plan.changed and not remove):
        return False
    failures: list[CellError] = []
    try:
        kind.apply(scope, plan, remove=remove)
    except ActionError as error:
        # The kind checked what it could while planning; what only the action knows (三权分立,
        # a conflict with someone's simultaneous change) still refuses the whole file.
        failures.append(CellError(0, "", error.message))
    if failures:
        raise ImportRefused(Plan(kind.code, errors=failures), failures[0].reason)
    counts = plan.counts()
    if not remove:
        counts["removed"] = 0
    journal.record(
        actor=scope.actor, verb="movein.import", subject=f"movein:{kind.code}",
        summary=f"导入{kind.label}：新增{counts['new']}、修改{counts['changed']}、删除{counts['removed']}（{file_name[:80]}）",
        data={"kind": kind.code, "file_sha256": sha256, "file_name": file_name[:200], "counts": counts, "county": scope.county.code},
    )
    return True


def run_command_import(kind_code: str, content: bytes, name: str, *, apply: bool, remove: bool, county_code: str = "", actor=None) -> tuple[Plan, bool]:
    """`manage.py import`: the plan, and whether anything was written (only with `apply`)."""
    kind = get_kind(kind_code)
    scope = scope_for(actor, kind, county_code=county_code)
    if not apply:
        return plan_file(scope, kind, content, name), False
    with transaction.atomic():
        plan = plan_file(scope, kind, content, name)
        if plan.refused:
            return plan, False
        return plan, apply_plan(scope, kind, plan, sha256=hashlib.sha256(content).hexdigest(), file_name=name, remove=remove)


# ---- the page's two steps ---------------------------------------------------------------------


def _kept_path(sha256: str) -> str:
    return f"movein/{sha256[:2]}/{sha256}"


@transaction.atomic
def preview_import(actor, kind_code: str, content: bytes, name: str) -> tuple[ImportRun, Plan]:
    """Plan an uploaded file and keep it for confirmation. A refused file is recorded with its
    errors (for the downloadable report) and nothing else."""
    kind = get_kind(kind_code)
    scope = scope_for(actor, kind)
    if not name.lower().endswith(kind.accepts):
        raise Rejected("movein.file_type", f"请上传{'或'.join(kind.accepts)}文件", field="file")
    plan = plan_file(scope, kind, content, name)
    sha256 = hashlib.sha256(content).hexdigest()
    state = ImportRun.State.REFUSED if plan.refused else ImportRun.State.UNCHANGED if plan.is_empty else ImportRun.State.PREVIEWED
    # A refused file is kept too when its kind draws it (the grids' map shows what lies outside).
    keep = state == ImportRun.State.PREVIEWED or (state == ImportRun.State.REFUSED and kind.preview_template)
    if keep and not default_storage.exists(_kept_path(sha256)):
        default_storage.save(_kept_path(sha256), ContentFile(content))
    run = ImportRun.objects.create(
        kind=kind.code, file_name=name.replace("\\", "/").rsplit("/", 1)[-1][:200], sha256=sha256, size=len(content),
        county=scope.county, uploaded_by=actor, state=state, plan_digest="" if plan.refused else plan.digest(),
        counts=plan.counts(), errors=[e.as_dict() for e in plan.errors[:MAX_ERRORS]],
    )
    return run, plan


def runs_for(user, kind_code: str):
    """The user's own uploads of a kind, newest first."""
    return ImportRun.objects.filter(uploaded_by=user, kind=kind_code).order_by("-created_at", "-pk")


def get_run_for(user, pk: int) -> ImportRun:
    run = ImportRun.objects.filter(uploaded_by=user, pk=pk).first() if getattr(user, "pk", None) else None
    if run is None:
        raise NotFound("movein.run_not_found", "导入记录不存在")
    return run


def kept_plan(user, run: ImportRun) -> Plan:
    """The plan of a previewed run, recomputed from the kept file (for showing it again)."""
    kind = get_kind(run.kind)
    with default_storage.open(_kept_path(run.sha256), "rb") as kept:
        content = kept.read()
    return plan_file(scope_for(user, kind), kind, content, run.file_name)


@transaction.atomic
def confirm_import(actor, run: ImportRun, *, remove: bool) -> Plan:
    """Apply a previewed file: the plan is recomputed now and must be the one that was shown."""
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if run.uploaded_by_id != getattr(actor, "pk", None):
        raise NotFound("movein.run_not_found", "导入记录不存在")
    if run.state != ImportRun.State.PREVIEWED:
        raise Conflict("movein.not_pending", f"该文件{run.get_state_display()}，不能再次确认")
    if timezone.now() - run.created_at > timedelta(hours=PREVIEW_HOURS):
        raise Conflict("movein.preview_expired", f"预览已超过{PREVIEW_HOURS}小时，请重新上传文件")
    kind = get_kind(run.kind)
    scope = scope_for(actor, kind)
    try:
        with default_storage.open(_kept_path(run.sha256), "rb") as kept:
            content = kept.read()
    except OSError:
        raise Conflict("movein.file_gone", "保存的文件已不存在，请重新上传") from None
    if hashlib.sha256(content).hexdigest() != run.sha256:
        raise Conflict("movein.file_changed", "保存的文件已损坏，请重新上传")
    plan = plan_file(scope, kind, content, run.file_name)
    if plan.refused or plan.digest() != run.plan_digest:
        raise Conflict("movein.data_changed", "预览之后系统中的数据已有变化，请重新上传文件并核对预览")
    written = apply_plan(scope, kind, plan, sha256=run.sha256, file_name=run.file_name, remove=remove)
    state = ImportRun.State.APPLIED if written else ImportRun.State.UNCHANGED
    ImportRun.objects.filter(pk=run.pk).update(state=state, applied_at=timezone.now() if written else None, with_removal=remove)
    transaction.on_commit(lambda: _forget_kept(run.sha256))
    return plan


def _forget_kept(sha256: str) -> None:
    """The kept upload goes once no preview waits on it (the run keeps its hash and counts)."""
    if not ImportRun.objects.filter(sha256=sha256, state=ImportRun.State.PREVIEWED).exists():
        default_storage.delete(_kept_path(sha256))


def error_report_of(run: ImportRun) -> bytes:
    return error_report(CellError(e["row"], e["column"], e["reason"]) for e in run.errors)


def export_file(actor, kind_code: str, *, county_code: str = "") -> tuple[bytes, str, str]:
    kind = get_kind(kind_code)
    return kind.export_file(scope_for(actor, kind, county_code=county_code))


def template_file(kind_code: str) -> tuple[bytes, str, str]:
    return get_kind(kind_code).template_file()
