from django import forms

from zhenjie.events.models import EventPolicy
from zhenjie.workbench.forms import StyledFormMixin


class WarningPolicyForm(StyledFormMixin, forms.Form):
    """Shape only; the ranges are the action's rule (events.policy.update_event_policy)."""

    warning_threshold = forms.IntegerField(label="预警阈值(件)", help_text="同一村(社区)或网格同一类别事件在时间窗内达到该件数即预警")
    warning_scope = forms.ChoiceField(label="预警范围", choices=EventPolicy.WarningScope.choices, help_text="按村(社区)还是按网格统计同类事件")
    warning_window_days = forms.IntegerField(label="预警时间窗(天)")
    version = forms.IntegerField(widget=forms.HiddenInput)  # the settings the page showed, so a stale save is refused
