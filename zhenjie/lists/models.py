"""The lists (清单): power items, local duties, service items and guides, village duty and
assistance lists, the purchased-services catalogue; delegations in batches; Excel import jobs.

A list (`ListSeries`) is kept as numbered versions. One draft at a time is edited; publishing
freezes it as an immutable version with an effective date. The version in force on a day is the
published one with the latest effective date not after that day (ties: the higher number)."""

from django.conf import settings
from django.db import models


class ListKind(models.TextChoices):
    # GLOSSARY.md "Lists"; seed 003 二 (two lists), 四(一) (service items); seed 002 二(一)1–4.
    POWER = "power", "权责清单"
    LOCAL_DUTY = "local_duty", "属地管理事项清单"
    SERVICE = "service", "政务服务事项清单(办事指南)"
    VILLAGE_DUTY = "village_duty", "村(居)委依法履职事项清单"
    VILLAGE_ASSISTANCE = "village_assistance", "村(居)委协助政府工作事项清单"
    PURCHASED_SERVICE = "purchased_service", "购买服务目录"


class PowerType(models.TextChoices):
    # GLOSSARY.md: the ten kinds of administrative power plus public service.
    LICENSING = "licensing", "行政许可"
    PENALTY = "penalty", "行政处罚"
    COERCION = "coercion", "行政强制"
    LEVY = "levy", "行政征收"
    BENEFIT = "benefit", "行政给付"
    INSPECTION = "inspection", "行政检查"
    CONFIRMATION = "confirmation", "行政确认"
    REWARD = "reward", "行政奖励"
    ADJUDICATION = "adjudication", "行政裁决"
    OTHER = "other", "其他行政权力"
    PUBLIC_SERVICE = "public_service", "公共服务"


class PowerLevel(models.TextChoices):
    COUNTY = "county", "县级"
    TOWNSHIP = "township", "乡镇"
    SUBDISTRICT = "subdistrict", "街道"


class HandlingLevel(models.TextChoices):
    VILLAGE = "village", "村(社区)"
    TOWNSHIP = "township", "乡镇(街道)"
    COUNTY = "county", "县级"


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", "原件"
    COPY = "copy", "复印件"
    BOTH = "both", "原件和复印件"


class MaterialRequirement(models.TextChoices):
    REQUIRED = "required", "必需"
    DEFERRABLE = "deferrable", "容缺(可后补)"


class ListSeries(models.Model):
    """One list of one kind, kept by the county for the county (departments, county-wide
    lists) or for one township (its own power list, its service catalogue)."""

    kind = models.CharField("清单类型", max_length=24, choices=ListKind.choices)
    name = models.CharField("清单名称", max_length=100)
    area = models.ForeignKey("areas.Area", verbose_name="适用区划", on_delete=models.PROTECT, related_name="list_series")
    created_at = models.DateTimeField("建立时间", auto_now_add=True)

    class Meta:
        verbose_name = "清单"
        verbose_name_plural = "清单"
        ordering = ["area__path", "kind", "pk"]
        constraints = [models.UniqueConstraint(fields=["area", "kind", "name"], name="list_series_unique_name")]
        indexes = [models.Index(fields=["kind", "area"], name="list_series_kind_area")]

    def __str__(self) -> str:
        return self.name


