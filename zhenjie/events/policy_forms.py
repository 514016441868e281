from django import forms

from zhenjie.kernel.models import DeadlineUnit
from zhenjie.workbench.forms import StyledFormMixin

from .models import Category, EventPolicy, Urgency


class CategoryForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label="代码", max_length=40, required=False, help_text="新增时填写，如 illegal_parking；保存后不可修改")
    name = forms.CharField(label="名称", max_length=40)
    parent = forms.ModelChoiceField(label="上级类别", required=False, empty_label="无（一级类别）", to_field_name="code",
                                    queryset=Category.objects.filter(parent__isnull=True).order_by("sort_order", "code"),
                                    help_text="二级类别随上级类别分派：属地清单未单列时按上级类别的责任部门")  # fmt: skip
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices)
    acknowledge_amount = forms.IntegerField(label="签收时限")
    acknowledge_unit = forms.ChoiceField(label="单位", choices=DeadlineUnit.choices)
    handle_amount = forms.IntegerField(label="处置时限")
    handle_unit = forms.ChoiceField(label="单位", choices=DeadlineUnit.choices)
    verify_amount = forms.IntegerField(label="核查时限")
    verify_unit = forms.ChoiceField(label="单位", choices=DeadlineUnit.choices)
    needs_verification = forms.BooleanField(label="需现场核查", required=False)
    power_code = forms.CharField(label="权责事项编码", max_length=64, required=False,
                                 help_text="处置该类事件所行使的权力(县级权责清单编码)；该权力赋予乡镇并施行后，事件派往乡镇承接机构")
    is_active = forms.BooleanField(label="启用", required=False, initial=True)


class EventPolicyForm(StyledFormMixin, forms.Form):
    warning_threshold = forms.IntegerField(label="预警阈值(件)", help_text="同一村(社区)或网格同一类别在时间窗内达到该件数即向乡镇领导预警")
    warning_scope = forms.ChoiceField(label="预警范围", choices=EventPolicy.WarningScope.choices, help_text="按村(社区)还是按网格统计同类事件")
    warning_window_days = forms.IntegerField(label="预警时间窗(天)")
    duplicate_window_hours = forms.IntegerField(label="疑似重复时间窗(小时)")
    duplicate_radius_m = forms.IntegerField(label="疑似重复距离(米)")
    follow_up_days = forms.IntegerField(label="回访时限(工作日)", help_text="差评、抽样和办结确认回访须在该期限内完成")
    follow_up_sample_percent = forms.IntegerField(label="抽样回访比例(%)", help_text="办结事件中按此比例抽取回访(0至100)")
    version = forms.IntegerField(widget=forms.HiddenInput)  # the settings the page showed, so a stale save is refused
