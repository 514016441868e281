from django import forms

from zhenjie.accounts.models import SecurityPolicy, User
from zhenjie.accounts.roles import RoleCode
from zhenjie.areas.models import Area, AreaChange
from zhenjie.kernel.models import CalendarDay
from zhenjie.units.models import Unit

from .forms import StyledFormMixin


class CalendarDayForm(StyledFormMixin, forms.Form):
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label="类型", choices=CalendarDay.Kind.choices)
    name = forms.CharField(label="名称", max_length=32, required=False, help_text="如：元旦、春节、国庆节调休上班")


class ConfirmYearForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2099)
    source = forms.CharField(label="依据", max_length=200, help_text="通知名称及文号，如：国务院办公厅关于2027年部分节假日安排的通知")


class PolicyForm(StyledFormMixin, forms.Form):
    """Shape only; the ranges are the action's rule (accounts.actions.update_policy)."""

    FIELDS = [
        "max_failed_logins", "address_failed_logins", "lockout_minutes", "idle_timeout_minutes", "session_max_hours",
        "token_lifetime_hours", "password_min_length", "password_min_classes", "password_max_age_days",
    ]

    max_failed_logins = forms.IntegerField(label=SecurityPolicy._meta.get_field("max_failed_logins").verbose_name)
    address_failed_logins = forms.IntegerField(
        label=SecurityPolicy._meta.get_field("address_failed_logins").verbose_name, help_text="防止从一个地址轮流尝试多个账号；应大于上一项"
    )
    lockout_minutes = forms.IntegerField(label=SecurityPolicy._meta.get_field("lockout_minutes").verbose_name)
    idle_timeout_minutes = forms.IntegerField(label=SecurityPolicy._meta.get_field("idle_timeout_minutes").verbose_name)
    session_max_hours = forms.IntegerField(
        label=SecurityPolicy._meta.get_field("session_max_hours").verbose_name, help_text="自登录起算，到时须重新登录，无论是否在操作"
    )
    token_lifetime_hours = forms.IntegerField(label=SecurityPolicy._meta.get_field("token_lifetime_hours").verbose_name)
    password_min_length = forms.IntegerField(label=SecurityPolicy._meta.get_field("password_min_length").verbose_name)
    password_min_classes = forms.IntegerField(
        label=SecurityPolicy._meta.get_field("password_min_classes").verbose_name, help_text="大写字母、小写字母、数字、符号四类"
    )
    password_max_age_days = forms.IntegerField(label=SecurityPolicy._meta.get_field("password_max_age_days").verbose_name)


class SupervisionForm(StyledFormMixin, forms.Form):
    """Shape only; the ranges are the action's rule (kernel.supervision.update_policy)."""

    yellow_hours = forms.IntegerField(label="黄牌提前量(小时)", help_text="距办理期限不足该时长时亮黄牌，超期亮红牌")
    notify_leader_on_red = forms.BooleanField(label="红牌时通知乡镇(街道)领导", required=False)
    call_acknowledge_hours = forms.IntegerField(label="乡呼县应响应时限(小时)", help_text="乡镇(街道)呼叫县直部门后，部门须在该时长内响应")
    call_working_hours = forms.BooleanField(label="乡呼县应响应时限按工作时间计", required=False,
                                            help_text="勾选后只计工作日的上班时间(8:30-12:00、14:00-17:30)，夜间、周末和法定节假日不计")
    office = forms.ModelChoiceField(
        label="县督查室", queryset=Unit.objects.none(), required=False, empty_label="未指定(红牌止于领导)",
        help_text="红牌持续下列工作日数仍未办理的待办报该机构，其人员在「督查室督办」页查看",
        error_messages={"invalid_choice": "督查室须为本县在用的机构"},
    )
    office_after_days = forms.IntegerField(label="红牌报督查室(工作日)", required=False, help_text="超过办理期限该工作日数后仍为红牌的，报县督查室")
    notice_answer_days = forms.IntegerField(label="督办单反馈时限(工作日)", required=False, help_text="出具督办单后，承办单位须在该工作日数内反馈")

    def __init__(self, *args, county=None, **kwargs):
        super().__init__(*args, **kwargs)
        if county is not None:  # the county's own units only; the action refuses any other
            self.fields["office"].queryset = Unit.objects.filter(area__path__startswith=county.path, is_active=True).select_related("area").order_by("area__path", "sort_order", "name")

    def clean(self):
        data = super().clean()
        for name in ("office_after_days", "notice_answer_days"):  # left empty: kept as they are
            if data.get(name) is None:
                data.pop(name, None)
        return data


