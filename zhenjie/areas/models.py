from django.db import models

# How many characters of the division code each level adds to the materialised path:
# 6-digit county (GB/T 2260), 3-digit township and 3-digit village (统计用区划代码 6+3+3),
# then 3 digits of our own for a grid. A subtree is every path that starts with its root's path.
PATH_LENGTH = {"county": 6, "township": 9, "village": 12, "grid": 15}


class AreaQuerySet(models.QuerySet):
    def live(self) -> "AreaQuerySet":
        """Areas in today's tree: not retired by an area change (区划调整). Pickers, locating and
        maps read these; history views and the cases of the past keep the retired ones."""
        return self.filter(retired_on__isnull=True)


class Area(models.Model):
    """One node of the one tree: county → township / subdistrict → village / community → grid.

    A node is never re-coded or re-parented: an area change (区划调整, areas/changes.py) that
    gives a village a new place in the tree creates a new node and retires the old one from the
    effective date, pointing at its `successor`. Cases keep the node they were reported in."""

    class Level(models.TextChoices):
        COUNTY = "county", "县(市、区)"
        TOWNSHIP = "township", "乡镇(街道)"
        VILLAGE = "village", "村(社区)"
        GRID = "grid", "网格"

    class TownshipKind(models.TextChoices):
        TOWN = "town", "镇"
        TOWNSHIP = "township", "乡"
        SUBDISTRICT = "subdistrict", "街道"

    class VillageKind(models.TextChoices):
        VILLAGE = "village", "村"
        COMMUNITY = "community", "社区"

    code = models.CharField("区划代码", max_length=15, unique=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("层级", max_length=16, choices=Level.choices)
    parent = models.ForeignKey("self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField("路径", max_length=32, unique=True, editable=False)
    township_kind = models.CharField("乡镇类型", max_length=16, choices=TownshipKind.choices, blank=True)
    is_developed = models.BooleanField("经济发达镇", default=False)
    village_kind = models.CharField("村社类型", max_length=16, choices=VillageKind.choices, blank=True)
    boundary = models.JSONField("边界(GeoJSON)", null=True, blank=True)
    center_lng = models.FloatField("中心经度", null=True, blank=True)
    center_lat = models.FloatField("中心纬度", null=True, blank=True)
    sort_order = models.PositiveIntegerField("排序", default=0)
    retired_on = models.DateField("撤销日期", null=True, blank=True, help_text="区划调整生效之日；撤销后只在历史中出现")
    successor = models.ForeignKey(
        "self", verbose_name="承继区划", null=True, blank=True, on_delete=models.PROTECT, related_name="predecessors"
    )

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["path"]
        indexes = [
            # varchar_pattern_ops lets PostgreSQL answer "path LIKE 'prefix%'" from the index
            # under any collation; other databases ignore the opclass.
            models.Index(fields=["path"], name="area_path_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["parent", "sort_order"], name="area_children"),
            models.Index(fields=["level", "path"], name="area_level_path"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(level="township") | ~models.Q(township_kind=""), name="area_township_has_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(is_developed=False) | models.Q(township_kind="town"), name="area_developed_is_town"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        if self.level == self.Level.TOWNSHIP:
            return self.get_township_kind_display()
        if self.level == self.Level.VILLAGE:
            return self.get_village_kind_display()
        return self.get_level_display()

    def contains(self, other: "Area") -> bool:
        return other.path.startswith(self.path)

    @property
    def is_retired(self) -> bool:
        return self.retired_on is not None


class GridBoundary(models.Model):
    """One boundary a grid had, and when (网格调整): the current one has no `valid_until` and
    equals Area.boundary, which every map and point-in-polygon test keeps reading. Rows are never
    edited except to close them when a redraw replaces them, so a grid's shape on any past day can
    be told (areas.queries.boundary_on). Cases keep the grid they were reported in: a redraw
    changes no case."""

    grid = models.ForeignKey(Area, verbose_name="网格", on_delete=models.CASCADE, related_name="boundary_history", limit_choices_to={"level": "grid"})
    boundary = models.JSONField("边界(GeoJSON)")
    # None: since before the platform kept history (a grid drawn before its first redraw).
    valid_from = models.DateTimeField("起始时间", null=True, blank=True)
    valid_until = models.DateTimeField("截止时间", null=True, blank=True)
    recorded_by = models.ForeignKey("accounts.User", verbose_name="记录人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("调整说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "网格边界历史"
        verbose_name_plural = "网格边界历史"
        ordering = ["grid", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["grid"], condition=models.Q(valid_until__isnull=True), name="grid_boundary_one_current"),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True) | models.Q(valid_from__isnull=True) | models.Q(valid_until__gte=models.F("valid_from")),
                name="grid_boundary_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grid_id} {self.valid_from}–{self.valid_until or ''}"


class AreaChange(models.Model):
    """One area change (区划调整): a rename, a merge of a village into another, or a move of a
    village to another township, from an effective date. Scheduled until that date, then applied
    (areas/changes.py); the record stays as the tree's history. See docs/ARCHITECTURE.md."""

    class Kind(models.TextChoices):
        RENAME = "rename", "更名"
        MERGE = "merge", "合并"
        MOVE = "move", "调整隶属"

    class State(models.TextChoices):
        SCHEDULED = "scheduled", "待生效"
        APPLIED = "applied", "已生效"
        FAILED = "failed", "未能生效"

    kind = models.CharField("调整类型", max_length=16, choices=Kind.choices)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.SCHEDULED)
    effective_on = models.DateField("生效日期")
    county = models.ForeignKey(Area, verbose_name="县", on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(Area, verbose_name="调整的区划", on_delete=models.PROTECT, related_name="changes")
    target = models.ForeignKey(
        Area, verbose_name="并入村(社区)或新隶属乡镇", null=True, blank=True, on_delete=models.PROTECT, related_name="changes_into"
    )
    result = models.ForeignKey(Area, verbose_name="调整后的区划", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    old_name = models.CharField("原名称", max_length=64)
    new_name = models.CharField("新名称", max_length=64, blank=True)
    new_code = models.CharField("新区划代码", max_length=15, blank=True)
    document_number = models.CharField("批准文号", max_length=64)
    reason = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey("accounts.User", verbose_name="登记人", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    applied_at = models.DateTimeField("生效时间", null=True, blank=True)
    failure = models.CharField("未能生效的原因", max_length=200, blank=True)
    # What the change moved, for the administrator to check: {"units": [...], "posts": [...],
    # "flagged_posts": [...], "ended_coverage": [...], "grids": {old id: new id}}.
    outcome = models.JSONField("调整结果", default=dict, blank=True)

    class Meta:
        verbose_name = "区划调整"
        verbose_name_plural = "区划调整"
        ordering = ["-effective_on", "-pk"]
        indexes = [
            models.Index(fields=["state", "effective_on"], name="areachange_due"),
            models.Index(fields=["county", "-effective_on"], name="areachange_county"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.old_name}"

    @property
    def description(self) -> str:
        """One line a clerk reads: 甲一村并入甲二村, 甲一村调整隶属乙镇(新代码…)."""
        if self.kind == self.Kind.RENAME:
            return f"{self.old_name}更名为{self.new_name}"
        if self.kind == self.Kind.MERGE:
            renamed = f"(合并后名称{self.new_name})" if self.new_name else ""
            return f"{self.old_name}并入{self.target.name}{renamed}"
        return f"{self.old_name}调整隶属{self.target.name}(新代码{self.new_code})"
