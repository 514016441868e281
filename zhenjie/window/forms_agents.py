"""Shapes of the agent-point pages' input (types, lengths, choices read for the user); the rules
are the actions' (window/actions/agents.py)."""

from django import forms

from zhenjie.workbench.forms import StyledFormMixin

from .models import Direction
from .models.agents import ADDRESS_MAX, HOURS_MAX, NAME_MAX, NOTE_MAX, PHONE_MAX, SIGNER_MAX


class PointForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="代办点名称", max_length=NAME_MAX)
    unit = forms.ModelChoiceField(label="所在机构", queryset=None, help_text="村(居)民委员会或党群服务中心；该机构的村代办员岗位即为本代办点代办员")
    villages = forms.ModelMultipleChoiceField(label="服务村(社区)", queryset=None, widget=forms.CheckboxSelectMultiple)
    phone = forms.CharField(label="联系电话", max_length=PHONE_MAX)
    address = forms.CharField(label="地址", max_length=ADDRESS_MAX)
    hours = forms.CharField(label="开放时间", max_length=HOURS_MAX, initial="周一至周五 8:30-12:00 14:00-17:30")
    is_active = forms.BooleanField(label="在用", required=False, initial=True)

    def __init__(self, *args, units, villages, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["villages"].queryset = villages
        self.fields["villages"].label_from_instance = lambda area: area.name
        if editing:
            del self.fields["unit"]  # a point stays in its unit; a new unit is a new point
        else:
            del self.fields["is_active"]


class HandoverForm(StyledFormMixin, forms.Form):
    application = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    direction = forms.ChoiceField(label="流转方向", choices=Direction.choices, widget=forms.HiddenInput)
    received_by = forms.CharField(label="签收人", max_length=SIGNER_MAX)
    note = forms.CharField(label="说明", max_length=NOTE_MAX, required=False)


class CarryDaysForm(StyledFormMixin, forms.Form):
    carry_days = forms.IntegerField(label="原件送交时限(工作日)", min_value=1, max_value=30)
