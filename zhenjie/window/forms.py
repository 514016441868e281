"""The window's page forms. The intake form is made for one chosen guide item: a row of fields per
material of its guide (收取情况, 形式, 份数, 问题, 后补日期, 扫描件), so the checklist is always the
guide's, never typed free. Rules are the actions' (window/actions); the forms only read input."""

from django import forms

from zhenjie.kernel.models import Party
from zhenjie.lists.models import MaterialForm, MaterialRequirement
from zhenjie.workbench.forms import StyledFormMixin

from .actions.intake import COPIES_MAX, PROBLEM_MAX, MaterialIn, Scan
from .actions.notice import Supplied
from .models import Channel, MaterialStatus

NAME_MAX = 100  # kernel Party.name
PHONE_MAX = 20
ID_MAX = 18
STAFF_CHANNELS = [(Channel.WINDOW, Channel.WINDOW.label), (Channel.HOME_VISIT, Channel.HOME_VISIT.label)]


class ApplicantFields(forms.Form):
    applicant_kind = forms.ChoiceField(label="申请人类型", choices=Party.Kind.choices, initial=Party.Kind.PERSON, widget=forms.RadioSelect)
    applicant_name = forms.CharField(label="申请人姓名或单位名称", max_length=NAME_MAX)
    id_number = forms.CharField(label="公民身份号码或统一社会信用代码", max_length=ID_MAX, help_text="个人填18位身份证号码，单位填18位统一社会信用代码；保存后仅显示部分号码")
    phone = forms.CharField(label="联系电话", max_length=PHONE_MAX, widget=forms.TextInput(attrs={"inputmode": "tel"}))