class ListVersion(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    series = models.ForeignKey(ListSeries, verbose_name="清单", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.DRAFT)
    effective_from = models.DateField("生效日期", null=True, blank=True)
    note = models.CharField("修订说明", max_length=500, blank=True)
    item_count = models.PositiveIntegerField("事项数", default=0)
    created_at = models.DateTimeField("建立时间", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "清单版本"
        verbose_name_plural = "清单版本"
        ordering = ["series", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="list_version_number_unique"),
            # One draft at a time: two drafts of one list would publish over each other.
            models.UniqueConstraint(fields=["series"], condition=models.Q(state="draft"), name="list_version_one_draft"),
            models.CheckConstraint(
                condition=models.Q(state="draft") | models.Q(effective_from__isnull=False, published_at__isnull=False),
                name="list_version_published_is_dated",
            ),
        ]
        indexes = [models.Index(fields=["series", "state", "effective_from"], name="list_version_in_force")]

    def __str__(self) -> str:
        return f"{self.series.name} 第{self.number}版"

    @property
    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT

    @property
    def label(self) -> str:
        return f"第{self.number}版" + ("(草稿)" if self.is_draft else "")


class ListItem(models.Model):
    """What every item of every list has: its place in the list, code, name and the pinyin
    initials of the name (search "as people type": yyzz finds 营业执照)."""

    version = models.ForeignKey(ListVersion, verbose_name="版本", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField("序号")
    code = models.CharField("事项编码", max_length=64)
    name = models.CharField("事项名称", max_length=200)
    initials = models.CharField("拼音首字母", max_length=200, blank=True, editable=False)

    class Meta:
        abstract = True
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PowerItem(ListItem):
    """权责事项 (seed 003 二: 141 for a town, 97 for a subdistrict). A sub-item names its main
    item's code in `parent_code`."""

    power_type = models.CharField("事项类型", max_length=16, choices=PowerType.choices)
    parent_code = models.CharField("主项编码", max_length=64, blank=True)
    legal_basis = models.TextField("设定依据")
    implementing_unit = models.ForeignKey("units.Unit", verbose_name="实施主体", on_delete=models.PROTECT, related_name="+")
    level = models.CharField("行使层级", max_length=16, choices=PowerLevel.choices)
    responsibilities = models.TextField("责任事项")
    accountability = models.TextField("追责情形")
    remarks = models.CharField("备注", max_length=500, blank=True)

    class Meta:
        verbose_name = "权责事项"
        verbose_name_plural = "权责事项"
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="power_item_code_unique"),
        ]
        indexes = [models.Index(fields=["version", "position"], name="power_item_version_pos")]


class LocalDutyItem(ListItem):
    """属地管理事项 (seed 003 二: 16 domains, 98 items): which department leads (主体责任) and
    what the township only supports (配合责任). `name` is the matter."""

    domain = models.CharField("领域", max_length=32)
    lead_department = models.ForeignKey("units.Unit", verbose_name="主体责任部门", on_delete=models.PROTECT, related_name="+")
    lead_duty = models.TextField("部门主体责任")
    township_duty = models.TextField("乡镇(街道)配合责任")

    class Meta:
        verbose_name = "属地管理事项"
        verbose_name_plural = "属地管理事项"
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="duty_item_code_unique"),
        ]
        indexes = [models.Index(fields=["version", "position"], name="duty_item_version_pos")]


class LocalDutyCategory(models.Model):
    """An event category a local-duty item covers; routing reads these. Plain codes: the lists
    do not depend on the events app."""

    item = models.ForeignKey(LocalDutyItem, on_delete=models.CASCADE, related_name="categories")
    version = models.ForeignKey(ListVersion, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    code = models.CharField("事件类别代码", max_length=32)

    class Meta:
        verbose_name = "事件类别"
        verbose_name_plural = "事件类别"
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["item", "code"], name="duty_category_unique")]
        indexes = [models.Index(fields=["version", "code"], name="duty_category_lookup")]


