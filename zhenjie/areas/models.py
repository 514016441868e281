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
