"""Shapes of the hall's pages' input (types, lengths, choices read for the user); the rules are
the actions' (window/actions/hall.py): a form that parses still answers with the action's
Chinese message on the field it names."""

from django import forms

from zhenjie.workbench.forms import StyledFormMixin

from .actions.hall import NAME_MAX
from .models import OpeningHours

STRETCHES_PER_DAY = 4  # morning, lunch-time (错时), afternoon, evening (错时)
TIME = {"widget": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}


def posted(request):
    """The data to bind: a POST's, even an empty one (a weekday with no stretches is closed)."""
    return request.POST if request.method == "POST" else None


def _item_choices(items) -> list[tuple[str, str]]:
    return [(item.code, f"{item.code} {item.name}") for item in items]


class CounterForm(StyledFormMixin, forms.Form):
    number = forms.IntegerField(label="窗口号", min_value=1, max_value=99)
    name = forms.CharField(label="窗口名称", max_length=NAME_MAX)
    item_codes = forms.MultipleChoiceField(label="办理事项", required=False, widget=forms.CheckboxSelectMultiple,
                                           help_text="不选即办理全部事项")
    clerk = forms.ModelChoiceField(label="窗口人员", queryset=None, required=False)
    alternate = forms.ModelChoiceField(label="AB岗人员", queryset=None, required=False, help_text="窗口人员请假、出差时由其叫号")
    is_active = forms.BooleanField(label="启用", required=False, initial=True)

    def __init__(self, *args, items, clerks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item_codes"].choices = _item_choices(items)
        for name in ("clerk", "alternate"):
            self.fields[name].queryset = clerks
            self.fields[name].label_from_instance = lambda user: user.display_name


class SlotForm(StyledFormMixin, forms.Form):
    starts = forms.TimeField(label="开始", **TIME)
    ends = forms.TimeField(label="结束", **TIME)
    capacity = forms.IntegerField(label="每日可预约人数", min_value=1, max_value=999)
    item_codes = forms.MultipleChoiceField(label="预约事项", required=False, widget=forms.CheckboxSelectMultiple,
                                           help_text="不选即全部事项均可预约此时段")
    is_active = forms.BooleanField(label="启用", required=False, initial=True)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item_codes"].choices = _item_choices(items)


class DutyForm(StyledFormMixin, forms.Form):
    day = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    staff = forms.ModelChoiceField(label="值班人员", queryset=None)
    opens = forms.TimeField(label="开始", **TIME)
    closes = forms.TimeField(label="结束", **TIME)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff
        self.fields["staff"].label_from_instance = lambda user: user.display_name


class WeekdayHoursForm(StyledFormMixin, forms.Form):
    """A weekday's stretches as up to four rows; an empty row is none, all empty is closed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(STRETCHES_PER_DAY):
            self.fields[f"opens_{i}"] = forms.TimeField(label=f"时段{i + 1} 开始", required=False, **TIME)
            self.fields[f"closes_{i}"] = forms.TimeField(label=f"时段{i + 1} 结束", required=False, **TIME)
            self.fields[f"staggered_{i}"] = forms.BooleanField(label=f"时段{i + 1} 为错时服务", required=False)

    @staticmethod
    def initial_of(rows: list[OpeningHours]) -> dict:
        initial = {}
        for i, row in enumerate(rows[:STRETCHES_PER_DAY]):
            initial |= {f"opens_{i}": row.opens, f"closes_{i}": row.closes, f"staggered_{i}": row.staggered}
        return initial

    def clean(self):
        data = super().clean()
        for i in range(STRETCHES_PER_DAY):
            if (data.get(f"opens_{i}") is None) != (data.get(f"closes_{i}") is None):
                self.add_error(f"closes_{i}", "请同时填写开始和结束时间，或都不填")
        return data

    def stretches(self) -> list[tuple]:
        d = self.cleaned_data
        return [(d[f"opens_{i}"], d[f"closes_{i}"], d[f"staggered_{i}"]) for i in range(STRETCHES_PER_DAY) if d.get(f"opens_{i}")]


class ScreenLinkForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label="名称", max_length=NAME_MAX, help_text="如：一楼大厅电视")


class BookingForm(StyledFormMixin, forms.Form):
    """A booking: the citizen's own (online) or a caller's (taken by a clerk on the phone)."""

    item_code = forms.ChoiceField(label="办理事项")
    day = forms.DateField(label="预约日期", widget=forms.DateInput(attrs={"type": "date"}))
    slot = forms.ModelChoiceField(label="时段", queryset=None)
    person_name = forms.CharField(label="预约人姓名", max_length=NAME_MAX)
    phone = forms.CharField(label="手机号码", max_length=20, help_text="签到时在取号机输入此号码")

    def __init__(self, *args, items, slots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item_code"].choices = _item_choices(items)
        self.fields["slot"].queryset = slots
        self.fields["slot"].label_from_instance = lambda slot: f"{slot}（每日{slot.capacity}人）"


class KioskCheckInForm(forms.Form):
    phone = forms.CharField(label="预约手机号", max_length=20)
