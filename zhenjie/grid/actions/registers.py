"""The grid's registers (GB/T 34300's 人、地、物、组织 as local practice uses them): residents,
buildings, organisations. Registering one row and importing many check the same rules (the
`_clean_*` functions); an import is all or nothing and names the row that failed.

ID numbers and phones are validated, then sealed (kernel.pii): only ciphertext, keyed digest and
mask reach the database, and only ids and masks reach the journal."""

from collections.abc import Callable, Iterable
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhenjie.areas.models import Area
from zhenjie.kernel import pii
from zhenjie.kernel.errors import ActionError, Conflict, Rejected

from ..jurisdiction import EDITORS, require_grid
from ..models import Building, KeyPerson, Organisation, Resident
from ..positions import check_pair, require_in_grid
from .inputs import choice, integer, past_date, record, text
from .visitwork import withdraw_tasks_of

RESIDENT_ID_CONTEXT = "grid.resident.id_number"
RESIDENT_PHONE_CONTEXT = "grid.resident.phone"
BUILDING_PHONE_CONTEXT = "grid.building.owner_phone"
ORGANISATION_PHONE_CONTEXT = "grid.organisation.contact_phone"
IMPORT_MAX_ROWS = 2000


def _building_in(grid: Area, building) -> Building | None:
    if building is None:
        return None
    if not isinstance(building, Building) or building.grid_id != grid.pk:
        raise Rejected("grid.building_outside", "所选房屋不在该网格内", field="building")
    return building


# ---- residents ----------------------------------------------------------------------------------


def _clean_resident(grid: Area, data: dict, *, keep: Resident | None = None) -> dict:
    """Model fields for a resident. On an update (`keep`), a blank ID number or phone means
    "unchanged": the form never shows the stored value, only its mask."""
    fields = {
        "name": text(data.get("name"), field="name", label="姓名", max_length=32, required=True),
        "residence_kind": choice(data.get("residence_kind") or Resident.ResidenceKind.REGISTERED, field="residence_kind", label="人口类型", choices=Resident.ResidenceKind.choices),
        "building": _building_in(grid, data.get("building")),
        "address": text(data.get("address"), field="address", label="居住地址", max_length=120),
        "notes": text(data.get("notes"), field="notes", label="备注", max_length=500),
    }
    id_number = data.get("id_number")
    if keep is None or (id_number or "").strip():
        sealed = pii.seal_id_number(id_number, RESIDENT_ID_CONTEXT)
        fields.update(
            id_number_cipher=sealed.cipher, id_number_digest=sealed.digest, id_number_masked=sealed.masked,
            sex=pii.sex_of(sealed.normalised), birth_date=pii.birth_date_of(sealed.normalised),
        )
    phone = data.get("phone")
    if keep is None or (phone or "").strip():
        sealed = pii.seal_phone(phone, RESIDENT_PHONE_CONTEXT)
        fields.update(phone_cipher=sealed.cipher, phone_digest=sealed.digest, phone_masked=sealed.masked)
    if not fields["building"] and not fields["address"]:
        raise Rejected("grid.address_required", "请选择居住房屋或填写居住地址", field="address")
    return fields


def _duplicate_resident(grid: Area, digest: str, exclude: int | None = None) -> Resident | None:
    rows = Resident.objects.filter(grid=grid, id_number_digest=digest, status=Resident.Status.PRESENT)
    if exclude:
        rows = rows.exclude(pk=exclude)
    return rows.first()


def _save_unique(save: Callable, code: str, message: str, field: str):
    try:
        with transaction.atomic():
            return save()
    except IntegrityError:
        raise Conflict(code, message, field=field) from None


@transaction.atomic
def register_resident(actor, grid: Area, **data) -> Resident:
    """Register a person in a grid. Sex and date of birth come from the ID number."""
    require_grid(actor, grid, EDITORS, "登记实有人口")
    fields = _clean_resident(grid, data)
    if found := _duplicate_resident(grid, fields["id_number_digest"]):
        raise Conflict("grid.resident_duplicate", f"该身份证号已在本网格登记(姓名：{found.name})", field="id_number")
    resident = _save_unique(
        lambda: Resident.objects.create(grid=grid, created_by=actor, **fields),
        "grid.resident_duplicate", "该身份证号已在本网格登记", "id_number",
    )
    record(actor, grid, "grid.resident.register", f"resident:{resident.pk}", f"{grid.name} 登记实有人口(编号{resident.pk}，{resident.id_number_masked})")
    return resident


