from django import forms

from zhenjie.units.models import Unit
from zhenjie.workbench.forms import StyledFormMixin

from .actions import MILESTONE_MAX, NOTE_MAX, PLAN_MAX, TEXT_MAX, TITLE_MAX

MILESTONE_ROWS = 6  # rows the adoption form offers; the API takes up to actions.MILESTONES_MAX


class AdoptForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label="题目", max_length=TITLE_MAX)
    lead_unit = forms.ModelChoiceField(label="牵头单位", queryset=Unit.objects.none(), empty_label="请选择")
    plan = forms.CharField(label="工作方案", max_length=PLAN_MAX, widget=forms.Textarea(attrs={"rows": 6}))
    is_public = forms.BooleanField(label="向社会公开(题目、方案与进展，不含当事人信息)", required=False, initial=True)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units if units is not None else Unit.objects.none()
        for number in range(1, MILESTONE_ROWS + 1):
            self.fields[f"milestone_date_{number}"] = forms.DateField(label=f"节点{number}日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
            self.fields[f"milestone_text_{number}"] = forms.CharField(label=f"节点{number}内容", max_length=MILESTONE_MAX, required=False)

    def milestone_rows(self):
        return [(self[f"milestone_date_{number}"], self[f"milestone_text_{number}"]) for number in range(1, MILESTONE_ROWS + 1)]

    def clean(self):
        cleaned = super().clean()
        rows = []
        for number in range(1, MILESTONE_ROWS + 1):
            due_on, text = cleaned.get(f"milestone_date_{number}"), (cleaned.get(f"milestone_text_{number}") or "").strip()
            if due_on is None and not text:
                continue
            if due_on is None or not text:
                self.add_error(f"milestone_date_{number}" if due_on is None else f"milestone_text_{number}", "请同时填写节点日期和内容")
                continue
            rows.append((due_on, text))
        cleaned["milestones"] = rows
        return cleaned


class ProgressForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label="本月进展", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}))


class MilestoneDoneForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label="完成说明", max_length=NOTE_MAX, required=False)


class FinishForm(StyledFormMixin, forms.Form):
    summary = forms.CharField(label="完成情况", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}))
