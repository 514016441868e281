"""The shape of part 3's page input (notice, statements, waiver, hearing); the rules are the
actions' (actions/hearing.py). Each form takes (data, files, user, record) as the kit's Step asks."""

from django import forms

from zhenjie.accounts.models import User
from zhenjie.workbench.forms import StyledFormMixin

from .actions.hearing import CONTENT_MAX, DETAILS_MAX, FACTS_MAX, PLACE_MAX, hearing_hosts
from .models import HearingOutcome, PenaltyKind, StatementChannel

MOMENT = {"type": "datetime-local"}
AMOUNT = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


class NoticeForm(StyledFormMixin, forms.Form):
    penalty_kinds = forms.MultipleChoiceField(label="拟处罚种类(《行政处罚法》第九条)", choices=PenaltyKind.choices,
                                              widget=forms.CheckboxSelectMultiple)  # fmt: skip
    fine_amount = forms.DecimalField(label="罚款金额(元)", required=False, **AMOUNT)
    confiscation_value = forms.DecimalField(label="没收金额或价值(元)", required=False, **AMOUNT)
    details = forms.CharField(label="处罚内容说明", max_length=DETAILS_MAX, required=False,
                              help_text="如没收物品清单、吊销的证件、停产停业期限")  # fmt: skip
    facts = forms.CharField(label="违法事实", max_length=FACTS_MAX, widget=forms.Textarea(attrs={"rows": 4}))
    heavier = forms.BooleanField(label="其他较重的行政处罚，告知听证权利(第六十三条第一款第五项)", required=False)

    def __init__(self, data=None, files=None, user=None, record=None):
        super().__init__(data, initial={"facts": record.facts} if record is not None else None)


class StatementForm(StyledFormMixin, forms.Form):
    channel = forms.ChoiceField(label="方式", choices=StatementChannel.choices)
    made_at = forms.DateTimeField(
        label="陈述申辩时间", required=False, help_text="不填则为现在", widget=forms.DateTimeInput(attrs=MOMENT)
    )
    content = forms.CharField(label="陈述申辩内容", max_length=CONTENT_MAX, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, data=None, files=None, user=None, record=None):
        super().__init__(data)


class AnswerForm(StyledFormMixin, forms.Form):
    statement = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    adopted = forms.TypedChoiceField(label="复核结论", choices=[("yes", "采纳"), ("no", "不采纳")], coerce=lambda v: v == "yes",
                                     widget=forms.RadioSelect)  # fmt: skip
    answer = forms.CharField(label="复核意见(理由)", max_length=CONTENT_MAX, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, data=None, files=None, user=None, record=None, statement=None):
        super().__init__(data, initial={"statement": statement} if statement else None)


class WaiverForm(StyledFormMixin, forms.Form):
    waiver = forms.CharField(label="书面放弃声明(内容摘要)", max_length=DETAILS_MAX, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="当事人签名的书面声明原件归入案卷")  # fmt: skip

    def __init__(self, data=None, files=None, user=None, record=None):
        super().__init__(data)


class HearingRequestForm(StyledFormMixin, forms.Form):
    channel = forms.ChoiceField(label="申请方式", choices=StatementChannel.choices)

    def __init__(self, data=None, files=None, user=None, record=None):
        super().__init__(data)


class ScheduleForm(StyledFormMixin, forms.Form):
    scheduled_at = forms.DateTimeField(label="听证时间", widget=forms.DateTimeInput(attrs=MOMENT),
                                       help_text="听证通知须在举行听证的七个工作日前送达")  # fmt: skip
    place = forms.CharField(label="听证地点", max_length=PLACE_MAX)
    presiding = forms.ModelChoiceField(label="听证主持人", queryset=None, help_text="非本案调查人员(《行政处罚法》第六十四条)")

    def __init__(self, data=None, files=None, user=None, record=None):
        super().__init__(data)
        self.fields["presiding"].queryset = hearing_hosts(record.case) if record is not None else User.objects.none()


class RecordHearingForm(StyledFormMixin, forms.Form):
    outcome = forms.ChoiceField(label="听证结果", choices=HearingOutcome.choices, widget=forms.RadioSelect)
    attendees = forms.CharField(label="参加人员", max_length=DETAILS_MAX, required=False)
    summary = forms.CharField(
        label="听证情况(笔录摘要)或情况说明", max_length=CONTENT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, data=None, files=None, user=None, record=None):
        super().__init__(data)
