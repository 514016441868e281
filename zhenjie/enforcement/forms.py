"""The shape of the enforcement pages' input; the rules are the actions' (actions/lifecycle.py)."""

from django import forms

from zhenjie.kernel.models import Party
from zhenjie.kernel.workflow import NUMBER_MAX
from zhenjie.workbench.forms import StyledFormMixin

from .actions.lifecycle import FACTS_MAX, LEAD_SOURCES
from .models import Source
from .workflow import CODE_MAX, REGISTER_INPUTS


class LeadForm(StyledFormMixin, forms.Form):
    source = forms.ChoiceField(label="案件来源", choices=[(s, Source(s).label) for s in LEAD_SOURCES])
    event = forms.CharField(label="事件编号", max_length=NUMBER_MAX, required=False, help_text="来源为「事件转来」时填写，如 甲镇事〔2026〕第12号")
    title = forms.CharField(label="案由", max_length=200)
    party_kind = forms.ChoiceField(label="当事人类型", choices=[("", "尚不明确"), *Party.Kind.choices], required=False)
    party_name = forms.CharField(label="当事人姓名或名称", max_length=100, required=False)
    id_number = forms.CharField(label="身份证号或统一社会信用代码", max_length=18, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    place = forms.CharField(label="违法地点", max_length=200)
    occurred_on = forms.DateField(label="违法行为发生(终了)日期", widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text="行为有连续或继续状态的，填写终了之日(《行政处罚法》第三十六条)")
    endangers_safety = forms.BooleanField(label=REGISTER_INPUTS[1].label, required=False, help_text=REGISTER_INPUTS[1].help)
    facts = forms.CharField(label="案情摘要", max_length=FACTS_MAX, widget=forms.Textarea(attrs={"rows": 5}))


class RegistrationForm(StyledFormMixin, forms.Form):
    power_code = forms.CharField(label="权责事项编码", max_length=CODE_MAX)
    endangers_safety = forms.BooleanField(label=REGISTER_INPUTS[1].label, required=False, help_text=REGISTER_INPUTS[1].help)
