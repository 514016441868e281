"""The shape of what staff pages post. Rules stay in the actions: an item form is built from the
list's layout, and its values go to the same parser the Excel import uses."""

from django import forms

from zhenjie.areas.models import Area
from zhenjie.units.models import Unit
from zhenjie.workbench.forms import StyledFormMixin

from .actions.delegations import TITLE_MAX
from .actions.versions import NAME_MAX, NOTE_MAX
from .layouts import TEXT_MAX, Layout
from .models import Delegation, ListKind

YES_NO = [("是", "是"), ("否", "否")]


class ItemForm(StyledFormMixin, forms.Form):
    def __init__(self, *args, layout: Layout, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        unit_choices = [("", "请选择")] + [(u.name, u.name) for u in units]
        for column in layout.columns:
            required = column.required and column.kind != "bool"
            if column.kind == "int":
                field = forms.IntegerField(min_value=column.min_value, max_value=column.max_value)
            elif column.kind == "bool":
                field = forms.ChoiceField(choices=YES_NO)
            elif column.kind == "choice":
                field = forms.ChoiceField(choices=[("", "请选择")] + list(column.choices.choices))
            elif column.kind == "unit":
                field = forms.ChoiceField(choices=unit_choices)
            elif column.kind in ("longtext", "lines"):
                field = forms.CharField(max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}), strip=True)
            else:
                field = forms.CharField(max_length=column.max_length if column.kind != "codes" else 400)
            field.required = required
            field.label = column.header
            field.help_text = column.hint
            self.fields[column.field] = field
        if layout.has_materials:
            self.fields["materials"] = forms.CharField(
                label="申请材料", required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5}),
                help_text="每行一项：材料名称 | 原件/复印件/原件和复印件 | 份数 | 必需/容缺 | 备注(可省略)",
            )
        # The styling mixin ran before these fields existed.
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = (field.widget.attrs.get("class", "") + " " + css).strip()


class NewListForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label="清单类型", choices=ListKind.choices)
    name = forms.CharField(label="清单名称", max_length=NAME_MAX)
    area = forms.ModelChoiceField(label="适用区划", queryset=Area.objects.none(), empty_label="请选择")

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas if areas is not None else Area.objects.none()


class PublishForm(StyledFormMixin, forms.Form):
    effective_from = forms.DateField(label="生效日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(label="修订说明", max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label="Excel文件(.xlsx)")


class BatchForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label="批次名称", max_length=TITLE_MAX)
    document_number = forms.CharField(label="文号", max_length=64, required=False)


class PolicyForm(StyledFormMixin, forms.Form):
    min_trained_staff = forms.IntegerField(label="承接机构最少经培训人员数", min_value=1, max_value=50)


class ProposeForm(StyledFormMixin, forms.Form):
    department = forms.ModelChoiceField(label="原实施部门", queryset=Unit.objects.none(), empty_label="请选择")
    power_code = forms.CharField(label="权责事项编码", max_length=64, help_text="该部门在县级权责清单中的事项编码")
    scope = forms.ChoiceField(label="赋权范围", choices=Delegation.Scope.choices)
    townships = forms.ModelMultipleChoiceField(label="承接乡镇(街道)", queryset=Area.objects.none(), required=False, widget=forms.CheckboxSelectMultiple, help_text="赋权范围为「部分乡镇(街道)」时选择")
    effective_from = forms.DateField(label="施行日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(label="说明", max_length=500, required=False)

    def __init__(self, *args, departments=None, townships=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments if departments is not None else Unit.objects.none()
        self.fields["townships"].queryset = townships if townships is not None else Area.objects.none()


class AssessForm(StyledFormMixin, forms.Form):
    receiving_unit = forms.ModelChoiceField(label="承接机构", queryset=Unit.objects.none(), empty_label="请选择")
    trained_staff = forms.IntegerField(label="经培训人员数", min_value=0, max_value=999)
    assessment = forms.CharField(label="评估意见", max_length=300, required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receiving_unit"].queryset = units if units is not None else Unit.objects.none()


class WithdrawForm(StyledFormMixin, forms.Form):
    on = forms.DateField(label="收回日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(label="收回理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class AdjustForm(StyledFormMixin, forms.Form):
    on = forms.DateField(label="调整生效日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    remove = forms.ModelMultipleChoiceField(label="不再承接的乡镇(街道)", queryset=Area.objects.none(), required=False, widget=forms.CheckboxSelectMultiple)
    add_township = forms.ModelChoiceField(label="新增承接乡镇(街道)", queryset=Area.objects.none(), required=False, empty_label="不新增")
    add_unit = forms.ModelChoiceField(label="新增乡镇的承接机构", queryset=Unit.objects.none(), required=False, empty_label="请选择")
    add_staff = forms.IntegerField(label="新增乡镇的经培训人员数", min_value=0, max_value=999, required=False)
    note = forms.CharField(label="调整说明", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, current=None, others=None, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remove"].queryset = current if current is not None else Area.objects.none()
        self.fields["add_township"].queryset = others if others is not None else Area.objects.none()
        self.fields["add_unit"].queryset = units if units is not None else Unit.objects.none()


class ExerciseForm(StyledFormMixin, forms.Form):
    unit = forms.ModelChoiceField(label="机构", queryset=Unit.objects.none(), empty_label="请选择")
    power_code = forms.CharField(label="权责事项编码", max_length=64)
    on = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()


class RouteForm(StyledFormMixin, forms.Form):
    category = forms.RegexField(label="事件类别代码", regex=r"^[a-z][a-z0-9_]{1,31}$", max_length=32, error_messages={"invalid": "类别代码为小写字母、数字和下划线"})
    area = forms.ModelChoiceField(label="发生地", queryset=Area.objects.none(), empty_label="请选择")
    on = forms.DateField(label="日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas if areas is not None else Area.objects.none()
