from django.db import models


class Unit(models.Model):
    """Anything that acts: a county department, a stationed unit, a township office or centre,
    a village committee. A stationed unit (派驻机构) belongs to its home department (条) and works
    in its host township (块): `home_department` and `area`."""

    class Kind(models.TextChoices):
        COUNTY_LEADERSHIP = "county_leadership", "县委县政府"
        DEPARTMENT = "department", "县直部门"
        STATIONED = "stationed", "派驻机构"
        TOWNSHIP_GOVERNMENT = "township_government", "乡镇政府(街道办事处)"
        OFFICE = "office", "党政工作机构"
        # The one-window hall (便民服务中心, in a developed town often 政务服务局/政务服务中心) is a
        # kind of its own: the hall, routing and the follow-up of a poor rating look for it, and
        # the other township centres (the command centre, the enforcement team …) have no counters.
        SERVICE_CENTRE = "service_centre", "便民服务中心"
        CENTRE = "centre", "事业单位(中心)"
        VILLAGE_COMMITTEE = "village_committee", "村(居)民委员会"

    name = models.CharField("名称", max_length=64)
    short_name = models.CharField("简称", max_length=32, blank=True)
    kind = models.CharField("类型", max_length=32, choices=Kind.choices)
    area = models.ForeignKey("areas.Area", verbose_name="所在区划", on_delete=models.PROTECT, related_name="units")
    parent = models.ForeignKey(
        "self", verbose_name="上级机构", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    home_department = models.ForeignKey(
        "self",
        verbose_name="主管部门(条)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stationed_units",
        limit_choices_to={"kind": "department"},
    )
    phone = models.CharField("联系电话", max_length=32, blank=True)
    is_active = models.BooleanField("在用", default=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "机构"
        verbose_name_plural = "机构"
        ordering = ["area__path", "sort_order", "name"]
        indexes = [models.Index(fields=["area", "kind"], name="unit_area_kind")]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="unit_name_unique_in_area"),
            models.CheckConstraint(
                condition=~models.Q(kind="stationed") | models.Q(home_department__isnull=False),
                name="unit_stationed_has_home_department",
            ),
        ]

    def __str__(self) -> str:
        return self.name
