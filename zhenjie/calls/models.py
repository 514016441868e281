"""乡呼县应 calls: the detail of a case of kind "call"; the case it is made on is `case.parent`."""

from django.db import models


class Call(models.Model):
    """乡呼县应 (seed 003 三(二)): a township asks one county department to act on a case (an event,
    or any kind whose workflow declares "call") by a deadline. A joint call to several departments
    is one Call per department, sharing `group`."""

    case = models.OneToOneField("kernel.Case", on_delete=models.PROTECT, related_name="call")
    department = models.ForeignKey("units.Unit", verbose_name="被呼叫部门", on_delete=models.PROTECT, related_name="calls_received")
    caller_unit = models.ForeignKey("units.Unit", verbose_name="呼叫单位", on_delete=models.PROTECT, related_name="calls_made")
    group = models.CharField("联合呼叫", max_length=32, blank=True)
    request = models.TextField("呼叫事项")
    acknowledge_due = models.DateTimeField("响应时限")
    acknowledged_at = models.DateTimeField("响应时间", null=True, blank=True)
    reported_at = models.DateTimeField("反馈时间", null=True, blank=True)
    result = models.TextField("办理结果", blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        db_table = "events_call"  # the rows made while calls were part of events stay where they are
        verbose_name = "乡呼县应"
        verbose_name_plural = "乡呼县应"
        indexes = [models.Index(fields=["department", "acknowledge_due"], name="call_department_due")]
