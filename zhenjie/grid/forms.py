"""Shapes of the grid pages' input (types, lengths, choices). The rules are in actions/."""

from django import forms

from zhenjie.workbench import offline
from zhenjie.workbench.forms import StyledFormMixin

from .actions.ledger import FINDINGS_MAX
from .actions.patrols import DESCRIPTION_MAX, SUMMARY_MAX
from .models import Building, Organisation, Referral, Resident, Visit
from .populations import LEDGERS, Kind
from .workflow import NEED_MAX

ID_HELP = "18位，末位可为X；系统只保存加密后的号码，列表中仅显示部分号码"


class GridChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, grid):
        return f"{grid.parent.name} · {grid.name}" if grid.parent_id else grid.name


class _GridFormMixin:
    """A form whose first field picks one of the grids the person may record in."""

    def set_grids(self, grids, fixed=None):
        self.fields["grid"].queryset = grids
        if fixed is not None:
            self.fields["grid"].initial = fixed.pk


class ResidentForm(_GridFormMixin, StyledFormMixin, forms.Form):
    grid = GridChoiceField(label="所属网格", queryset=None, empty_label="请选择")
    name = forms.CharField(label="姓名", max_length=32)
    id_number = forms.CharField(label="身份证号", max_length=24, help_text=ID_HELP, widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}))
    phone = forms.CharField(label="手机号", max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    residence_kind = forms.ChoiceField(label="人口类型", choices=Resident.ResidenceKind.choices)
    building = forms.ModelChoiceField(label="居住房屋", queryset=Building.objects.none(), required=False, empty_label="(不选择，填写地址)")
    address = forms.CharField(label="居住地址", max_length=120, required=False)
    notes = forms.CharField(label="备注", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def for_update(self, resident):
        """Editing: the grid stays; the stored ID number and phone are never put back in the form."""
        del self.fields["grid"]
        self.fields["id_number"].required = False
        self.fields["id_number"].help_text = f"当前：{resident.id_number_masked}。留空则不修改"
        self.fields["phone"].help_text = f"当前：{resident.phone_masked}。留空则不修改" if resident.phone_masked else "选填"
        return self


class DepartureForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(label="变动类型", choices=[(Resident.Status.MOVED_OUT, "迁出"), (Resident.Status.DECEASED, "死亡")])
    left_on = forms.DateField(label="变动日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="说明", max_length=200, required=False)


class BuildingForm(_GridFormMixin, StyledFormMixin, forms.Form):
    grid = GridChoiceField(label="所属网格", queryset=None, empty_label="请选择")
    address = forms.CharField(label="门牌地址", max_length=120)
    kind = forms.ChoiceField(label="房屋类型", choices=Building.BuildingKind.choices)
    use = forms.ChoiceField(label="使用情况", choices=Building.Use.choices)
    floors = forms.IntegerField(label="层数", min_value=1, max_value=200, initial=1)
    safety = forms.ChoiceField(label="安全状况", choices=Building.Safety.choices)
    owner_name = forms.CharField(label="产权人", max_length=32, required=False)
    owner_phone = forms.CharField(label="产权人电话", max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    lng = forms.FloatField(label="经度", required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(label="纬度", required=False, min_value=-90, max_value=90)
    notes = forms.CharField(label="备注", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def for_update(self, building):
        del self.fields["grid"]
        self.fields["owner_phone"].help_text = f"当前：{building.owner_phone_masked}。留空则不修改" if building.owner_phone_masked else "选填"
        return self


class OrganisationForm(_GridFormMixin, StyledFormMixin, forms.Form):
    grid = GridChoiceField(label="所属网格", queryset=None, empty_label="请选择")
    name = forms.CharField(label="名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=Organisation.OrganisationKind.choices)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=24, required=False, help_text="18位；个体工商户、村(居)委等如无可不填")
    address = forms.CharField(label="地址", max_length=120, required=False)
    contact_name = forms.CharField(label="负责人", max_length=32, required=False)
    contact_phone = forms.CharField(label="负责人电话", max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    employees = forms.IntegerField(label="从业人数", min_value=0, max_value=1_000_000, required=False)
    is_key_site = forms.BooleanField(label="重点场所(人员密集、易燃易爆等)", required=False)
    status = forms.ChoiceField(label="状态", choices=Organisation.Status.choices)
    notes = forms.CharField(label="备注", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def for_update(self, organisation):
        del self.fields["grid"]
        self.fields["contact_phone"].help_text = f"当前：{organisation.contact_phone_masked}。留空则不修改" if organisation.contact_phone_masked else "选填"
        return self


class KeyPersonForm(StyledFormMixin, forms.Form):
    """The common ledger columns plus the kind's own (named p_<key>)."""

    kind = forms.ChoiceField(label="人群类别", choices=Kind.choices)
    since = forms.DateField(label="纳入日期", widget=forms.DateInput(attrs={"type": "date"}), required=False)
    contact_name = forms.CharField(label="联系人/监护人", max_length=32, required=False)
    contact_relation = forms.CharField(label="与本人关系", max_length=16, required=False)
    contact_phone = forms.CharField(label="联系人电话", max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    notes = forms.CharField(label="备注", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, kind: str | None = None, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = person.kind if person else kind
        if person is not None:
            del self.fields["kind"]
            del self.fields["since"]
            self.fields["contact_phone"].help_text = f"当前：{person.contact_phone_masked}。留空则不修改" if person.contact_phone_masked else "选填"
        if self.kind in LEDGERS:
            ledger = LEDGERS[self.kind]
            self.fields["contact_name"].label = ledger.contact_label
            self.fields["contact_phone"].label = f"{ledger.contact_label}电话"
            for spec in ledger.fields:
                if spec.type == "int":
                    field = forms.IntegerField(label=spec.label, min_value=spec.minimum, max_value=spec.maximum, required=False)
                elif spec.type == "choice":
                    field = forms.ChoiceField(label=spec.label, choices=[("", "请选择")] + [(c, c) for c in spec.choices], required=False)
                else:
                    field = forms.CharField(label=spec.label, max_length=spec.max_length, required=False)
                field.widget.attrs["class"] = "form-select" if spec.type == "choice" else "form-control"
                self.fields[f"p_{spec.key}"] = field
                if person is not None and spec.key in person.particulars:
                    self.initial[f"p_{spec.key}"] = person.particulars[spec.key]

    def particulars(self) -> dict:
        return {name[2:]: value for name, value in self.cleaned_data.items() if name.startswith("p_") and value not in (None, "")}

    def contact(self) -> dict:
        return {key: self.cleaned_data[key] for key in ("contact_name", "contact_relation", "contact_phone")}

    def add_action_error(self, error):
        error.fields = {f"p_{name}" if f"p_{name}" in self.fields else name: message for name, message in error.fields.items()}
        super().add_action_error(error)


class EndKeyPersonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="退出原因", max_length=200)
    ended_on = forms.DateField(label="退出日期", widget=forms.DateInput(attrs={"type": "date"}), required=False)


class PhotoInput(forms.ClearableFileInput):
    """Opens the phone's camera (rear) directly; on a computer it is an ordinary file picker."""

    def __init__(self):
        super().__init__(attrs={"accept": "image/*", "capture": "environment"})


class VisitForm(StyledFormMixin, forms.Form):
    situation = forms.ChoiceField(label="走访结论", choices=Visit.Situation.choices, widget=forms.RadioSelect, initial=Visit.Situation.NORMAL)
    findings = forms.CharField(label="走访情况", max_length=FINDINGS_MAX, widget=forms.Textarea(attrs={"rows": 4, "placeholder": "身体、生活、就学、监护、补贴落实等情况，有何困难和诉求"}))
    photo = forms.FileField(label="现场照片", required=False, widget=PhotoInput())
    visited_at = forms.DateTimeField(label="走访时间", required=False, help_text="不填则为现在", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    lng = forms.FloatField(required=False, widget=forms.HiddenInput())
    lat = forms.FloatField(required=False, widget=forms.HiddenInput())
    client_key = offline.key_field()  # the phone's key for this filled-in form (kernel.submits)
    # 需要帮扶: what is needed and which unit takes it (the action checks them; shown by the page
    # only when that conclusion is picked, and read only then).
    need = forms.ChoiceField(label="帮扶需求类别", choices=[("", "请选择"), *Referral.Need.choices], required=False)
    need_description = forms.CharField(
        label="需求说明", required=False, widget=forms.Textarea(attrs={"rows": 3, "maxlength": NEED_MAX, "placeholder": "困难情况、诉求，转介后请承办单位办理的事项"})
    )
    need_unit = forms.ModelChoiceField(label="转介承办单位", queryset=None, required=False, empty_label="请选择")

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need_unit"].queryset = units


class LeadForm(StyledFormMixin, forms.Form):
    worker = forms.ModelChoiceField(label="责任网格员", queryset=None, empty_label="请选择网格员")
    expected_lead = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput())
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, workers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers
        self.fields["worker"].label_from_instance = lambda user: f"{user.display_name}({user.username})"


class HelperForm(StyledFormMixin, forms.Form):
    worker = forms.ModelChoiceField(label="协助网格员", queryset=None, empty_label="请选择网格员")

    def __init__(self, *args, workers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers
        self.fields["worker"].label_from_instance = lambda user: f"{user.display_name}({user.username})"


class RuleForm(StyledFormMixin, forms.Form):
    visit_interval_days = forms.IntegerField(label="走访周期(天)", min_value=1, max_value=366)
    min_age = forms.IntegerField(label="最低年龄", min_value=0, max_value=150, required=False)
    max_age = forms.IntegerField(label="最高年龄", min_value=0, max_value=150, required=False)


class PatrolStartForm(StyledFormMixin, forms.Form):
    grid = GridChoiceField(label="巡查网格", queryset=None, empty_label=None)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput())
    lat = forms.FloatField(required=False, widget=forms.HiddenInput())


class FindingForm(StyledFormMixin, forms.Form):
    description = forms.CharField(label="发现情况", max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    needs_handling = forms.BooleanField(label="需要处置(将上报为事件)", required=False)
    photo = forms.FileField(label="照片", required=False, widget=PhotoInput())
    lng = forms.FloatField(required=False, widget=forms.HiddenInput())
    lat = forms.FloatField(required=False, widget=forms.HiddenInput())


class StopForm(StyledFormMixin, forms.Form):
    summary = forms.CharField(label="巡查情况", max_length=SUMMARY_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2, "placeholder": "如：网格内巡查一遍，未发现异常"}))
