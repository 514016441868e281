"""The shapes of the decision, hand-over, rating and settings forms; the rules are the actions'."""

from django import forms

from zhenjie.kernel.rating import COMMENT_MAX, GRADES
from zhenjie.kernel.workflow import REASON_MAX
from zhenjie.workbench.forms import StyledFormMixin

from .actions.delivery import COLLECTION_NOTE_MAX, POST_ADDRESS_MAX
from .models import Decision, DeliveryMethod


class DecideForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(label="审批结果", choices=[("approve", "准予"), ("refuse", "不予")], widget=forms.RadioSelect)
    text = forms.CharField(label="审批意见或不予理由", required=False, widget=forms.Textarea(attrs={"rows": 3, "maxlength": REASON_MAX}),
                           help_text="不予的，须说明理由(行政许可法第三十八条)")


class DecideJointForm(DecideForm):
    """The lead's decision on a joint item: may have to say why a unit's refusal does not stand
    in the way (window/joint.py)."""

    overruling = forms.CharField(label="不采纳不同意见的理由", required=False, widget=forms.Textarea(attrs={"rows": 2, "maxlength": REASON_MAX}),
                                 help_text="联合办理单位有不同意意见而仍准予的，须写明理由；将载入准予决定书")


class OpinionForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(label="本单位意见", choices=Decision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label="意见说明", required=False, widget=forms.Textarea(attrs={"rows": 3, "maxlength": REASON_MAX}),
                             help_text="不同意的，须说明理由")


class HandOverForm(StyledFormMixin, forms.Form):
    method = forms.ChoiceField(label="出件方式", choices=DeliveryMethod.choices)
    received_by = forms.CharField(label="领取人", required=False, max_length=200, help_text="当面领取时填写签收人姓名")
    tracking_number = forms.CharField(label="邮寄单号", required=False, max_length=200, help_text="邮寄送达时必填")
    signed_scan = forms.FileField(label="签收单扫描件", required=False, help_text="可选：已签字的纸质送达回证扫描件")


class CollectionForm(StyledFormMixin, forms.Form):
    """How the applicant will collect the result, changed after filing (delivery.change_collection)."""

    method = forms.ChoiceField(label="领取方式", choices=DeliveryMethod.choices, widget=forms.RadioSelect)
    point = forms.TypedChoiceField(label="领取代办点", coerce=int, empty_value=None, required=False, help_text="代办点领取时选择")
    address = forms.CharField(label="邮寄地址", max_length=POST_ADDRESS_MAX, required=False, help_text="邮寄送达时必填")
    note = forms.CharField(label="说明", max_length=COLLECTION_NOTE_MAX, required=False, help_text="如：申请人来电要求改为邮寄")

    def __init__(self, *args, points=(), online=False, **kwargs):
        """`points`: the township's agent points (intake.delivery_points); `online`: the applicant's
        own form, without the clerk's note."""
        # Its own ids: it sits beside the hand-over form, whose `method` must keep its label.
        super().__init__(*args, auto_id="collection_%s", **kwargs)
        self.fields["point"].choices = [("", "—"), *((p.unit_id, p.name) for p in points)]
        if online:
            del self.fields["note"]


class RateByCodeForm(StyledFormMixin, forms.Form):
    number = forms.CharField(label="办件编号", max_length=64)
    code = forms.CharField(label="查询码", max_length=16)
    rating = forms.TypedChoiceField(label="评价", choices=list(GRADES.items()), coerce=int)
    comment = forms.CharField(label="评价意见", required=False, max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class WindowPolicyForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    rectification_days = forms.IntegerField(label="差评整改时限(工作日)", help_text="不满意、非常不满意的评价须在该期限内回访整改(1至20)")
    delivery_days = forms.IntegerField(label="出件时限(工作日)", help_text="行政许可证件按法定10个工作日；其他办理结果在该期限内出件(1至30)")
