from django import forms

from zhenjie.units.models import Unit
from zhenjie.workbench.forms import StyledFormMixin

from .workflow import MAX_WORKING_DAYS, TEXT_MAX, TITLE_MAX


class TaskForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label="标题", max_length=TITLE_MAX)
    assignee_unit = forms.ModelChoiceField(label="承办单位", queryset=Unit.objects.none(), empty_label="请选择")
    working_days = forms.IntegerField(label="办理时限(工作日)", min_value=1, max_value=MAX_WORKING_DAYS, initial=5)
    description = forms.CharField(label="交办内容", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee_unit"].queryset = units if units is not None else Unit.objects.none()
