from django import forms

from zhenjie.kernel.attachments import DEFAULT_MAX_BYTES
from zhenjie.kernel.rating import COMMENT_MAX, GRADES
from zhenjie.units.models import Unit
from zhenjie.workbench import offline
from zhenjie.workbench.forms import StyledFormMixin

from . import portal
from .intake import ADDRESS_MAX, CONTACT_NAME_MAX, CONTACT_PHONE_MAX, DESCRIPTION_MAX, PHOTOS_MAX
from .models import Category, Channel


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; the kernel checks each file's bytes, this only collects them."""

    widget = MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"})

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if len(files) > PHOTOS_MAX:
            raise forms.ValidationError(f"照片最多{PHOTOS_MAX}张")
        limit = DEFAULT_MAX_BYTES["photo"]
        for upload in files:
            if upload.size > limit:
                raise forms.ValidationError(f"照片「{upload.name}」过大：上限为 {limit // 1048576} MB")
        return list(files)


class ReportForm(StyledFormMixin, forms.Form):
    category = forms.ModelChoiceField(label="事件类别", queryset=Category.objects.filter(is_active=True).select_related("parent"), empty_label="请选择")
    description = forms.CharField(label="问题描述", max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 4, "placeholder": "发现了什么问题，在哪里，影响如何"}))
    address = forms.CharField(label="地址(可选)", max_length=ADDRESS_MAX, required=False)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    area = forms.ModelChoiceField(label="所在村(社区)/网格", required=False, queryset=None, empty_label="按定位自动确定",
                                  help_text="没有定位时请选择事发的村(社区)或网格")
    channel = forms.ChoiceField(label="来源", choices=[(Channel.GRID, Channel.GRID.label), (Channel.WALK_IN, Channel.WALK_IN.label)], initial=Channel.GRID)
    photos = PhotosField(label="现场照片", required=False)
    # Who came to the window (walk-in), and whoever speaks for them (代理人): the case's parties.
    reporter_name = forms.CharField(label="来访人姓名(窗口来访必填)", max_length=CONTACT_NAME_MAX, required=False,
                                    help_text="窗口来访时填写来访群众，不是经办人；提交后打印回执交来访人")
    reporter_phone = forms.CharField(label="来访人手机(窗口来访必填)", max_length=CONTACT_PHONE_MAX, required=False,
                                     help_text="加密保存，仅用于回访联系")
    agent_name = forms.CharField(label="代为反映人姓名(可选)", max_length=CONTACT_NAME_MAX, required=False,
                                 help_text="他人代为反映时填写；上面须填所代表的当事人")
    agent_phone = forms.CharField(label="代为反映人电话(可选)", max_length=CONTACT_PHONE_MAX, required=False)
    client_key = offline.key_field()  # the phone's key for this filled-in form (kernel.submits)

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        self.fields["category"].label_from_instance = lambda category: category.label


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class DispatchForm(StyledFormMixin, forms.Form):
    unit = forms.ModelChoiceField(label="处置单位", queryset=Unit.objects.none(), required=False, empty_label="按清单确定")
    reason = forms.CharField(label="改派理由", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="不按清单指定的单位派遣时必填")

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()


class ResultForm(StyledFormMixin, forms.Form):
    result = forms.CharField(label="处置结果", max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 4}))
    photos = PhotosField(label="处置后照片", required=False)


class VerifyForm(StyledFormMixin, forms.Form):
    passed = forms.TypedChoiceField(label="核查结论", choices=[("1", "核查通过"), ("0", "核查不通过，退回处置")], coerce=lambda v: v == "1", widget=forms.RadioSelect)
    note = forms.CharField(label="核查意见", max_length=DESCRIPTION_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class VerifierForm(StyledFormMixin, forms.Form):
    """指定核查人: one of the township's people outside the handling unit (actions.verifier_candidates)."""

    verifier = forms.TypedChoiceField(label="核查人", coerce=int, choices=[], help_text="本乡镇(街道)处置单位以外的人员")

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["verifier"].choices = [("", "请选择")] + [(p.pk, p.display_name) for p in (people if people is not None else [])]


class MergeForm(StyledFormMixin, forms.Form):
    # The number as printed on the sheet; the kit finds the event in the user's reach (workflow.case_input).
    into = forms.CharField(label="合并至(事件编号)", max_length=64, help_text="保留的事件的编号，如 甲镇事〔2026〕第12号",
                           widget=forms.TextInput(attrs={"placeholder": "××事〔2026〕第12号"}))


class CallForm(StyledFormMixin, forms.Form):
    departments = forms.ModelMultipleChoiceField(label="呼叫部门(县直部门或派驻机构)", queryset=Unit.objects.none(), widget=forms.SelectMultiple(attrs={"size": 6}))
    request = forms.CharField(label="呼叫事项", max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "placeholder": "需要部门做什么"}))
    working_days = forms.IntegerField(label="办理时限(工作日)", min_value=1, max_value=60, initial=3)

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = departments if departments is not None else Unit.objects.none()