@transaction.atomic
def update_resident(actor, resident: Resident, **data) -> Resident:
    grid = resident.grid
    require_grid(actor, grid, EDITORS, "修改实有人口")
    if resident.status != Resident.Status.PRESENT:
        raise Conflict("grid.resident_not_present", f"该人员已{resident.get_status_display()}，不能修改")
    fields = _clean_resident(grid, data, keep=resident)
    digest = fields.get("id_number_digest")
    if digest and _duplicate_resident(grid, digest, exclude=resident.pk):
        raise Conflict("grid.resident_duplicate", "该身份证号已在本网格登记为另一人", field="id_number")
    changed = sorted(name for name, value in fields.items() if getattr(resident, name) != value)
    for name, value in fields.items():
        setattr(resident, name, value)
    _save_unique(resident.save, "grid.resident_duplicate", "该身份证号已在本网格登记为另一人", "id_number")
    record(actor, grid, "grid.resident.update", f"resident:{resident.pk}", f"修改实有人口(编号{resident.pk})", {"fields": changed})
    return resident


@transaction.atomic
def record_departure(actor, resident: Resident, *, status: str, on: date, reason: str = "") -> Resident:
    """A resident moved out or died. Their key-population entries end with them, in the same
    transaction, so no visit falls due for someone who is gone."""
    grid = resident.grid
    require_grid(actor, grid, EDITORS, "登记人口变动")
    status = choice(status, field="status", label="变动类型", choices=[Resident.Status.MOVED_OUT, Resident.Status.DECEASED])
    on = past_date(on, field="left_on", label="变动日期")
    reason = text(reason, field="reason", label="说明", max_length=200)
    changed = Resident.objects.filter(pk=resident.pk, status=Resident.Status.PRESENT).update(status=status, left_on=on, updated_at=timezone.now())
    if not changed:
        raise Conflict("grid.resident_not_present", "该人员已登记迁出或死亡，请刷新后重试")
    label = Resident.Status(status).label
    entries = list(KeyPerson.objects.filter(resident=resident, ended_on__isnull=True).values_list("pk", flat=True))
    ended = KeyPerson.objects.filter(pk__in=entries).update(ended_on=on, end_reason=f"人员{label}" + (f"：{reason}" if reason else ""))
    withdraw_tasks_of(actor, entries, f"走访对象已{label}")
    record(actor, grid, "grid.resident.depart", f"resident:{resident.pk}", f"实有人口(编号{resident.pk}){label}", {"status": status, "on": on, "ledgers_ended": ended})
    resident.refresh_from_db()
    return resident


def reveal_resident(actor, resident: Resident) -> dict:
    """The full ID number and phone, for the person who must read them out (to verify someone,
    to fill a form for them). Each reveal is journaled: who read whose number, when."""
    with transaction.atomic():
        require_grid(actor, resident.grid, EDITORS, "查看完整证件号码")
        record(actor, resident.grid, "grid.resident.reveal", f"resident:{resident.pk}", f"查看实有人口(编号{resident.pk})的完整身份证号和手机号")
    return {
        "id_number": pii.decrypt(resident.id_number_cipher, RESIDENT_ID_CONTEXT),
        "phone": pii.decrypt(resident.phone_cipher, RESIDENT_PHONE_CONTEXT),
    }


# ---- buildings ----------------------------------------------------------------------------------


