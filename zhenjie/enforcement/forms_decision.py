"""Shapes of the review and decision pages' input (types, lengths, choices read for the user and
the case); the rules are the actions' (actions/decision.py, benchmarks.py). Amounts come as text
so the action, not the form, says what is wrong with them, as it does over the API."""

from django import forms

from zhenjie.accounts.models import User
from zhenjie.areas.paths import county_path, township_path
from zhenjie.workbench.forms import StyledFormMixin

from . import benchmarks
from .actions.decision import SUMMARY_KINDS, TEXT_MAX
from .models import DiscretionBenchmark, PenaltyKind
from .workflow import CODE_MAX

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
AMOUNT = forms.TextInput(attrs={"inputmode": "decimal"})


class BenchmarkForm(StyledFormMixin, forms.Form):
    power_code = forms.CharField(label="权责事项编码", max_length=benchmarks.CODE_MAX)
    circumstance = forms.CharField(
        label="情节", max_length=benchmarks.CIRCUMSTANCE_MAX, help_text="如 从轻、一般、从重，或具体情形"
    )
    fine_min = forms.CharField(label="罚款下限(元)", max_length=20, widget=AMOUNT)
    fine_max = forms.CharField(label="罚款上限(元)", max_length=20, widget=AMOUNT)
    other_penalties = forms.CharField(
        label="其他处罚种类", max_length=benchmarks.OTHER_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    source_document = forms.CharField(label="制定依据(文件)", max_length=benchmarks.SOURCE_MAX)


class DecisionForm(StyledFormMixin, forms.Form):
    kinds = forms.MultipleChoiceField(label="处罚种类", choices=PenaltyKind.choices, widget=forms.CheckboxSelectMultiple)
    fine_amount = forms.CharField(label="罚款金额(元)", max_length=20, required=False, widget=AMOUNT)
    confiscation = forms.CharField(
        label="没收财物或违法所得", max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    benchmark_id = forms.TypedChoiceField(label="适用裁量基准", coerce=int, required=False, empty_value=None)
    reasons = forms.CharField(label="处罚理由", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, enforcement=None, **kwargs):
        super().__init__(*args, **kwargs)
        rows = DiscretionBenchmark.objects.none()
        if enforcement is not None:
            rows = DiscretionBenchmark.objects.filter(
                county__path=county_path(enforcement.case.area.path), power_code=enforcement.power_code
            )
        choices = [(b.pk, f"{b.circumstance}：{b.fine_min}元至{b.fine_max}元") for b in rows.order_by("fine_min", "pk")]
        self.fields["benchmark_id"].choices = [("", "本县未制定该事项裁量基准" if not choices else "请选择"), *choices]


class SummaryDecisionForm(StyledFormMixin, forms.Form):
    power_code = forms.CharField(label="权责事项编码", max_length=CODE_MAX)
    kinds = forms.MultipleChoiceField(label="处罚种类", choices=[(k, PenaltyKind(k).label) for k in SUMMARY_KINDS], widget=forms.CheckboxSelectMultiple,
                                      help_text="当场处罚限警告或罚款：公民200元以下，法人或者其他组织3000元以下(《行政处罚法》第五十一条)")  # fmt: skip
    fine_amount = forms.CharField(label="罚款金额(元)", max_length=20, required=False, widget=AMOUNT)
    reasons = forms.CharField(label="处罚理由", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))


class MeetingForm(StyledFormMixin, forms.Form):
    held_on = forms.DateField(label="会议日期", widget=DATE)
    attendee_ids = forms.TypedMultipleChoiceField(label="参会人员", coerce=int, widget=forms.CheckboxSelectMultiple,
                                                  help_text="须包括本乡镇(街道)全体负责人(《行政处罚法》第五十七条)")  # fmt: skip
    minutes = forms.CharField(label="会议纪要", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    conclusion = forms.CharField(label="讨论结论", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))
    departure_reason = forms.CharField(label="偏离裁量基准的理由", max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                       help_text="罚款超出裁量基准幅度的，须写明理由")  # fmt: skip

    def __init__(self, *args, enforcement=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = User.objects.none()
        if enforcement is not None:
            path = township_path(enforcement.case.area.path)
            people = User.objects.filter(
                is_active=True, posts__is_active=True, posts__jurisdiction__path__startswith=path
            ).distinct()
        self.fields["attendee_ids"].choices = [(p.pk, p.display_name) for p in people.order_by("full_name", "pk")[:200]]


class ExtensionDecisionForm(StyledFormMixin, forms.Form):
    # Yes or no, both sayable (the kit's checkbox could only say yes).
    approve = forms.TypedChoiceField(label="审批", choices=[("yes", "批准"), ("no", "不批准")], coerce=lambda v: v == "yes",
                                     widget=forms.RadioSelect)  # fmt: skip
    note = forms.CharField(label="意见", max_length=500, required=False)
