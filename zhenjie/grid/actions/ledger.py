"""Key-population ledgers (台账, seed 002 二(三)) and their visits (走访), and the county's rules
for them. A visit moves the person's next due date; a rule change moves every due date of its
kind, in the database, in the same transaction."""

import hashlib
import uuid
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import DateField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Cast
from django.utils import timezone

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.models import Area
from zhenjie.kernel import attachments, journal, pii, submits
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected
from zhenjie.kernel.inputs import moment
from zhenjie.kernel.scoping import reach_of

from ..jurisdiction import EDITORS, require_grid
from ..models import KeyPerson, KeyPopulationSetting, Resident, Visit
from ..populations import LEDGERS, Kind, kind_label
from ..positions import check_pair, require_in_grid
from ..rules import rule_for
from . import visitwork
from .inputs import choice, integer, past_date, record, text

CONTACT_PHONE_CONTEXT = "grid.key_person.contact_phone"
FINDINGS_MAX = 2000


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _check_age(resident: Resident, kind: str, on: date) -> None:
    rule = rule_for(kind, resident.grid)
    age = age_on(resident.birth_date, on)
    if rule.min_age is not None and age < rule.min_age:
        raise Rejected("grid.key_person_age", f"{rule.label}须年满{rule.min_age}周岁，该人员现年{age}周岁", field="kind")
    if rule.max_age is not None and age > rule.max_age:
        raise Rejected("grid.key_person_age", f"{rule.label}须不满{rule.max_age + 1}周岁，该人员现年{age}周岁", field="kind")


def clean_particulars(kind: str, data: dict | None) -> dict:
    """The kind's own ledger columns (populations.LEDGERS); unknown keys are dropped."""
    data = data or {}
    cleaned = {}
    for spec in LEDGERS[kind].fields:
        value = data.get(spec.key)
        if value in (None, ""):
            continue
        if spec.type == "int":
            value = integer(value, field=spec.key, label=spec.label, low=spec.minimum, high=spec.maximum)
        elif spec.type == "choice":
            if value not in spec.choices:
                raise Rejected(f"grid.{spec.key}_invalid", f"请选择有效的{spec.label}", field=spec.key)
        else:
            value = text(value, field=spec.key, label=spec.label, max_length=spec.max_length)
        cleaned[spec.key] = value
    return cleaned


def _contact(data: dict, kind: str, keep: KeyPerson | None) -> dict:
    label = LEDGERS[kind].contact_label
    fields = {
        "contact_name": text(data.get("contact_name"), field="contact_name", label=label, max_length=32),
        "contact_relation": text(data.get("contact_relation"), field="contact_relation", label="与本人关系", max_length=16),
    }
    phone = data.get("contact_phone")
    if keep is None or (phone or "").strip():
        sealed = pii.seal_phone(phone, CONTACT_PHONE_CONTEXT, field="contact_phone")
        fields.update(contact_phone_cipher=sealed.cipher, contact_phone_masked=sealed.masked)
    return fields