def _clean_building(grid: Area, data: dict, *, keep: Building | None = None) -> dict:
    fields = {
        "address": text(data.get("address"), field="address", label="门牌地址", max_length=120, required=True),
        "kind": choice(data.get("kind"), field="kind", label="房屋类型", choices=Building.BuildingKind.choices),
        "use": choice(data.get("use"), field="use", label="使用情况", choices=Building.Use.choices),
        "floors": integer(data.get("floors", 1), field="floors", label="层数", low=1, high=200),
        "safety": choice(data.get("safety") or Building.Safety.SAFE, field="safety", label="安全状况", choices=Building.Safety.choices),
        "owner_name": text(data.get("owner_name"), field="owner_name", label="产权人", max_length=32),
        "notes": text(data.get("notes"), field="notes", label="备注", max_length=500),
    }
    position = check_pair(data.get("lng"), data.get("lat"))
    if position:
        require_in_grid(grid, *position, what="房屋位置")
    fields["lng"], fields["lat"] = position or (None, None)
    phone = data.get("owner_phone")
    if keep is None or (phone or "").strip():
        sealed = pii.seal_phone(phone, BUILDING_PHONE_CONTEXT, field="owner_phone")
        fields.update(owner_phone_cipher=sealed.cipher, owner_phone_digest=sealed.digest, owner_phone_masked=sealed.masked)
    return fields


@transaction.atomic
def register_building(actor, grid: Area, **data) -> Building:
    require_grid(actor, grid, EDITORS, "登记房屋")
    fields = _clean_building(grid, data)
    building = _save_unique(
        lambda: Building.objects.create(grid=grid, created_by=actor, **fields),
        "grid.building_duplicate", "该门牌地址已在本网格登记", "address",
    )
    record(actor, grid, "grid.building.register", f"building:{building.pk}", f"{grid.name} 登记房屋 {building.address}")
    return building


@transaction.atomic
def update_building(actor, building: Building, **data) -> Building:
    grid = building.grid
    require_grid(actor, grid, EDITORS, "修改房屋")
    fields = _clean_building(grid, data, keep=building)
    changed = sorted(name for name, value in fields.items() if getattr(building, name) != value)
    for name, value in fields.items():
        setattr(building, name, value)
    _save_unique(building.save, "grid.building_duplicate", "该门牌地址已在本网格登记", "address")
    record(actor, grid, "grid.building.update", f"building:{building.pk}", f"修改房屋 {building.address}", {"fields": changed})
    return building


# ---- organisations ------------------------------------------------------------------------------


def _clean_organisation(grid: Area, data: dict, *, keep: Organisation | None = None) -> dict:
    code = (data.get("credit_code") or "").strip()
    fields = {
        "name": text(data.get("name"), field="name", label="名称", max_length=100, required=True),
        "kind": choice(data.get("kind"), field="kind", label="类型", choices=Organisation.OrganisationKind.choices),
        "credit_code": pii.normalise_credit_code(code) if code else "",
        "building": _building_in(grid, data.get("building")),
        "address": text(data.get("address"), field="address", label="地址", max_length=120),
        "contact_name": text(data.get("contact_name"), field="contact_name", label="负责人", max_length=32),
        "employees": integer(data.get("employees"), field="employees", label="从业人数", low=0, high=1_000_000, required=False),
        "is_key_site": bool(data.get("is_key_site", False)),
        "status": choice(data.get("status") or Organisation.Status.OPEN, field="status", label="状态", choices=Organisation.Status.choices),
        "notes": text(data.get("notes"), field="notes", label="备注", max_length=500),
    }
    if not fields["building"] and not fields["address"]:
        raise Rejected("grid.address_required", "请选择所在房屋或填写地址", field="address")
    phone = data.get("contact_phone")
    if keep is None or (phone or "").strip():
        sealed = pii.seal_phone(phone, ORGANISATION_PHONE_CONTEXT, field="contact_phone")
        fields.update(contact_phone_cipher=sealed.cipher, contact_phone_digest=sealed.digest, contact_phone_masked=sealed.masked)
    return fields


@transaction.atomic
def register_organisation(actor, grid: Area, **data) -> Organisation:
    require_grid(actor, grid, EDITORS, "登记单位组织")
    fields = _clean_organisation(grid, data)
    organisation = _save_unique(
        lambda: Organisation.objects.create(grid=grid, created_by=actor, **fields),
        "grid.organisation_duplicate", "该统一社会信用代码已在本网格登记", "credit_code",
    )
    record(actor, grid, "grid.organisation.register", f"organisation:{organisation.pk}", f"{grid.name} 登记单位组织 {organisation.name}")
    return organisation