class ServiceItem(ListItem):
    """政务服务事项 and its guide (办事指南). Village items (简单事项不出村, seed 001 (一)2) are
    marked `agent_point` so village agent points take them."""

    service_type = models.CharField("事项类型", max_length=16, choices=PowerType.choices)
    handling_level = models.CharField("办理层级", max_length=16, choices=HandlingLevel.choices)
    agent_point = models.BooleanField("村级代办点可办", default=False)
    conditions = models.TextField("受理条件")
    steps = models.JSONField("办理流程", default=list)
    statutory_days = models.PositiveSmallIntegerField("法定时限(工作日)", null=True, blank=True)
    promised_days = models.PositiveSmallIntegerField("承诺时限(工作日)")
    fee = models.CharField("收费标准", max_length=200, default="不收费")
    fee_basis = models.CharField("收费依据", max_length=500, blank=True)
    visits = models.PositiveSmallIntegerField("到现场次数")
    online = models.BooleanField("可网上办理", default=False)
    place = models.CharField("办理地点", max_length=200)
    hours = models.CharField("办理时间", max_length=200)
    phone = models.CharField("咨询电话", max_length=64)
    result = models.CharField("办理结果", max_length=200)
    legal_basis = models.TextField("设定依据")
    # The power item (权责清单事项编码) a decision on this service exercises; blank for a pure
    # public service. The window routes the decision by it (window/routing.py): the township when
    # it may exercise that power on the day of acceptance, else the county department holding it.
    power_code = models.CharField("对应权责事项编码", max_length=64, blank=True)
    # Joint items (联合办理, 行政许可法 Art. 42 para. 2): the codes of the other powers exercised
    # together, each routed the same way and deciding in parallel; separated by 、 , ; or spaces.
    joint_power_codes = models.CharField("联办权责事项编码", max_length=200, blank=True)

    class Meta:
        verbose_name = "政务服务事项"
        verbose_name_plural = "政务服务事项"
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="service_item_code_unique"),
            models.CheckConstraint(condition=models.Q(visits__lte=1), name="service_item_visits_at_most_one"),
        ]
        indexes = [models.Index(fields=["version", "position"], name="service_item_version_pos")]


class ServiceMaterial(models.Model):
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="materials")
    position = models.PositiveSmallIntegerField("序号", default=0)
    name = models.CharField("材料名称", max_length=200)
    form = models.CharField("材料形式", max_length=16, choices=MaterialForm.choices)
    copies = models.PositiveSmallIntegerField("份数", default=1)
    requirement = models.CharField("是否必需", max_length=16, choices=MaterialRequirement.choices)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["item", "position"]


class VillageItem(ListItem):
    """村(居)委依法履职事项 / 协助政府工作事项 (seed 002 二(一)2). The list's kind says which."""

    category = models.CharField("类别", max_length=32)
    content = models.TextField("工作内容")
    basis = models.TextField("依据")
    guiding_department = models.ForeignKey(
        "units.Unit", verbose_name="指导部门", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "村(居)委事项"
        verbose_name_plural = "村(居)委事项"
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="village_item_code_unique"),
        ]
        indexes = [models.Index(fields=["version", "position"], name="village_item_version_pos")]


class PurchasedService(ListItem):
    """乡镇政府购买服务指导性目录 (seed 002 二(一)4)."""

    category = models.CharField("类别", max_length=32)
    content = models.TextField("服务内容")
    provider = models.CharField("承接主体", max_length=200)
    standard = models.TextField("服务标准")
    evaluation = models.CharField("绩效评价方式", max_length=200)

    class Meta:
        verbose_name = "购买服务事项"
        verbose_name_plural = "购买服务事项"
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="purchased_item_code_unique"),
        ]
        indexes = [models.Index(fields=["version", "position"], name="purchased_item_version_pos")]


# ---- delegations (赋权) ---------------------------------------------------------------------