@transaction.atomic
def add_key_person(actor, resident: Resident, *, kind: str, since: date | None = None, particulars: dict | None = None, notes: str = "", **contact) -> KeyPerson:
    """Enter a resident in the ledger of one kind. The first visit falls due one interval after
    `since` (the day they entered the ledger)."""
    grid = resident.grid
    require_grid(actor, grid, EDITORS, "登记重点人群")
    kind = choice(kind, field="kind", label="人群类别", choices=Kind.choices)
    if resident.status != Resident.Status.PRESENT:
        raise Conflict("grid.resident_not_present", f"该人员已{resident.get_status_display()}，不能纳入台账")
    since = past_date(since or timezone.localdate(), field="since", label="纳入日期")
    _check_age(resident, kind, timezone.localdate())
    fields = {
        "particulars": clean_particulars(kind, particulars),
        "notes": text(notes, field="notes", label="备注", max_length=500),
        **_contact(contact, kind, None),
    }
    if KeyPerson.objects.filter(resident=resident, kind=kind, ended_on__isnull=True).exists():
        raise Conflict("grid.key_person_duplicate", f"该人员已在{kind_label(kind)}台账中", field="kind")
    interval = rule_for(kind, grid).visit_interval_days
    try:
        with transaction.atomic():
            person = KeyPerson.objects.create(
                resident=resident, grid=grid, kind=kind, since=since, visit_base_on=since,
                next_visit_on=since + timedelta(days=interval), created_by=actor, **fields,
            )
    except IntegrityError:
        raise Conflict("grid.key_person_duplicate", f"该人员已在{kind_label(kind)}台账中", field="kind") from None
    record(actor, grid, "grid.key_person.add", f"keyperson:{person.pk}", f"{grid.name} {kind_label(kind)}台账新增(编号{person.pk})", {"kind": kind, "resident": resident.pk})
    return person


@transaction.atomic
def update_key_person(actor, person: KeyPerson, *, particulars: dict | None = None, notes: str = "", **contact) -> KeyPerson:
    require_grid(actor, person.grid, EDITORS, "修改重点人群台账")
    if person.ended_on is not None:
        raise Conflict("grid.key_person_ended", "该对象已退出台账，不能修改")
    fields = {"particulars": clean_particulars(person.kind, particulars), "notes": text(notes, field="notes", label="备注", max_length=500), **_contact(contact, person.kind, person)}
    changed = sorted(name for name, value in fields.items() if getattr(person, name) != value)
    KeyPerson.objects.filter(pk=person.pk).update(**fields)
    for name, value in fields.items():
        setattr(person, name, value)
    record(actor, person.grid, "grid.key_person.update", f"keyperson:{person.pk}", f"修改{person.get_kind_display()}台账(编号{person.pk})", {"fields": changed})
    return person


@transaction.atomic
def end_key_person(actor, person: KeyPerson, *, reason: str, on: date | None = None) -> KeyPerson:
    """Take someone off a ledger (no longer eligible, aged out, moved into care …): visits stop
    falling due; the entry and its visits stay as history."""
    require_grid(actor, person.grid, EDITORS, "修改重点人群台账")
    reason = text(reason, field="reason", label="退出原因", max_length=200, required=True)
    on = past_date(on or timezone.localdate(), field="ended_on", label="退出日期")
    if on < person.since:
        raise Rejected("grid.ended_on_before_since", "退出日期不能早于纳入日期", field="ended_on")
    if not KeyPerson.objects.filter(pk=person.pk, ended_on__isnull=True).update(ended_on=on, end_reason=reason):
        raise Conflict("grid.key_person_ended", "该对象已退出台账，请刷新后重试")
    visitwork.withdraw_tasks_of(actor, [person.pk], "走访对象已退出台账")
    record(actor, person.grid, "grid.key_person.end", f"keyperson:{person.pk}", f"{person.get_kind_display()}台账退出(编号{person.pk})", {"reason": reason, "on": on})
    person.refresh_from_db()
    return person


def _clean_visit(person: KeyPerson, *, situation, findings, visited_at, lng, lat) -> dict:
    situation = choice(situation, field="situation", label="走访结论", choices=Visit.Situation.choices)
    findings = text(findings, field="findings", label="走访情况", max_length=FINDINGS_MAX, required=True)
    visited_at = moment(
        visited_at, field="visited_at", label="走访时间", code="grid.visited_at",
        earliest=timezone.make_aware(datetime.combine(person.since, time.min)),
        early_code="grid.visited_at_before_since", early_message=f"走访时间不能早于纳入台账的日期({person.since:%Y-%m-%d})",
    )
    position = check_pair(lng, lat)
    if position:
        require_in_grid(person.grid, *position, what="走访位置")
    return {
        "situation": situation, "findings": findings, "visited_at": visited_at,
        "lng": position[0] if position else None, "lat": position[1] if position else None,
    }