@transaction.atomic
def update_organisation(actor, organisation: Organisation, **data) -> Organisation:
    grid = organisation.grid
    require_grid(actor, grid, EDITORS, "修改单位组织")
    fields = _clean_organisation(grid, data, keep=organisation)
    changed = sorted(name for name, value in fields.items() if getattr(organisation, name) != value)
    for name, value in fields.items():
        setattr(organisation, name, value)
    _save_unique(organisation.save, "grid.organisation_duplicate", "该统一社会信用代码已在本网格登记", "credit_code")
    record(actor, grid, "grid.organisation.update", f"organisation:{organisation.pk}", f"修改单位组织 {organisation.name}", {"fields": changed})
    return organisation


# ---- imports: many rows, the same rules, all or nothing ---------------------------------------


def _import(actor, grid: Area, rows: Iterable[dict], *, clean, model, unique_key, duplicate_message: str, doing: str, verb: str, before_save=None) -> list:
    require_grid(actor, grid, EDITORS, doing)
    rows = list(rows)
    if not rows:
        raise Rejected("grid.import_empty", "没有可导入的数据", field="rows")
    if len(rows) > IMPORT_MAX_ROWS:
        raise Rejected("grid.import_too_many", f"一次最多导入{IMPORT_MAX_ROWS}行，请分批导入", field="rows")
    objects, seen = [], set()
    for number, row in enumerate(rows, start=1):
        try:
            fields = clean(grid, row)
        except ActionError as error:
            raise type(error)(error.code, f"第{number}行：{error.message}", field=f"rows.{number}.{error.field or 'row'}") from None
        key = unique_key(fields)
        if key and key in seen:
            raise Conflict("grid.import_duplicate", f"第{number}行：{duplicate_message}(与前面的行重复)", field=f"rows.{number}")
        seen.add(key)
        objects.append(model(grid=grid, created_by=actor, **fields))
    if before_save:
        before_save(objects)
    created = _save_unique(lambda: model.objects.bulk_create(objects), "grid.import_duplicate", f"导入的数据中有{duplicate_message}", "rows")
    record(actor, grid, verb, f"grid:{grid.pk}", f"{grid.name} 导入{model._meta.verbose_name} {len(created)} 条", {"count": len(created)})
    return created


@transaction.atomic
def import_residents(actor, grid: Area, rows: Iterable[dict]) -> list[Resident]:
    def already_registered(objects):
        # One query for the whole batch, not one per row.
        digests = [o.id_number_digest for o in objects]
        taken = set(Resident.objects.filter(grid=grid, status=Resident.Status.PRESENT, id_number_digest__in=digests).values_list("id_number_digest", flat=True))
        for number, digest in enumerate(digests, start=1):
            if digest in taken:
                raise Conflict("grid.resident_duplicate", f"第{number}行：该身份证号已在本网格登记", field=f"rows.{number}.id_number")

    return _import(
        actor, grid, rows, clean=_clean_resident, model=Resident, unique_key=lambda f: f["id_number_digest"],
        duplicate_message="身份证号重复", doing="登记实有人口", verb="grid.resident.import", before_save=already_registered,
    )


@transaction.atomic
def import_buildings(actor, grid: Area, rows: Iterable[dict]) -> list[Building]:
    return _import(
        actor, grid, rows, clean=_clean_building, model=Building, unique_key=lambda f: f["address"],
        duplicate_message="门牌地址重复", doing="登记房屋", verb="grid.building.import",
    )


@transaction.atomic
def import_organisations(actor, grid: Area, rows: Iterable[dict]) -> list[Organisation]:
    return _import(
        actor, grid, rows, clean=_clean_organisation, model=Organisation, unique_key=lambda f: f["credit_code"],
        duplicate_message="统一社会信用代码重复", doing="登记单位组织", verb="grid.organisation.import",
    )
