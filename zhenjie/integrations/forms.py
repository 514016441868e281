from django import forms

from zhenjie.events.models import Category
from zhenjie.workbench.forms import StyledFormMixin

from .actions import ALARM_TYPE_MAX, NAME_MAX, POSITION_DECIMALS
from .models import KeyChannel

UPLOAD_MAX_BYTES = 20 * 1024 * 1024  # kernel.attachments' limit for documents


class KeyForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="接入系统名称", max_length=NAME_MAX, help_text="如：市12345热线平台、雪亮工程视频平台")
    channel = forms.ChoiceField(label="渠道", choices=KeyChannel.choices)


class AlarmMappingForm(StyledFormMixin, forms.Form):
    alarm_type = forms.CharField(label="告警类型", max_length=ALARM_TYPE_MAX, help_text="视频平台推送的告警类型名称，如「垃圾堆放」")
    category = forms.ModelChoiceField(label="事件类别", queryset=Category.objects.filter(is_active=True), empty_label="请选择")


class Open311PolicyForm(StyledFormMixin, forms.Form):
    """Shape only; the ranges are the action's rule (actions.update_open311_policy)."""

    withheld_categories = forms.ModelMultipleChoiceField(
        label="不公开的事件类别", queryset=Category.objects.all(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text="这些类别的事件不出现在公开的 Open311 查询中(矛盾纠纷等涉及个人的类别)",
    )
    position_decimals = forms.IntegerField(
        label="坐标保留小数位", min_value=POSITION_DECIMALS[0], max_value=POSITION_DECIMALS[1],
        help_text="2位约1千米，3位约100米，4位约10米",
    )
    publish_text = forms.BooleanField(
        label="公开描述和详细地址", required=False,
        help_text="不公开时，描述留空、地址只写所在村(社区)或网格，不予受理的理由不公开",
    )


class HotlineUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label="12345工单表(.xlsx)", help_text="列名见下方说明，或先下载导入模板")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_MAX_BYTES:
            raise forms.ValidationError(f"文件过大，上限为 {UPLOAD_MAX_BYTES // 1048576} MB")
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 格式的工作簿(Excel 2007及以上)")
        head = upload.read(4)
        upload.seek(0)
        if head != b"PK\x03\x04":
            raise forms.ValidationError("文件不是有效的 .xlsx 工作簿，请用 Excel 另存为「Excel 工作簿(*.xlsx)」")
        return upload


class HotlineCallbackForm(StyledFormMixin, forms.Form):
    """Shape only; what a URL and a secret must be is answers.set_callback's rule."""

    url = forms.CharField(label="回传地址", max_length=500, help_text="12345平台接收办理结果的地址，以 http:// 或 https:// 开头")
    secret = forms.CharField(label="签名密钥", max_length=128, required=False, widget=forms.PasswordInput(render_value=False),
                             help_text="与12345平台约定的共享密钥(16至128个字符)，用于 HMAC-SHA256 签名；已设置时留空表示不修改")
    is_active = forms.BooleanField(label="启用回传", required=False, initial=True)


class SatisfactionUploadForm(HotlineUploadForm):
    file = forms.FileField(label="12345回访结果表(.xlsx)", help_text="列：工单编号、回访结果、回访时间、回访意见；可先下载模板")
