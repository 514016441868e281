"""The shape of the transfer and joint-operation pages' input; the rules are the actions'
(actions/transfers.py, actions/joint.py)."""

from django import forms

from django.utils import timezone

from zhenjie.areas.paths import county_of, county_path
from zhenjie.lists import queries as lists
from zhenjie.kernel.workflow import REASON_MAX
from zhenjie.units.models import Unit
from zhenjie.workbench.forms import StyledFormMixin


def county_departments(area):
    """The active departments of the area's county: any of them may receive a transfer."""
    return Unit.objects.filter(kind=Unit.Kind.DEPARTMENT, is_active=True, area__path=county_path(area.path)).order_by("name")


def transfer_holder(enforcement, code: str):
    """The department holding the power `code` in the team's county today (lists.queries.holder_of), or None."""
    holder = lists.holder_of(county_of(enforcement.team.area), code, timezone.localdate()) if code else None
    return holder.implementing_unit if holder else None


class TransferForm(StyledFormMixin, forms.Form):
    department = forms.ModelChoiceField(
        label="接收部门", queryset=Unit.objects.none(), help_text="本县县直部门；立案审查时提示的实施部门已预选"
    )
    reason = forms.CharField(label="移送理由", max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, enforcement=None, **kwargs):
        super().__init__(*args, **kwargs)
        if enforcement is not None:
            self.fields["department"].queryset = county_departments(enforcement.team.area)


class IncomingForm(StyledFormMixin, forms.Form):
    """A county department's transfer to a township's team."""

    township = forms.ModelChoiceField(label="接收乡镇(街道)", queryset=None)
    title = forms.CharField(label="案由", max_length=200)
    place = forms.CharField(label="违法地点", max_length=200)
    occurred_on = forms.DateField(label="违法行为发生(终了)日期", widget=forms.DateInput(attrs={"type": "date"}))
    power_code = forms.CharField(
        label="权责事项编码", max_length=64, required=False, help_text="填写时须为该乡镇(街道)可行使的事项(本级权责清单或赋权)"
    )
    letter_number = forms.CharField(label="移送函文号", max_length=64, required=False)
    reason = forms.CharField(label="移送理由", max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    facts = forms.CharField(label="案情摘要", max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, county=None, **kwargs):
        super().__init__(*args, **kwargs)
        from zhenjie.areas.models import Area

        self.fields["township"].queryset = Area.objects.filter(
            level=Area.Level.TOWNSHIP, path__startswith=county.path if county else "-"
        ).order_by("code")
