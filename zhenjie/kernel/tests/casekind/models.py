from django.db import models


class Errand(models.Model):
    """Detail of a case of kind "errand" (tests only): which unit does it, and what it answered."""

    case = models.OneToOneField("kernel.Case", on_delete=models.PROTECT, related_name="errand")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    answer = models.TextField(blank=True)


class Memo(models.Model):
    """A record that is not a case (tests of kernel.records): drafted, issued, withdrawn."""

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        ISSUED = "issued", "已印发"
        WITHDRAWN = "withdrawn", "已撤回"

    title = models.CharField(max_length=100)
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    issued_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