class IntakeForm(StyledFormMixin, ApplicantFields):
    """收件登记 for one item; `channels` the ones the filer may use (empty: the agent point, fixed)."""

    channel = forms.ChoiceField(label="受理方式", choices=STAFF_CHANNELS, initial=Channel.WINDOW, widget=forms.RadioSelect)
    agent_name = forms.CharField(label="代办人姓名", max_length=NAME_MAX, required=False, help_text="亲属等代申请人前来办理的，填写代办人")
    agent_phone = forms.CharField(label="代办人电话", max_length=PHONE_MAX, required=False)
    client_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    delivery_point = forms.TypedChoiceField(label="领取地点", coerce=int, empty_value=None, required=False,
                                            help_text="申请人希望在村级代办点领取办理结果的，选择代办点")

    point = forms.TypedChoiceField(label="受理代办点", coerce=int, help_text="您在多个代办点任代办员：选择在哪个代办点受理，该点负责收件和出件")

    def __init__(self, *args, item, materials, agent_point=False, points=None, agent_points=None, **kwargs):
        """`points`: the agent points the result may be collected at (intake.delivery_points); None
        where there is no choice (filed at a point: collected there). `agent_points`: the points an
        agent serving several may file this item at (points.points_of); None with one point."""
        super().__init__(*args, **kwargs)
        self.item, self.materials = item, list(materials)
        if agent_point:
            del self.fields["channel"]
        if agent_points is None:
            del self.fields["point"]
        else:
            self.fields["point"].choices = [(p.pk, p.name) for p in agent_points]
        if points is None:
            del self.fields["delivery_point"]
        else:
            self.fields["delivery_point"].choices = [("", "受理窗口领取"), *((p.unit_id, f"{p.name}领取") for p in points)]
        statuses = MaterialStatus.choices
        for m in self.materials:
            allowed = statuses if m.requirement == MaterialRequirement.DEFERRABLE else [c for c in statuses if c[0] != MaterialStatus.DEFERRED]
            prefix = f"m{m.pk}_"
            self.fields[prefix + "status"] = forms.ChoiceField(label=f"{m.name}（{m.get_form_display()} {m.copies}份）", choices=allowed,
                                                               initial=MaterialStatus.RECEIVED)
            self.fields[prefix + "form"] = forms.ChoiceField(label="收取形式", choices=MaterialForm.choices, initial=m.form, required=False)
            self.fields[prefix + "copies"] = forms.IntegerField(label="份数", min_value=1, max_value=COPIES_MAX, initial=m.copies, required=False)
            self.fields[prefix + "problem"] = forms.CharField(label="存在问题", max_length=PROBLEM_MAX, required=False)
            if m.requirement == MaterialRequirement.DEFERRABLE:
                self.fields[prefix + "due_on"] = forms.DateField(label="后补日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
            self.fields[prefix + "scan"] = forms.FileField(label="扫描件", required=False)
        for name, field in self.fields.items():
            if name.startswith("m") and "_" in name:
                field.widget.attrs["class"] = field.widget.attrs.get("class", "") + " form-control-sm"

    def rows(self):
        """(material, its bound fields) for the checklist template."""
        return [(m, [self[f"m{m.pk}_{part}"] for part in ("status", "form", "copies", "problem", "due_on", "scan") if f"m{m.pk}_{part}" in self.fields])
                for m in self.materials]  # fmt: skip

    def applicant_fields(self):
        return [self[name] for name in ("applicant_kind", "applicant_name", "id_number", "phone", "agent_name", "agent_phone")]

    def filing_values(self) -> dict:
        data = self.cleaned_data
        materials, scans = {}, []
        for m in self.materials:
            p = f"m{m.pk}_"
            materials[m.pk] = MaterialIn(status=data[p + "status"], form=data.get(p + "form") or "", copies=data.get(p + "copies") or 0,
                                         problem=data.get(p + "problem") or "", due_on=data.get(p + "due_on"))
            if upload := data.get(p + "scan"):
                scans.append(Scan(material_id=m.pk, name=upload.name, content=upload.read()))
        return {
            "item_id": self.item.pk, "applicant_kind": data["applicant_kind"], "applicant_name": data["applicant_name"],
            "id_number": data["id_number"], "phone": data["phone"], "agent_name": data["agent_name"], "agent_phone": data["agent_phone"],
            "materials": materials, "scans": scans, "client_key": data.get("client_key"), "delivery_point": data.get("delivery_point"),
        }  # fmt: skip


class NoticeForm(StyledFormMixin, forms.Form):
    """一次性告知: what is wrong with each material; every material still missing or defective is
    filled in already and must stay (the action refuses a notice that leaves one out)."""

    def __init__(self, data=None, files=None, user=None, record=None):
        super().__init__(data, files)
        for m in record.materials.all():
            initial = m.problem if m.status in (MaterialStatus.MISSING, MaterialStatus.DEFECTIVE) else ""
            self.fields[f"p{m.pk}"] = forms.CharField(label=f"{m.name}（{m.get_status_display()}）", max_length=PROBLEM_MAX, required=False,
                                                     initial=initial, help_text="需补正的写明问题；齐全的留空")  # fmt: skip

    @staticmethod
    def problems_from(values: dict) -> dict[int, str]:
        """The cleaned fields as the action takes them: material id → what is wrong."""
        return {int(name[1:]): text for name, text in values.items() if name[1:].isdigit() and text.strip()}


class SupplementForm(StyledFormMixin, forms.Form):
    """补正: which of the last notice's materials the applicant brought, in what form."""

    def __init__(self, data=None, files=None, user=None, record=None):
        super().__init__(data, files)
        notice = max(record.notices.all(), key=lambda n: n.round, default=None)
        for item in notice.items.all() if notice else []:
            m = item.material
            self.fields[f"s{m.pk}"] = forms.BooleanField(label=f"已补正：{m.name}（{item.problem}）", required=False)
            self.fields[f"s{m.pk}_form"] = forms.ChoiceField(label="收取形式", choices=MaterialForm.choices, required=False)
            self.fields[f"s{m.pk}_copies"] = forms.IntegerField(label="份数", min_value=1, max_value=COPIES_MAX, initial=1, required=False)

    @staticmethod
    def supplied_from(data: dict) -> dict[int, Supplied]:
        """The cleaned fields as the action takes them: material id → how it was brought."""
        return {
            int(name[1:]): Supplied(form=data.get(f"{name}_form") or "", copies=data.get(f"{name}_copies") or 0)
            for name, value in data.items() if name.startswith("s") and name[1:].isdigit() and value
        }  # fmt: skip