def _move_due_date(person: KeyPerson, visited_at: datetime) -> None:
    """Only a later visit moves the due date: a visit entered late for last month must not undo
    this week's. The condition makes two visits recorded at once settle on the later one."""
    visited_on = timezone.localtime(visited_at).date()
    interval = rule_for(person.kind, person.grid).visit_interval_days
    KeyPerson.objects.filter(pk=person.pk).filter(Q(last_visited_at__isnull=True) | Q(last_visited_at__lt=visited_at)).update(
        last_visited_at=visited_at, visit_base_on=visited_on, next_visit_on=visited_on + timedelta(days=interval)
    )
    person.refresh_from_db(fields=["last_visited_at", "visit_base_on", "next_visit_on"])


@transaction.atomic
def record_visit(
    actor, person: KeyPerson, *, situation: str, findings: str, visited_at: datetime | None = None,
    lng: float | None = None, lat: float | None = None, photo: tuple[bytes, str] | None = None, client_key: uuid.UUID | None = None,
    need: str | None = None, need_description: str = "", need_unit=None,
) -> Visit:
    """Record a visit: who (the actor), when, what was found, where, and a photo. The person's
    next visit falls due one interval after this visit (kept in the database row, so the
    overdue list is one indexed comparison), and the open visit task (走访任务) is done. A visit
    that finds a need (需要帮扶) names it and the unit to refer it to, and the referral (转介) is
    opened with it (seed 002 二(三)2: 发现、报告、转介、救助). One transaction: a refused photo or
    need saves nothing. Under a key already used (the phone sending its queue again, kernel.submits)
    it answers with the visit that key recorded."""
    grid = person.grid
    require_grid(actor, grid, EDITORS, "记录走访")
    content = {"person": person.pk, "situation": situation, "findings": (findings or "").strip() if isinstance(findings, str) else findings,
               "visited_at": visited_at, "lng": lng, "lat": lat, "photo": hashlib.sha256(photo[0]).hexdigest() if photo else None}
    if need or need_description or need_unit:
        # The need is content too: the same key with another need or unit is another form (refused),
        # never answered with the referral the first one opened. Absent, the digest is as before.
        content |= {"need": need, "need_description": need_description, "need_unit": getattr(need_unit, "pk", need_unit)}
    if (earlier := submits.claim(actor, client_key, content)) is not None:
        return earlier
    if person.ended_on is not None:
        raise Conflict("grid.key_person_ended", "该对象已退出台账，不能再记录走访")
    fields = _clean_visit(person, situation=situation, findings=findings, visited_at=visited_at, lng=lng, lat=lat)
    wanted = visitwork.clean_need(grid, need=need, description=need_description, unit=need_unit) if fields["situation"] == Visit.Situation.HELP else None
    visit = Visit.objects.create(key_person=person, grid=grid, visitor=actor, **fields)
    if photo is not None:
        content, name = photo
        visit.photos.add(attachments.store(content, name, "photo", case=None, actor=actor, field="photo"))
    _move_due_date(person, visit.visited_at)
    task = visitwork.complete_task_of(actor, person, visit)
    referral = visitwork.refer(actor, visit, **wanted) if wanted else None
    submits.settle(actor, client_key, visit)
    record(
        actor, grid, "grid.visit", f"keyperson:{person.pk}",
        f"走访{person.get_kind_display()}(台账编号{person.pk})：{visit.get_situation_display()}",
        {
            "visit": visit.pk, "situation": visit.situation, "photo": photo is not None,
            "task": task.case_id if task else None, "referral": referral.case_id if referral else None,
        },
    )
    return visit


VISIT_IMPORT_MAX = 400