class DelegationBatch(models.Model):
    """A batch of delegations (成熟一批，赋予一批: seed 004 四)."""

    county = models.ForeignKey("areas.Area", verbose_name="县", on_delete=models.PROTECT, related_name="delegation_batches")
    number = models.PositiveSmallIntegerField("批次")
    title = models.CharField("批次名称", max_length=100)
    document_number = models.CharField("文号", max_length=64, blank=True)
    created_at = models.DateTimeField("建立时间", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "赋权批次"
        verbose_name_plural = "赋权批次"
        ordering = ["county", "-number"]
        constraints = [models.UniqueConstraint(fields=["county", "number"], name="delegation_batch_number_unique")]

    def __str__(self) -> str:
        return f"第{self.number}批 {self.title}"


class Delegation(models.Model):
    """One power item handed from the department that holds it to named townships."""

    class State(models.TextChoices):
        PROPOSED = "proposed", "拟赋权"
        APPROVED = "approved", "已批准"
        IN_FORCE = "in_force", "施行中"
        ADJUSTED = "adjusted", "已调整"
        WITHDRAWN = "withdrawn", "已收回"

    class Scope(models.TextChoices):
        SOME = "some", "部分乡镇(街道)"
        ALL = "all", "全部乡镇(街道)"
        DEVELOPED = "developed", "经济发达镇"

    batch = models.ForeignKey(DelegationBatch, verbose_name="批次", on_delete=models.PROTECT, related_name="delegations")
    department = models.ForeignKey("units.Unit", verbose_name="原实施部门", on_delete=models.PROTECT, related_name="+")
    power_code = models.CharField("权责事项编码", max_length=64)
    power_name = models.CharField("权责事项名称", max_length=200)
    power_type = models.CharField("事项类型", max_length=16, choices=PowerType.choices)
    scope = models.CharField("赋权范围", max_length=16, choices=Scope.choices)
    effective_from = models.DateField("施行日期")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.PROPOSED)
    note = models.CharField("说明", max_length=500, blank=True)
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)
    in_force_at = models.DateTimeField("公布施行时间", null=True, blank=True)
    withdrawn_on = models.DateField("收回日期", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)  # compare-and-set against double clicks

    class Meta:
        verbose_name = "赋权事项"
        verbose_name_plural = "赋权事项"
        ordering = ["batch", "pk"]
        indexes = [models.Index(fields=["power_code", "state"], name="delegation_code_state")]

    def __str__(self) -> str:
        return f"{self.power_name}({self.get_state_display()})"


class DelegationTarget(models.Model):
    """One receiving township of a delegation, with its capacity check (承接评估) and the days
    it holds the power: from `valid_from`, until the day before `valid_until` (open when null)."""

    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="targets")
    township = models.ForeignKey("areas.Area", verbose_name="承接乡镇(街道)", on_delete=models.PROTECT, related_name="+")
    receiving_unit = models.ForeignKey(
        "units.Unit", verbose_name="承接机构", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    trained_staff = models.PositiveSmallIntegerField("经培训人员数", default=0)
    assessed_at = models.DateTimeField("评估时间", null=True, blank=True)
    assessment = models.CharField("评估意见", max_length=300, blank=True)
    valid_from = models.DateField("起始日期")
    valid_until = models.DateField("终止日期", null=True, blank=True)

    class Meta:
        verbose_name = "承接乡镇"
        verbose_name_plural = "承接乡镇"
        ordering = ["township__path", "valid_from"]
        indexes = [models.Index(fields=["township", "valid_from"], name="delegation_target_township")]


class DelegationPolicy(models.Model):
    """What a county asks of a receiving township before a delegation is approved; the county
    administrator may change it (seed 004 四: 放得下、接得住、管得好)."""

    county = models.OneToOneField("areas.Area", on_delete=models.PROTECT, related_name="delegation_policy")
    min_trained_staff = models.PositiveSmallIntegerField("承接机构最少经培训人员数", default=2)

    class Meta:
        verbose_name = "承接评估标准"
        verbose_name_plural = "承接评估标准"


# ---- Excel import jobs ----------------------------------------------------------------------


class ImportJob(models.Model):
    """One Excel file imported into a draft: all rows or none, with progress and errors."""

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "校验中"
        FAILED = "failed", "未导入"
        DONE = "done", "已导入"

    version = models.ForeignKey(ListVersion, verbose_name="草稿", on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    filename = models.CharField("文件名", max_length=200)
    content = models.BinaryField("文件内容", null=True, blank=True)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.QUEUED)
    total_rows = models.PositiveIntegerField("总行数", default=0)
    processed_rows = models.PositiveIntegerField("已校验行数", default=0)
    imported_rows = models.PositiveIntegerField("导入事项数", default=0)
    errors = models.JSONField("错误", default=list, blank=True)
    message = models.CharField("结果说明", max_length=300, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "清单导入"
        verbose_name_plural = "清单导入"
        ordering = ["-created_at"]

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.FAILED, self.State.DONE)

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0
