import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .roles import RoleCode


class User(AbstractUser):
    """A person who logs in: staff (with posts) or a citizen (with none)."""

    class Kind(models.TextChoices):
        STAFF = "staff", "工作人员"
        CITIZEN = "citizen", "群众"

    full_name = models.CharField("姓名", max_length=32, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices, default=Kind.STAFF)
    # 等保 8.1.4.1 a (定期更换) and ASVS 6.4.1 (initial passwords changed at first use): when the
    # password was last set by its owner, and whether someone else chose it (created or reset by
    # an administrator). accounts.gate sends the person to the change page until they change it.
    password_changed_at = models.DateTimeField("密码修改时间", default=timezone.now)
    must_change_password = models.BooleanField("须修改初始密码", default=False)
    # A staff member's citizen ID number, as the organisation department's roster gives it
    # (迁入, movein): sealed like every ID number (kernel/pii.py): cipher, keyed digest (the only
    # thing compared, e.g. to recognise the same person in a later roster), mask (what is shown).
    id_number_cipher = models.TextField(blank=True, editable=False)
    id_number_digest = models.CharField(max_length=64, blank=True, editable=False)
    id_number_masked = models.CharField("身份证号", max_length=18, blank=True, editable=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.UniqueConstraint(fields=["id_number_digest"], condition=~Q(id_number_digest=""), name="user_id_number_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class Role(models.Model):
    code = models.CharField("代码", max_length=32, primary_key=True, choices=RoleCode.choices)

    class Meta:
        verbose_name = "角色"
        verbose_name_plural = "角色"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.get_code_display()

    @property
    def label(self) -> str:
        return self.get_code_display()


class Post(models.Model):
    """A person's seat in a unit: the roles they act in and the area subtree they may act on."""

    user = models.ForeignKey(User, verbose_name="人员", on_delete=models.CASCADE, related_name="posts")
    unit = models.ForeignKey("units.Unit", verbose_name="机构", on_delete=models.PROTECT, related_name="posts")
    title = models.CharField("岗位名称", max_length=64)
    roles = models.ManyToManyField(Role, verbose_name="角色", related_name="posts")
    jurisdiction = models.ForeignKey(
        "areas.Area",
        verbose_name="辖区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="posts",
        help_text="岗位可查看和办理的区划范围(含下级)；部门联络员只办理本部门收到的事项，不设辖区",
    )
    is_active = models.BooleanField("在岗", default=True)
    started_on = models.DateField("任职日期", default=timezone.localdate)

    class Meta:
        verbose_name = "岗位"
        verbose_name_plural = "岗位"
        indexes = [
            models.Index(fields=["user", "is_active"], name="post_user_active"),
            models.Index(fields=["unit", "is_active"], name="post_unit_active"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.title}"


class Coverage(models.Model):
    """One stint of one grid worker on one grid (定人定岗定责, seed 004 §三). A worker may cover
    several grids; each grid has one lead worker (责任网格员) at a time. Rows are never edited
    after they end, so the table is the grid's history of who answered for it.

    Like a post, it says where a person works, so it lives beside Post: kernel.scoping reads it
    (a grid worker reaches the grids they cover) and the kernel never imports a domain app. The
    grid app decides who covers what (grid/actions/coverage.py) and shows the history. The table
    keeps the name it was created with in the grid app."""

    grid = models.ForeignKey(
        "areas.Area", verbose_name="网格", on_delete=models.PROTECT, related_name="grid_coverages", limit_choices_to={"level": "grid"}
    )
    worker = models.ForeignKey(User, verbose_name="网格员", on_delete=models.PROTECT, related_name="grid_coverages")
    is_lead = models.BooleanField("责任网格员", default=False)
    started_at = models.DateTimeField("起始时间", default=timezone.now)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    assigned_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ended_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        db_table = "grid_coverage"
        verbose_name = "网格员分工"
        verbose_name_plural = "网格员分工"
        constraints = [
            # The last defence for "one lead per grid at a time"; the action says it in words first.
            models.UniqueConstraint(fields=["grid"], condition=Q(is_lead=True, ended_at__isnull=True), name="coverage_one_current_lead"),
            models.UniqueConstraint(fields=["grid", "worker"], condition=Q(ended_at__isnull=True), name="coverage_one_current_stint"),
            models.CheckConstraint(condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")), name="coverage_ends_after_start"),
        ]
        indexes = [
            models.Index(fields=["worker"], condition=Q(ended_at__isnull=True), name="coverage_current_worker"),
            models.Index(fields=["grid", "-started_at"], name="coverage_grid_history"),
        ]

    def __str__(self) -> str:
        return f"{self.grid} · {self.worker}"

    @property
    def role_label(self) -> str:
        return "责任网格员" if self.is_lead else "协助网格员"


class SecurityPolicy(models.Model):
    """Settings the security administrator may change; one row. The ranges are the rule of
    accounts.actions.update_policy; the defaults satisfy 等保 level 3 (8.1.4.1 a/b)."""

    # Lock-out (django-axes, accounts/login.py): a username from one address, and one address across
    # usernames, so nobody can lock a predictable username out from elsewhere (ASVS 6.3.1).
    max_failed_logins = models.PositiveSmallIntegerField("同一账号同一地址连续失败次数上限", default=5)
    address_failed_logins = models.PositiveSmallIntegerField("同一地址失败次数上限(不分账号)", default=20)
    lockout_minutes = models.PositiveSmallIntegerField("锁定时长(分钟)", default=30)
    idle_timeout_minutes = models.PositiveSmallIntegerField("空闲自动退出(分钟)", default=30)
    session_max_hours = models.PositiveSmallIntegerField("会话最长时间(小时)", default=12)
    token_lifetime_hours = models.PositiveSmallIntegerField("接口令牌有效期(小时)", default=12)
    password_min_length = models.PositiveSmallIntegerField("密码最短长度", default=12)
    password_min_classes = models.PositiveSmallIntegerField("密码至少包含字符类别数", default=3)
    password_max_age_days = models.PositiveSmallIntegerField("工作人员密码最长使用天数(0为不限)", default=90)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "安全策略"
        verbose_name_plural = "安全策略"
        constraints = [
            models.CheckConstraint(condition=models.Q(max_failed_logins__gte=3), name="policy_failed_logins_min"),
            models.CheckConstraint(condition=models.Q(idle_timeout_minutes__gte=5), name="policy_idle_min"),
            models.CheckConstraint(condition=models.Q(password_min_length__gte=8), name="policy_password_length_min"),
        ]


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, lifetime: timedelta) -> tuple["ApiToken", str]:
        token = secrets.token_urlsafe(32)
        row = cls.objects.create(user=user, digest=cls.digest_of(token), expires_at=timezone.now() + lifetime)
        return row, token