class StaffForm(StyledFormMixin, forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    full_name = forms.CharField(label="姓名", max_length=32)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    password = forms.CharField(label="初始密码", max_length=128, widget=forms.PasswordInput(render_value=False))


class PostForm(StyledFormMixin, forms.Form):
    username = forms.CharField(label="人员(用户名)", max_length=150)
    unit = forms.ModelChoiceField(label="机构", queryset=Unit.objects.filter(is_active=True).select_related("area").order_by("area__path", "sort_order"))
    title = forms.CharField(label="岗位名称", max_length=64)
    roles = forms.MultipleChoiceField(label="角色", choices=RoleCode.choices, widget=forms.SelectMultiple(attrs={"size": 8}))
    jurisdiction = forms.ModelChoiceField(
        label="辖区", required=False, queryset=Area.objects.exclude(level="grid").order_by("path"),
        help_text="网格员的网格可在下方输入区划代码", empty_label="(不设辖区)",
    )
    jurisdiction_code = forms.CharField(label="或输入辖区区划代码", max_length=15, required=False)


class DocumentTemplateForm(StyledFormMixin, forms.Form):
    """Shape only; placeholders, lengths and characters are the action's rules
    (kernel.documents.save_template)."""

    title = forms.CharField(label="标题", max_length=200)
    # strip=False: leading full-width spaces are the first paragraph's indent.
    body = forms.CharField(label="正文", max_length=20000, strip=False, widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, area):
        above = f"{area.parent.name} · " if area.parent_id and area.level != Area.Level.TOWNSHIP else ""
        return f"{above}{area.name}（{area.kind_label} {area.code}）"


class AreaChangeForm(StyledFormMixin, forms.Form):
    """Shape only; which changes are allowed is the action's rule (areas.changes)."""

    kind = forms.ChoiceField(label="调整类型", choices=[("", "请选择"), *AreaChange.Kind.choices])
    area = AreaChoiceField(label="调整的区划", queryset=Area.objects.none(), empty_label="请选择", help_text="更名：乡镇(街道)或村(社区)；合并、调整隶属：村(社区)")
    target = AreaChoiceField(
        label="并入的村(社区) / 新隶属的乡镇(街道)", queryset=Area.objects.none(), required=False, empty_label="（更名时不填）"
    )
    new_name = forms.CharField(label="新名称", max_length=64, required=False, help_text="更名时必填；合并时可填合并后村(社区)的新名称；调整隶属时不填则沿用原名")
    new_code = forms.CharField(label="新区划代码(12位)", max_length=12, required=False, help_text="调整隶属时必填，以新隶属乡镇(街道)的代码开头，按民政部门批复填写")
    effective_on = forms.DateField(label="生效日期", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}), help_text="今天或以前的立即生效(最多补登31天)；以后的到期自动生效")
    document_number = forms.CharField(label="批准文号", max_length=64, help_text="如：某民发〔2026〕8号")
    reason = forms.CharField(label="说明", max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        if areas is not None:
            self.fields["area"].queryset = areas
            self.fields["target"].queryset = areas

# ---- 人员变动 (workbench/people.py): shape only; dates, people and rules are the actions' ---------


class EndPostForm(StyledFormMixin, forms.Form):
    ended_on = forms.DateField(label="免职日期", required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="不填为今天；不能早于任职日期")
    reason = forms.CharField(label="原因", max_length=100, required=False)


class TransferForm(StyledFormMixin, forms.Form):
    unit = forms.ModelChoiceField(label="调入机构", queryset=Unit.objects.none())
    title = forms.CharField(label="新岗位名称", max_length=64)
    roles = forms.MultipleChoiceField(label="角色", choices=RoleCode.choices, widget=forms.SelectMultiple(attrs={"size": 6}))
    jurisdiction = forms.ModelChoiceField(label="辖区", required=False, queryset=Area.objects.none(), empty_label="(不设辖区)")
    on = forms.DateField(label="调岗日期", required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="不填为今天；原岗位当日免职，新岗位当日任职")
    reason = forms.CharField(label="原因", max_length=100, required=False)
    colleague = forms.ModelChoiceField(
        label="原单位待办接手人", required=False, queryset=User.objects.none(), empty_label="(交回原单位)",
        help_text="调出原单位时，其在原单位以个人名义承办的待办转交此人；不选则交回原单位",
    )


class HandoverForm(StyledFormMixin, forms.Form):
    colleague = forms.ModelChoiceField(
        label="接手人", required=False, queryset=User.objects.none(), empty_label="(交回所在单位)",
        help_text="须在待办所在单位有在岗岗位；不选则交回单位，由该单位相应岗位的人员办理",
    )
    new_lead = forms.ModelChoiceField(label="新的责任网格员", required=False, queryset=User.objects.none(), empty_label="(请选择)")
    left_on = forms.DateField(label="离岗日期", required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="不填为今天")
    reason = forms.CharField(label="离岗原因", max_length=100, required=False, help_text="如：调离本县、退休、辞职")


class StandInForm(StyledFormMixin, forms.Form):
    stand_in = forms.ModelChoiceField(label="AB岗顶岗人员", queryset=User.objects.none())
    starts_on = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="结束日期", widget=forms.DateInput(attrs={"type": "date"}), help_text="含当日；期间顶岗人员可查看并办理其待办")
    reason = forms.CharField(label="事由", max_length=100, required=False, help_text="如：年休假、病假、外出学习")


def _case_kinds():
    from zhenjie.kernel.workflow import registered_kinds

    return [("", "请选择"), *registered_kinds().items()]


class RetentionForm(StyledFormMixin, forms.Form):
    """Shape only; the rules (registered kind, code, 1-100 years or permanent) are kernel.retention's."""

    kind = forms.ChoiceField(label="事项类型", choices=_case_kinds)
    item_code = forms.CharField(label="事项编码", required=False, help_text="政务服务事项等的编码；留空表示该类型的默认期限")
    years = forms.IntegerField(label="保管年限", required=False, help_text="常用：10年、30年")
    permanent = forms.BooleanField(label="永久保管", required=False)
