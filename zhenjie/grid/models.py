"""镇村治理一张网: who covers which grid, the grid's registers (人、地、物、组织), the key-population
ledgers and their visits, and patrols. Grids themselves are areas.Area rows of level "grid".

Personal ID numbers and phones are never stored in clear: each sits in three columns, `*_cipher`
(AES-GCM, kernel/pii.py), `*_digest` (keyed hash, the only thing searches compare) and `*_masked`
(what lists show). Rules live in actions/, not in save()."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .populations import Kind

GRID_ONLY = {"level": "grid"}


class Building(models.Model):
    """房屋: one address in a grid (地、物)."""

    class BuildingKind(models.TextChoices):
        SELF_BUILT = "self_built", "农村自建房"
        COMMERCIAL = "commercial", "商品住房"
        PUBLIC_RENTAL = "public_rental", "公租房"
        SHOP = "shop", "商铺门面"
        FACTORY = "factory", "厂房仓库"
        PUBLIC = "public", "公共建筑"
        OTHER = "other", "其他"

    class Use(models.TextChoices):
        OWN = "own", "自住"
        RENTED = "rented", "出租"
        VACANT = "vacant", "闲置"
        BUSINESS = "business", "经营"
        MIXED = "mixed", "混合使用"

    class Safety(models.TextChoices):
        SAFE = "safe", "安全"
        HAZARD = "hazard", "存在隐患"
        DANGEROUS = "dangerous", "危房"

    grid = models.ForeignKey("areas.Area", verbose_name="网格", on_delete=models.PROTECT, related_name="+", limit_choices_to=GRID_ONLY)
    address = models.CharField("门牌地址", max_length=120)
    kind = models.CharField("房屋类型", max_length=16, choices=BuildingKind.choices)
    use = models.CharField("使用情况", max_length=16, choices=Use.choices)
    floors = models.PositiveSmallIntegerField("层数", default=1)
    safety = models.CharField("安全状况", max_length=16, choices=Safety.choices, default=Safety.SAFE)
    owner_name = models.CharField("产权人", max_length=32, blank=True)
    owner_phone_cipher = models.TextField(blank=True, editable=False)
    owner_phone_digest = models.CharField(max_length=64, blank=True, editable=False)
    owner_phone_masked = models.CharField("产权人电话", max_length=11, blank=True, editable=False)
    lng = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    notes = models.CharField("备注", max_length=500, blank=True)
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "房屋"
        verbose_name_plural = "房屋"
        constraints = [
            models.UniqueConstraint(fields=["grid", "address"], name="building_address_unique_in_grid"),
            models.CheckConstraint(condition=Q(floors__gte=1, floors__lte=200), name="building_floors_1_to_200"),
        ]
        indexes = [
            models.Index(fields=["grid", "-id"], name="building_grid_newest"),
            models.Index(fields=["owner_phone_digest"], condition=~Q(owner_phone_digest=""), name="building_owner_phone"),
        ]

    def __str__(self) -> str:
        return self.address


class Resident(models.Model):
    """实有人口: a person living (or registered) in a grid (人)."""

    class ResidenceKind(models.TextChoices):
        REGISTERED = "registered", "户籍人口"
        FLOATING = "floating", "流动人口"
        AWAY = "away", "户籍外出(人户分离)"

    class Status(models.TextChoices):
        PRESENT = "present", "在册"
        MOVED_OUT = "moved_out", "已迁出"
        DECEASED = "deceased", "已故"

    class Sex(models.TextChoices):
        MALE = "male", "男"
        FEMALE = "female", "女"

    grid = models.ForeignKey("areas.Area", verbose_name="网格", on_delete=models.PROTECT, related_name="+", limit_choices_to=GRID_ONLY)
    building = models.ForeignKey(Building, verbose_name="居住房屋", null=True, blank=True, on_delete=models.PROTECT, related_name="residents")
    name = models.CharField("姓名", max_length=32)
    # Sex and birth date are read from the ID number, never typed: they cannot disagree with it.
    sex = models.CharField("性别", max_length=8, choices=Sex.choices)
    birth_date = models.DateField("出生日期")
    id_number_cipher = models.TextField(editable=False)
    id_number_digest = models.CharField(max_length=64, editable=False)
    id_number_masked = models.CharField("身份证号", max_length=18, editable=False)
    phone_cipher = models.TextField(blank=True, editable=False)
    phone_digest = models.CharField(max_length=64, blank=True, editable=False)
    phone_masked = models.CharField("手机号", max_length=11, blank=True, editable=False)
    residence_kind = models.CharField("人口类型", max_length=16, choices=ResidenceKind.choices, default=ResidenceKind.REGISTERED)
    address = models.CharField("居住地址", max_length=120, blank=True)
    notes = models.CharField("备注", max_length=500, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PRESENT)
    left_on = models.DateField("迁出/死亡日期", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "实有人口"
        verbose_name_plural = "实有人口"
        constraints = [
            models.UniqueConstraint(fields=["grid", "id_number_digest"], condition=Q(status="present"), name="resident_once_per_grid"),
            models.CheckConstraint(condition=~Q(id_number_digest=""), name="resident_has_id_number"),
        ]
        indexes = [
            models.Index(fields=["grid", "-id"], name="resident_grid_newest"),
            models.Index(fields=["id_number_digest"], name="resident_id_number"),
            models.Index(fields=["phone_digest"], condition=~Q(phone_digest=""), name="resident_phone"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def address_text(self) -> str:
        return self.building.address if self.building_id else self.address


class Organisation(models.Model):
    """单位/组织 in a grid (组织)."""

    class OrganisationKind(models.TextChoices):
        ENTERPRISE = "enterprise", "企业"
        INDIVIDUAL = "individual", "个体工商户"
        SOCIAL = "social", "社会组织"
        PUBLIC = "public", "机关事业单位"
        SCHOOL = "school", "学校幼儿园"
        MEDICAL = "medical", "医疗机构"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        OPEN = "open", "正常经营"
        SUSPENDED = "suspended", "停业"
        CLOSED = "closed", "已注销"

    grid = models.ForeignKey("areas.Area", verbose_name="网格", on_delete=models.PROTECT, related_name="+", limit_choices_to=GRID_ONLY)
    building = models.ForeignKey(Building, verbose_name="所在房屋", null=True, blank=True, on_delete=models.PROTECT, related_name="organisations")
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=OrganisationKind.choices)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    address = models.CharField("地址", max_length=120, blank=True)
    contact_name = models.CharField("负责人", max_length=32, blank=True)
    contact_phone_cipher = models.TextField(blank=True, editable=False)
    contact_phone_digest = models.CharField(max_length=64, blank=True, editable=False)
    contact_phone_masked = models.CharField("负责人电话", max_length=11, blank=True, editable=False)
    employees = models.PositiveIntegerField("从业人数", null=True, blank=True)
    is_key_site = models.BooleanField("重点场所", default=False, help_text="人员密集、易燃易爆等需重点巡查的场所")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    notes = models.CharField("备注", max_length=500, blank=True)
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "单位组织"
        verbose_name_plural = "单位组织"
        constraints = [
            models.UniqueConstraint(fields=["grid", "credit_code"], condition=~Q(credit_code=""), name="organisation_code_once_per_grid"),
        ]
        indexes = [
            models.Index(fields=["grid", "-id"], name="organisation_grid_newest"),
            models.Index(fields=["credit_code"], condition=~Q(credit_code=""), name="organisation_credit_code"),
            models.Index(fields=["contact_phone_digest"], condition=~Q(contact_phone_digest=""), name="organisation_contact_phone"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def address_text(self) -> str:
        return self.building.address if self.building_id else self.address


class KeyPopulationSetting(models.Model):
    """A county's rule for one kind of key population: how often it is visited, and the ages
    it applies to. Missing rows mean the defaults in populations.DEFAULTS."""

    county = models.ForeignKey("areas.Area", verbose_name="县(市、区)", on_delete=models.PROTECT, related_name="+", limit_choices_to={"level": "county"})
    kind = models.CharField("人群类别", max_length=32, choices=Kind.choices)
    visit_interval_days = models.PositiveSmallIntegerField("走访周期(天)")
    min_age = models.PositiveSmallIntegerField("最低年龄(周岁)", null=True, blank=True)
    max_age = models.PositiveSmallIntegerField("最高年龄(周岁)", null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "重点人群走访设置"
        verbose_name_plural = "重点人群走访设置"
        constraints = [
            models.UniqueConstraint(fields=["county", "kind"], name="keypopulation_setting_once_per_county"),
            models.CheckConstraint(condition=Q(visit_interval_days__gte=1, visit_interval_days__lte=366), name="keypopulation_interval_1_to_366"),
        ]


class KeyPerson(models.Model):
    """One line of a key-population ledger (台账): a resident, the kind, the kind's own columns,
    and when the next visit is due. `next_visit_on` is kept by the actions (visit, setting
    change), so the overdue list is one indexed comparison."""

    resident = models.ForeignKey(Resident, verbose_name="人员", on_delete=models.PROTECT, related_name="key_person_entries")
    grid = models.ForeignKey("areas.Area", verbose_name="网格", on_delete=models.PROTECT, related_name="+", limit_choices_to=GRID_ONLY)
    kind = models.CharField("人群类别", max_length=32, choices=Kind.choices)
    since = models.DateField("纳入日期", default=timezone.localdate)
    contact_name = models.CharField("联系人", max_length=32, blank=True)
    contact_relation = models.CharField("与本人关系", max_length=16, blank=True)
    contact_phone_cipher = models.TextField(blank=True, editable=False)
    contact_phone_masked = models.CharField("联系人电话", max_length=11, blank=True, editable=False)
    particulars = models.JSONField("台账信息", default=dict, blank=True)
    notes = models.CharField("备注", max_length=500, blank=True)
    visit_base_on = models.DateField("走访计算起点")  # the last visit's date, or `since` before the first
    last_visited_at = models.DateTimeField("最近走访", null=True, blank=True)
    next_visit_on = models.DateField("应走访日期")
    ended_on = models.DateField("退出日期", null=True, blank=True)
    end_reason = models.CharField("退出原因", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "重点人群"
        verbose_name_plural = "重点人群"
        constraints = [
            models.UniqueConstraint(fields=["resident", "kind"], condition=Q(ended_on__isnull=True), name="keyperson_once_per_kind"),
        ]
        indexes = [
            # The due and overdue lists: a grid's active entries by their due date (and per kind).
            models.Index(fields=["grid", "next_visit_on"], condition=Q(ended_on__isnull=True), name="keyperson_grid_due"),
            models.Index(fields=["kind", "grid", "next_visit_on"], condition=Q(ended_on__isnull=True), name="keyperson_kind_grid_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.resident}"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None

    def days_overdue(self, today) -> int:
        return max(0, (today - self.next_visit_on).days)


class Visit(models.Model):
    """走访: who visited whom, when, and what they found."""

    class Situation(models.TextChoices):
        NORMAL = "normal", "情况正常"
        ATTENTION = "attention", "需持续关注"
        HELP = "help", "需要帮扶"

    key_person = models.ForeignKey(KeyPerson, verbose_name="走访对象", on_delete=models.PROTECT, related_name="visits")
    grid = models.ForeignKey("areas.Area", verbose_name="网格", on_delete=models.PROTECT, related_name="+", limit_choices_to=GRID_ONLY)
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="走访人", on_delete=models.PROTECT, related_name="grid_visits")
    visited_at = models.DateTimeField("走访时间")
    situation = models.CharField("走访结论", max_length=16, choices=Situation.choices, default=Situation.NORMAL)
    findings = models.TextField("走访情况")
    lng = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    photos = models.ManyToManyField("kernel.Attachment", verbose_name="照片", blank=True, related_name="+")
    recorded_at = models.DateTimeField("录入时间", default=timezone.now)

    class Meta:
        verbose_name = "走访记录"
        verbose_name_plural = "走访记录"
        indexes = [
            models.Index(fields=["grid", "-visited_at"], name="visit_grid_newest"),
            models.Index(fields=["visitor", "-visited_at"], name="visit_visitor_newest"),
            models.Index(fields=["key_person", "-visited_at"], name="visit_person_newest"),
        ]


class Patrol(models.Model):
    """巡查: one walk of a grid worker through a grid, with the track the phone recorded."""

    worker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="巡查人", on_delete=models.PROTECT, related_name="grid_patrols")
    grid = models.ForeignKey("areas.Area", verbose_name="网格", on_delete=models.PROTECT, related_name="+", limit_choices_to=GRID_ONLY)
    started_at = models.DateTimeField("开始时间", default=timezone.now)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    summary = models.CharField("巡查情况", max_length=1000, blank=True)
    # Filled at stop from the points below: a GeoJSON LineString the maps draw without a join.
    track = models.JSONField("轨迹(GeoJSON)", null=True, blank=True)
    point_count = models.PositiveIntegerField("轨迹点数", default=0)
    distance_m = models.PositiveIntegerField("里程(米)", default=0)

    class Meta:
        verbose_name = "巡查记录"
        verbose_name_plural = "巡查记录"
        constraints = [
            models.UniqueConstraint(fields=["worker"], condition=Q(ended_at__isnull=True), name="patrol_one_open_per_worker"),
            models.CheckConstraint(condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")), name="patrol_ends_after_start"),
        ]
        indexes = [
            models.Index(fields=["grid", "-started_at"], name="patrol_grid_newest"),
            models.Index(fields=["worker", "-started_at"], name="patrol_worker_newest"),
        ]

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @property
    def duration_minutes(self) -> int | None:
        if self.ended_at is None:
            return None
        return int((self.ended_at - self.started_at).total_seconds() // 60)


class PatrolPoint(models.Model):
    """One position the phone sent during a patrol, kept as sent (evidence of the walk)."""

    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="points")
    lng = models.FloatField("经度")
    lat = models.FloatField("纬度")
    accuracy_m = models.FloatField("精度(米)", null=True, blank=True)
    recorded_at = models.DateTimeField("定位时间")

    class Meta:
        verbose_name = "轨迹点"
        verbose_name_plural = "轨迹点"
        indexes = [models.Index(fields=["patrol", "recorded_at"], name="patrolpoint_patrol_time")]


class PatrolFinding(models.Model):
    """Something seen on a patrol. One that needs handling is reported as an event by the events
    app, which fills `case` (grid.actions.link_finding_to_case); this app never opens cases."""

    patrol = models.ForeignKey(Patrol, verbose_name="巡查", on_delete=models.PROTECT, related_name="findings")
    grid = models.ForeignKey("areas.Area", verbose_name="网格", on_delete=models.PROTECT, related_name="+", limit_choices_to=GRID_ONLY)
    description = models.CharField("发现情况", max_length=1000)
    needs_handling = models.BooleanField("需要处置", default=False)
    lng = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    photos = models.ManyToManyField("kernel.Attachment", verbose_name="照片", blank=True, related_name="+")
    case = models.ForeignKey("kernel.Case", verbose_name="上报事件", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发现人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("发现时间", default=timezone.now)

    class Meta:
        verbose_name = "巡查发现"
        verbose_name_plural = "巡查发现"
        indexes = [
            models.Index(fields=["patrol", "created_at"], name="finding_patrol"),
            # The events app's queue of findings still to be reported as events.
            models.Index(fields=["grid", "created_at"], condition=Q(needs_handling=True, case__isnull=True), name="finding_unreported"),
        ]


class VisitTask(models.Model):
    """走访任务: a key person's visit that has fallen due, as work in the covering grid worker's
    inbox (a case of kind "visit", grid/workflow.py). `is_open` mirrors the case being open, so
    the database itself keeps one open task per person (the daily job may run twice)."""

    case = models.OneToOneField("kernel.Case", on_delete=models.PROTECT, related_name="visit_task")
    key_person = models.ForeignKey(KeyPerson, verbose_name="走访对象", on_delete=models.PROTECT, related_name="visit_tasks")
    grid = models.ForeignKey("areas.Area", verbose_name="网格", on_delete=models.PROTECT, related_name="+", limit_choices_to=GRID_ONLY)
    due_on = models.DateField("应走访日期")
    is_open = models.BooleanField("未完成", default=True)
    visit = models.ForeignKey(Visit, verbose_name="完成走访", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "走访任务"
        verbose_name_plural = "走访任务"
        constraints = [
            models.UniqueConstraint(fields=["key_person"], condition=Q(is_open=True), name="visittask_one_open_per_person"),
        ]
        indexes = [
            # The daily job's look at open tasks (left the ledger, moved grid, no longer due).
            models.Index(fields=["id"], condition=Q(is_open=True), name="visittask_open"),
            models.Index(fields=["key_person", "-id"], name="visittask_person_newest"),
        ]


class Referral(models.Model):
    """转介: a visit that found a need (需要帮扶) handed to the unit that handles it (民政、残联、
    人社 …) as a case of kind "referral" (seed 002 二(三)2: 发现、报告、转介、救助). The visit and
    the case point at each other through this row."""

    class Need(models.TextChoices):
        # The kinds of 救助 seed 002 二(三)1 lists, grouped as a worker meets them at the door.
        LIVING = "living", "基本生活(低保、特困、临时救助)"
        MEDICAL = "medical", "医疗救助"
        EDUCATION = "education", "教育救助"
        HOUSING = "housing", "住房救助"
        EMPLOYMENT = "employment", "就业救助"
        DISABILITY = "disability", "残疾人帮扶"
        CARE = "care", "养老照料"
        CHILD = "child", "儿童监护保护"
        OTHER = "other", "其他"

    case = models.OneToOneField("kernel.Case", on_delete=models.PROTECT, related_name="referral")
    visit = models.OneToOneField(Visit, verbose_name="走访记录", on_delete=models.PROTECT, related_name="referral")
    key_person = models.ForeignKey(KeyPerson, verbose_name="走访对象", on_delete=models.PROTECT, related_name="referrals")
    need = models.CharField("帮扶需求", max_length=16, choices=Need.choices)
    description = models.TextField("需求说明")
    unit = models.ForeignKey("units.Unit", verbose_name="承办单位", on_delete=models.PROTECT, related_name="+")
    result = models.TextField("办理结果", blank=True)

    class Meta:
        verbose_name = "走访转介"
        verbose_name_plural = "走访转介"
        indexes = [models.Index(fields=["key_person", "-id"], name="referral_person_newest")]
