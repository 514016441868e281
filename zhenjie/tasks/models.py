from django.db import models


class Task(models.Model):
    """Detail of a case of kind "task": work a township leader or dispatcher hands to a unit in
    their jurisdiction, with what is wanted and by when (工作交办单)."""

    case = models.OneToOneField("kernel.Case", on_delete=models.PROTECT, related_name="task")
    description = models.TextField("交办内容")
    issued_by_unit = models.ForeignKey("units.Unit", verbose_name="交办单位", on_delete=models.PROTECT, related_name="+")
    assignee_unit = models.ForeignKey("units.Unit", verbose_name="承办单位", on_delete=models.PROTECT, related_name="+")
    result = models.TextField("办理结果", blank=True)

    class Meta:
        verbose_name = "交办件"
        verbose_name_plural = "交办件"
