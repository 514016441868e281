"""The shape of the joint-operation pages' input; the rules are actions/joint.py's."""

from django import forms
from django.db.models import Q

from zhenjie.areas.paths import county_path
from zhenjie.units.models import Unit
from zhenjie.workbench.forms import StyledFormMixin

from .actions import joint

PART_ROWS = 5  # rows of participants on the plan page; the API takes up to joint.MAX_PARTICIPANTS


def units_for_township(township, team):
    """Units that may take part: stationed in the township or its own, and the county's departments."""
    return (
        Unit.objects.filter(is_active=True)
        .filter(Q(area=township) | Q(kind=Unit.Kind.DEPARTMENT, area__path=county_path(township.path)))
        .exclude(pk=team.pk).order_by("kind", "name")
    )  # fmt: skip


class PlanForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label="行动名称", max_length=joint.TITLE_MAX)
    planned_at = forms.DateTimeField(label="计划时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    place = forms.CharField(label="地点", max_length=joint.PLACE_MAX)
    cases = forms.CharField(label="关联案件ID", required=False, max_length=400, help_text="本乡镇执法案件的ID，多个以逗号分隔")

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(PART_ROWS):
            self.fields[f"unit_{i}"] = forms.ModelChoiceField(label=f"参与单位{i + 1}", queryset=units, required=i == 0)
            self.fields[f"task_{i}"] = forms.CharField(label="职责分工", max_length=joint.TASK_MAX, required=False)
            self.fields[f"headcount_{i}"] = forms.IntegerField(
                label="计划人数", min_value=1, max_value=joint.HEADCOUNT_MAX, required=False
            )

    def clean_cases(self):
        raw = self.cleaned_data["cases"].replace("，", ",")
        parts = [p.strip() for p in raw.split(",") if p.strip()]
        if any(not (p.isascii() and p.isdigit()) or len(p) > 19 for p in parts):
            raise forms.ValidationError("关联案件须为案件ID，以逗号分隔")
        return [int(p) for p in parts]

    def parts(self) -> list[joint.Part]:
        data = self.cleaned_data
        return [joint.Part(unit=data[f"unit_{i}"], task=data[f"task_{i}"], headcount=data[f"headcount_{i}"])
                for i in range(PART_ROWS) if data.get(f"unit_{i}")]  # fmt: skip


class PartForm(StyledFormMixin, forms.Form):
    people = forms.IntegerField(label="实到人数", min_value=0, max_value=joint.HEADCOUNT_MAX)
    work_done = forms.CharField(label="开展情况", max_length=joint.TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    findings = forms.CharField(
        label="发现问题", max_length=joint.TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label="总结或理由", max_length=joint.TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))
