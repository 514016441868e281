"""Recording an item of evidence (调查取证) on a registered case: the file kept by the kernel's
attachments under its SHA-256, when and where it was taken, the officers present — at least two,
each with a certificate valid that day for the case's township (行政处罚法 Art. 42, 55) — and,
for inspection and interview records, the record itself as a structured form. One transaction:
the row, its officers and the journal line (with the hash) land together or not at all."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from zhenjie.accounts.models import User
from zhenjie.areas.models import Area
from zhenjie.areas.paths import county_path, township_path
from zhenjie.kernel import attachments, journal
from zhenjie.kernel.errors import NotFound, Rejected
from zhenjie.kernel.ids import parse_id
from zhenjie.kernel.inputs import moment, text
from zhenjie.kernel.models import Case
from zhenjie.kernel.scoping import can_see_case
from zhenjie.kernel.workflow import workflow_for

from ..certificates import NoCertificate, certificate_for, officers_posted_in
from ..models import Certificate, EnforcementCase, Evidence, EvidenceKind
from ..rules_evidence import MAX_OFFICERS, MIN_OFFICERS, PLACE_MAX, RECORD_KINDS, TITLE_MAX, clean_record


@dataclass(frozen=True)
class Upload:
    content: bytes
    name: str


def read_upload(upload) -> Upload | None:
    """An uploaded evidence file, its size checked before it is read (kernel.attachments)."""
    read = attachments.read_upload(upload, "evidence", default_name="evidence")
    return Upload(*read) if read else None


def _officers(values, case: Case) -> list[User]:
    """The officers named (users or ids), each an active enforcement officer of the county."""
    if not isinstance(values, list | tuple):
        raise Rejected("evidence.officers_invalid", "请选择在场的执法人员", field="officers")
    if len(values) > MAX_OFFICERS:
        raise Rejected("evidence.officers_too_many", f"在场执法人员不能超过{MAX_OFFICERS}人", field="officers")
    ids = []
    for value in values:
        number = value.pk if isinstance(value, User) else parse_id(value)
        if number is None:
            raise Rejected("evidence.officer_unknown", f"执法人员“{str(value)[:20]}”不存在", field="officers")
        if number not in ids:
            ids.append(number)
    found = {u.pk: u for u in officers_posted_in(county_path(case.area.path)).filter(pk__in=ids)}
    for number in ids:
        if number not in found:
            raise Rejected("evidence.officer_unknown", f"没有ID为{number}的在岗执法人员", field="officers")
    # Art. 55: 执法人员不得少于两人.
    if len(ids) < MIN_OFFICERS:
        raise Rejected("evidence.too_few_officers", f"调查取证时执法人员不得少于{MIN_OFFICERS}人(行政处罚法第五十五条)", field="officers")
    return [found[number] for number in ids]


@transaction.atomic
def record_evidence(actor, enforcement: EnforcementCase, *, kind, title, taken_at, place, officers, file: Upload | None = None,
                    record: dict | None = None) -> Evidence:  # fmt: skip
    """Record one item on a case under investigation. The recorder is one of the officers
    present; each present officer's certificate valid that day is named in the journal line."""
    case = Case.objects.select_for_update().select_related("area").get(pk=enforcement.case_id)
    if not can_see_case(actor, case):
        raise NotFound("enforcement.not_found", "执法案件不存在或不在您的辖区内")
    workflow_for(case.kind).require(actor, case, "record_evidence")
    if kind not in EvidenceKind.values:
        raise Rejected("evidence.kind_invalid", "请选择有效的证据种类", field="kind")
    title = text(title, field="title", label="证据名称", max_length=TITLE_MAX, required=True, code="evidence")
    place = text(place, field="place", label="取证地点", max_length=PLACE_MAX, required=True, code="evidence")
    if taken_at is None:
        raise Rejected("evidence.taken_at_required", "请填写取证时间", field="taken_at")
    discovered = enforcement.discovered_at
    # The time taken is written to the minute (the form, the paper); the lead's own minute is not
    # "before" it, so evidence taken right after the lead was opened is not refused.
    taken_at = moment(taken_at, field="taken_at", label="取证时间", code="evidence.taken_at",
                      earliest=discovered.replace(second=0, microsecond=0),
                      early_message=f"取证时间不能早于发现线索的时间({timezone.localtime(discovered):%Y-%m-%d %H:%M})")  # fmt: skip
    present = _officers(officers, case)
    if actor.pk not in {o.pk for o in present}:
        raise Rejected("evidence.recorder_absent", "记录人须为在场的执法人员之一", field="officers")
    record = clean_record(kind, record)
    if file is None and kind not in RECORD_KINDS:
        raise Rejected("evidence.file_required", "请上传证据文件(图片、PDF、Word、Excel或MP4视频)", field="file")
    township = Area.objects.get(path=township_path(case.area.path))
    day = timezone.localdate(taken_at)
    held = Certificate.objects.filter(officer__in=present).select_related("area")
    by_officer = {o.pk: [c for c in held if c.officer_id == o.pk] for o in present}
    certificates = {}
    for officer in present:
        try:
            certificates[officer.pk] = certificate_for(officer, township, day, by_officer[officer.pk])
        except NoCertificate as refusal:  # the form's input: named on the officers field
            raise Rejected(refusal.code, refusal.message, field="officers") from None
    stored = attachments.store(file.content, file.name, "evidence", case=case, actor=actor, field="file") if file else None
    evidence = Evidence.objects.create(
        enforcement=enforcement, kind=kind, title=title, attachment=stored, sha256=stored.blob_id if stored else "",
        taken_at=taken_at, place=place, recorded_by=actor, record=record,
        certificates={str(o.pk): certificates[o.pk].number for o in present},
    )  # fmt: skip
    evidence.officers.set(present)
    journal.record(
        actor=actor, verb="enforcement.evidence.record", case=case, summary=f"登记证据：{title}",
        data={"evidence": evidence.pk, "kind": kind, "sha256": evidence.sha256, "taken_at": taken_at,
              "officers": {str(o.pk): certificates[o.pk].number for o in present}},
    )  # fmt: skip
    return evidence
