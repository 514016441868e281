"""The shape of the service, execution and publicity forms on the case page; the rules are the
actions' (actions/execution.py, publicity.py). Dates are typed as dates; amounts as text, which
the action reads as yuan (kernel.inputs.money)."""

from django import forms

from zhenjie.workbench.forms import StyledFormMixin

from .models import ClosingOutcome, CourtResult, ServiceMethod

DATE = forms.DateInput(attrs={"type": "date"})


class _PanelForm(StyledFormMixin, forms.Form):
    """Several of these share the case page: each keeps its own element ids (a label must name its
    own field)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{type(self).__name__.lower()}_%s")
        super().__init__(*args, **kwargs)


class ConsentForm(_PanelForm):
    address = forms.CharField(label="电子送达地址(电子邮箱等)", max_length=200)
    consented_on = forms.DateField(label="确认书签订日期", widget=DATE)


class ServeForm(_PanelForm):
    method = forms.ChoiceField(label="送达方式", choices=ServiceMethod.choices)
    served_on = forms.DateField(label="送达日期", widget=DATE)
    received_by = forms.CharField(label="签收人(留置送达填见证人)", max_length=60, required=False)
    tracking_number = forms.CharField(label="邮件单号(邮寄送达)", max_length=64, required=False)


class PaymentForm(_PanelForm):
    amount = forms.CharField(label="缴款金额(元)", max_length=20)
    paid_on = forms.DateField(label="缴款日期", widget=DATE)
    reference = forms.CharField(label="缴款凭证号/银行流水号", max_length=64)


class PlanForm(_PanelForm):
    schedule = forms.CharField(label="缴纳计划", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                               help_text="每行一期：缴纳日期 金额，如 2026-06-30 1000；暂缓缴纳只写一行")  # fmt: skip
    reason = forms.CharField(label="理由(当事人的申请和经济困难情况)", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ReminderForm(_PanelForm):
    method = forms.ChoiceField(label="送达方式", choices=ServiceMethod.choices)
    served_on = forms.DateField(label="催告书送达日期", widget=DATE)
    pay_by = forms.DateField(label="履行期限", widget=DATE, required=False, help_text="不填为送达后十日；不能少于十日(《行政强制法》第五十四条)")


class ReminderStatementForm(_PanelForm):
    reminder = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    statement = forms.CharField(label="当事人陈述、申辩", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    answer = forms.CharField(label="复核意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class CourtForm(_PanelForm):
    applied_on = forms.DateField(label="申请日期", widget=DATE)
    court = forms.CharField(label="受理法院", max_length=100)
    note = forms.CharField(label="说明", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CourtResultForm(_PanelForm):
    application = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    result = forms.ChoiceField(label="法院裁定结果", choices=[c for c in CourtResult.choices if c[0] != CourtResult.PENDING])
    result_on = forms.DateField(label="裁定(执行)日期", widget=DATE)
    note = forms.CharField(label="说明", max_length=2000, required=False)


class CloseForm(_PanelForm):
    outcome = forms.ChoiceField(label="结案情形", choices=ClosingOutcome.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label="结案说明", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="其他情形结案须写明理由")  # fmt: skip


class ImpactForm(_PanelForm):
    social_impact = forms.TypedChoiceField(label="是否具有一定社会影响", choices=[("yes", "是，应予公示"), ("no", "否，不予公示")],
                                           coerce=lambda v: v == "yes", widget=forms.RadioSelect)  # fmt: skip
    reason = forms.CharField(label="不予公示理由", max_length=200, required=False)


class PublishForm(_PanelForm):
    pass


class WithdrawForm(_PanelForm):
    changed_on = forms.DateField(label="决定变更(撤销)日期", widget=DATE)
    reason = forms.CharField(label="撤回理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class PolicyForm(_PanelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    publish_within_days = forms.IntegerField(
        label="处罚决定公示时限(工作日)",
        help_text="作出处罚决定之日起，具有一定社会影响的决定在该期限内公示(1至20；国办发〔2018〕118号为7个工作日)",
    )
    payment_days = forms.IntegerField(
        label="罚款缴纳期限(日)", help_text="自收到处罚决定书之日起(15至60；《行政处罚法》第六十七条为十五日)"
    )
    certificate_expiring_days = forms.IntegerField(
        label="执法证到期提醒(天)", help_text="有效期不足该天数的执法证显示为“即将到期”(1至180)"
    )
    extension_max_days = forms.IntegerField(
        label="办案期限延长上限(日)",
        help_text="立案之日起90日的办案期限经机关负责人批准累计最多可延长的天数(0至90；《行政处罚法》第六十条)",
    )
    transfer_acknowledge_days = forms.IntegerField(
        label="案件移送签收时限(工作日)",
        help_text="县直部门签收乡镇移送、乡镇签收部门移送的时限(1至30)；法律未规定具体天数，由本县确定",
    )