class ExtensionForm(StyledFormMixin, forms.Form):
    amount = forms.IntegerField(label="延期时长", min_value=1, max_value=30)
    reason = forms.CharField(label="延期理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(StyledFormMixin, forms.Form):
    approve = forms.TypedChoiceField(label="审批", choices=[("1", "同意延期"), ("0", "不同意")], coerce=lambda v: v == "1", widget=forms.RadioSelect)
    note = forms.CharField(label="意见", max_length=500, required=False)


class RatingForm(StyledFormMixin, forms.Form):
    rating = forms.TypedChoiceField(label="评价", coerce=int, choices=list(GRADES.items()), widget=forms.RadioSelect)
    comment = forms.CharField(label="评价意见", max_length=COMMENT_MAX, required=False)


_YES_NO = [("1", "是"), ("0", "否")]


class FollowUpForm(StyledFormMixin, forms.Form):
    """What a follow-up call (回访) found; the limits are kernel.followups'."""

    called = forms.TypedChoiceField(label="已拨打电话", choices=_YES_NO, coerce=lambda v: v == "1", widget=forms.RadioSelect)
    reached = forms.TypedChoiceField(label="已接通", choices=_YES_NO, coerce=lambda v: v == "1", widget=forms.RadioSelect)
    words = forms.CharField(label="群众意见", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    resolved = forms.TypedChoiceField(label="群众确认问题已解决(办结确认回访填写)", choices=[("", "不适用"), *_YES_NO], required=False,
                                      coerce=lambda v: v == "1", empty_value=None)
    note = forms.CharField(label="理由", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="重新办理或结束差评、抽样回访时必填")


class ConfirmForm(forms.Form):
    resolved = forms.TypedChoiceField(choices=_YES_NO, coerce=lambda v: v == "1")


class NoticeForm(StyledFormMixin, forms.Form):
    level = forms.ChoiceField(label="督办级别", choices=[("yellow", "黄牌督办"), ("red", "红牌督办")])
    text = forms.CharField(label="督办要求", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class CitizenReportForm(StyledFormMixin, forms.Form):
    """The public report form (events.portal): no account, the village instead of a jurisdiction."""

    village = forms.ModelChoiceField(label="事发村(社区)", queryset=None, empty_label="请选择")
    category = forms.ModelChoiceField(label="问题类别", queryset=Category.objects.filter(is_active=True).select_related("parent").order_by("sort_order", "code"), empty_label="请选择")
    description = forms.CharField(label="问题描述", max_length=portal.DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 4, "placeholder": "发生了什么，在什么位置，影响如何"}))
    address = forms.CharField(label="具体地点(可选)", max_length=ADDRESS_MAX, required=False, widget=forms.TextInput(attrs={"placeholder": "如：村委会东侧路口"}))
    lng = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    photos = PhotosField(label=f"现场照片(可选，最多{portal.PHOTOS_MAX}张)", required=False)  # the count is portal's rule
    name = forms.CharField(label="您的称呼(可选)", max_length=portal.NAME_MAX, required=False)
    phone = forms.CharField(label="手机号码", max_length=20, help_text="仅用于工作人员联系您，页面和记录中只显示部分号码")
    website = forms.CharField(required=False, widget=forms.HiddenInput)  # left empty by people; bots fill it

    def __init__(self, *args, villages=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.fields["village"].label_from_instance = lambda area: f"{area.parent.name} · {area.name}"
        self.fields["category"].label_from_instance = lambda category: category.label


class TrackForm(StyledFormMixin, forms.Form):
    number = forms.CharField(label="事件编号", max_length=40, widget=forms.TextInput(attrs={"placeholder": "如：柳湾事〔2026〕第12号"}))
    code = forms.CharField(label="查询码", max_length=16, widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}))
