from django.db import models

# How many characters of the division code each level adds to the materialised path:
# 6-digit county (GB/T 2260), 3-digit township and 3-digit village (统计用区划代码 6+3+3),
# then 3 digits of our own for a grid. A subtree is every path that starts with its root's path.
PATH_LENGTH = {"county": 6, "township": 9, "village": 12, "grid": 15}


class Area(models.Model):
    """One node of the one tree: county → township / subdistrict → village / community → grid."""

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
