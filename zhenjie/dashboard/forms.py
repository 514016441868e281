from django import forms

from zhenjie.workbench.forms import StyledFormMixin


class WarningPolicyForm(StyledFormMixin, forms.Form):
    """Shape only; the ranges are the action's rule (events.settings.update_event_policy)."""

    warning_threshold = forms.IntegerField(label="预警阈值(件)", help_text="同一村(社区)同一类别事件在时间窗内达到该件数即预警")
    warning_window_days = forms.IntegerField(label="预警时间窗(天)")