@transaction.atomic
def import_visits(actor, person: KeyPerson, entries: list[dict]) -> list[Visit]:
    """Enter past visits from a paper ledger (补录), all or none, each checked like record_visit;
    one journal line for the batch. Photos are attached one visit at a time (record_visit)."""
    grid = person.grid
    require_grid(actor, grid, EDITORS, "补录走访")
    if person.ended_on is not None:
        raise Conflict("grid.key_person_ended", "该对象已退出台账，不能再记录走访")
    if not entries:
        raise Rejected("grid.import_empty", "没有可导入的走访记录", field="rows")
    if len(entries) > VISIT_IMPORT_MAX:
        raise Rejected("grid.import_too_many", f"一次最多补录{VISIT_IMPORT_MAX}条走访记录", field="rows")
    visits = []
    for number, entry in enumerate(entries, start=1):
        try:
            fields = _clean_visit(person, **{key: entry.get(key) for key in ("situation", "findings", "visited_at", "lng", "lat")})
        except Rejected as error:
            raise Rejected(error.code, f"第{number}条：{error.message}", field=f"rows.{number}.{error.field}") from None
        visits.append(Visit(key_person=person, grid=grid, visitor=actor, **fields))
    created = Visit.objects.bulk_create(visits)
    latest = max(created, key=lambda v: v.visited_at)
    _move_due_date(person, latest.visited_at)
    visitwork.complete_task_of(actor, person, latest)
    record(actor, grid, "grid.visit.import", f"keyperson:{person.pk}", f"补录{person.get_kind_display()}(台账编号{person.pk})走访记录 {len(created)} 条", {"count": len(created)})
    return created


# ---- the county's rules -------------------------------------------------------------------------


@transaction.atomic
def set_population_rule(
    actor, county: Area, kind: str, *, visit_interval_days: int, min_age: int | None = None, max_age: int | None = None
) -> KeyPopulationSetting:
    """The county administrator sets how often a kind is visited in their county and the ages it
    covers. Every open entry of the kind in the county gets its due date moved to last visit +
    new interval, in one UPDATE."""
    if county is None or county.level != Area.Level.COUNTY or R.COUNTY_ADMIN not in reach_of(actor).roles_in(county):
        raise Forbidden("grid.rules_not_allowed", "只有本县(市、区)的县级管理员可以修改重点人群走访设置")
    kind = choice(kind, field="kind", label="人群类别", choices=Kind.choices)
    visit_interval_days = integer(visit_interval_days, field="visit_interval_days", label="走访周期(天)", low=1, high=366)
    min_age = integer(min_age, field="min_age", label="最低年龄", low=0, high=150, required=False)
    max_age = integer(max_age, field="max_age", label="最高年龄", low=0, high=150, required=False)
    if min_age is not None and max_age is not None and min_age > max_age:
        raise Rejected("grid.age_range_invalid", "最低年龄不能大于最高年龄", field="min_age")
    before = rule_for(kind, county)
    setting, _ = KeyPopulationSetting.objects.update_or_create(
        county=county, kind=kind, defaults={"visit_interval_days": visit_interval_days, "min_age": min_age, "max_age": max_age, "updated_by": actor}
    )
    moved = 0
    if before.visit_interval_days != visit_interval_days:
        due = ExpressionWrapper(F("visit_base_on") + Value(timedelta(days=visit_interval_days)), output_field=DateField())
        moved = KeyPerson.objects.filter(kind=kind, ended_on__isnull=True, grid__path__startswith=county.path).update(next_visit_on=Cast(due, DateField()))
    journal.record(
        actor=actor, verb="grid.rule.update", subject=f"keypopulation:{county.code}:{kind}",
        summary=f"{county.name}{kind_label(kind)}走访周期 {before.visit_interval_days}天 → {visit_interval_days}天",
        data={
            "county": county.pk, "kind": kind, "interval": [before.visit_interval_days, visit_interval_days], "min_age": [before.min_age, min_age],
            "max_age": [before.max_age, max_age], "entries_redated": moved,
        },
    )
    return setting
