"""Enforcement certificates (执法证): record one, renew it, revoke it, record the year's training
hours. The county administrator (编办) keeps the county's, a township's leaders their township's
(`certificates.MANAGERS`). Each action checks its own input, writes one journal line in its
transaction and changes nothing when it refuses."""

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhenjie.areas.models import Area
from zhenjie.areas.paths import township_path
from zhenjie.kernel import journal
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected
from zhenjie.kernel.inputs import text

from ..certificates import can_manage, managed_officers
from ..models import Certificate

NUMBER_MAX = 32  # Certificate.number
ISSUER_MAX = 100  # Certificate.issuer
REASON_MAX = 200
TRAINING_HOURS_MAX = 1000  # a year holds 8,760 hours; more than 1,000 of training is a typing slip


def _text(value, field, label, max_length, required=True):
    return text(value, field=field, label=label, max_length=max_length, required=required, code="certificate")


def _date(value, field: str, label: str) -> date:
    if value in (None, ""):
        raise Rejected(f"certificate.{field}_required", f"请填写{label}", field=field)
    invalid = Rejected(f"certificate.{field}_invalid", f"{label}格式不正确(如 2026-01-01)", field=field)
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise invalid from None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise invalid
    return value


def _hours(value) -> int:
    if value in (None, ""):
        return 0
    if isinstance(value, str) and value.strip().isdecimal():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= TRAINING_HOURS_MAX:
        raise Rejected("certificate.training_hours_invalid", f"年度培训学时须为0至{TRAINING_HOURS_MAX}之间的整数", field="training_hours")
    return value


def _require_manager(actor, area: Area) -> None:
    if not can_manage(actor, area):
        raise Forbidden("certificate.forbidden", f"您无权管理{area.name}的执法证")


def _record(actor, certificate: Certificate, verb: str, summary: str, data: dict, note: str = "") -> None:
    # The chain of the certificate's township (the county's for a county-wide certificate): the
    # officers' qualifications are part of the full-process record of what they did there.
    journal.record(actor=actor, verb=verb, subject=f"certificate:{certificate.pk}", chain=township_path(certificate.area.path),
                   summary=summary, note=note, data={"officer": certificate.officer_id, "number": certificate.number, **data})  # fmt: skip


@transaction.atomic
def record_certificate(actor, *, officer, number, issuer, area, valid_from, valid_until, training_hours=0) -> Certificate:
    """A certificate issued to an officer posted where the actor keeps certificates, for the
    county or one of its townships (Art. 42: 具有行政执法资格)."""
    if not isinstance(area, Area) or area.level not in (Area.Level.COUNTY, Area.Level.TOWNSHIP):
        raise Rejected("certificate.area_invalid", "执法区域须为县或乡镇(街道)", field="area")
    _require_manager(actor, area)
    if officer is None or not managed_officers(actor).filter(pk=getattr(officer, "pk", None)).exists():
        raise Rejected("certificate.officer_invalid", "请选择您管理范围内在岗的执法人员", field="officer")
    number = _text(number, "number", "执法证号", NUMBER_MAX)
    issuer = _text(issuer, "issuer", "发证机关", ISSUER_MAX)
    valid_from, valid_until = _date(valid_from, "valid_from", "有效期起"), _date(valid_until, "valid_until", "有效期至")
    if valid_until < valid_from:
        raise Rejected("certificate.validity_invalid", "有效期至不能早于有效期起", field="valid_until")
    hours = _hours(training_hours)
    if Certificate.objects.filter(number=number).exists():
        raise Rejected("certificate.number_taken", f"执法证号 {number} 已登记", field="number")
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(officer=officer, number=number, issuer=issuer, area=area, valid_from=valid_from,
                                                     valid_until=valid_until, training_hours=hours)  # fmt: skip
    except IntegrityError:  # the same number entered twice at once: the unique constraint is the last defence
        raise Conflict("certificate.number_taken", f"执法证号 {number} 刚被登记，请刷新后查看", field="number") from None
    _record(actor, certificate, "enforcement.certificate.record", f"登记执法证 {number}",
            {"area": area.pk, "valid_from": valid_from, "valid_until": valid_until, "training_hours": hours})  # fmt: skip
    return certificate


def _live(certificate: Certificate, label: str) -> Certificate:
    """The certificate re-read under lock: of two managers acting at once, the second sees the first's change."""
    current = Certificate.objects.select_for_update().select_related("area").get(pk=certificate.pk)
    if current.revoked_at is not None:
        raise Conflict("certificate.revoked", f"执法证 {current.number} 已注销，不能{label}")
    return current


@transaction.atomic
def renew_certificate(actor, certificate: Certificate, *, valid_until) -> Certificate:
    """A new end of validity, later than the present one (换证 keeps the number)."""
    _require_manager(actor, certificate.area)
    certificate = _live(certificate, "延续")
    valid_until = _date(valid_until, "valid_until", "新的有效期至")
    if valid_until <= certificate.valid_until:
        raise Rejected("certificate.renewal_not_later", f"新的有效期至须晚于现有的{certificate.valid_until:%Y-%m-%d}", field="valid_until")
    before = certificate.valid_until
    certificate.valid_until = valid_until
    certificate.save(update_fields=["valid_until"])
    _record(actor, certificate, "enforcement.certificate.renew", f"延续执法证 {certificate.number}", {"valid_until": [before, valid_until]})
    return certificate


@transaction.atomic
def record_training(actor, certificate: Certificate, *, training_hours) -> Certificate:
    _require_manager(actor, certificate.area)
    certificate = _live(certificate, "登记培训学时")
    hours = _hours(training_hours)
    before = certificate.training_hours
    certificate.training_hours = hours
    certificate.save(update_fields=["training_hours"])
    _record(actor, certificate, "enforcement.certificate.training", f"登记执法证 {certificate.number} 的年度培训学时",
            {"training_hours": [before, hours]})  # fmt: skip
    return certificate


@transaction.atomic
def revoke_certificate(actor, certificate: Certificate, *, reason) -> Certificate:
    """From now the officer may take no step under it (certificates.certificate_for)."""
    _require_manager(actor, certificate.area)
    reason = _text(reason, "reason", "注销理由", REASON_MAX)
    certificate = _live(certificate, "注销")
    certificate.revoked_at = timezone.now()
    certificate.save(update_fields=["revoked_at"])
    _record(actor, certificate, "enforcement.certificate.revoke", f"注销执法证 {certificate.number}", {}, note=reason)
    return certificate
