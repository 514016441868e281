"""The certificate rule (执法证) and every read of officers and their certificates.

行政处罚法 Art. 42: 行政处罚应当由具有行政执法资格的执法人员实施; Art. 55: 执法人员不得少于两人
and must show their certificates. `certificate_for(officer, area, day)` is the one answer to
"may this officer act here today": the certificate that allows it, or a refusal naming the
certificate and why. Every step an officer takes passes it — workflow transitions through
`certified` (a `rule=`), the evidence action for each officer present.

Who sees an officer: staff whose jurisdiction contains the jurisdiction of the officer's
enforcement post (kernel.scoping's reach). Who keeps certificates: the county administrator (编办)
for the county, a township's leaders for their township (`MANAGERS`)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from zhenjie.accounts.models import Post, User
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.models import Area
from zhenjie.kernel.errors import Forbidden
from zhenjie.kernel.scoping import get_visible_or_404, paths_q, reach_of
from zhenjie.workbench.excel import Column

from .models import Certificate

MANAGERS = frozenset({R.COUNTY_ADMIN, R.TOWNSHIP_LEADER})


def _day(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def covers(certificate: Certificate, area: Area) -> bool:
    """A certificate for a county covers its townships; one for a township, that township only."""
    return area.path.startswith(certificate.area.path)


def why_not_valid(certificate: Certificate, day: date) -> str:
    """Why the certificate does not allow acting on `day`, or "" when it does."""
    if certificate.revoked_at is not None:
        return f"执法证 {certificate.number} 已于{_day(timezone.localtime(certificate.revoked_at).date())}注销"
    if day < certificate.valid_from:
        return f"执法证 {certificate.number} 自{_day(certificate.valid_from)}起生效"
    if day > certificate.valid_until:
        return f"执法证 {certificate.number} 已于{_day(certificate.valid_until)}过期"
    return ""


class NoCertificate(Forbidden):
    """The officer may not act there that day; `reason` names the certificate and why, without
    the officer (the evidence form names them in front of it)."""

    def __init__(self, officer, reason: str, field: str | None = None):
        self.officer, self.reason = officer, reason
        super().__init__("enforcement.certificate_invalid", f"执法人员{officer.display_name}：{reason}，不能实施执法", field=field)


def certificate_for(officer, area: Area, day: date, certificates: list[Certificate] | None = None, *, field: str | None = None) -> Certificate:
    """The officer's certificate valid on `day` for `area`, or NoCertificate saying which one
    fails and why ("执法证 37990001 已于2026年3月1日过期"; "没有在甲镇有效的执法证"). Given the
    officer's `certificates` (prefetched), reads nothing."""
    if certificates is None:
        certificates = list(Certificate.objects.filter(officer=officer).select_related("area"))
    here = [c for c in certificates if covers(c, area)]
    valid = [c for c in here if not why_not_valid(c, day)]
    if valid:
        return max(valid, key=lambda c: (c.valid_until, c.pk))
    if here:
        # The one the officer would expect to hold: the unrevoked first, then the latest.
        latest = max(here, key=lambda c: (c.revoked_at is None, c.valid_until, c.pk))
        raise NoCertificate(officer, why_not_valid(latest, day), field)
    raise NoCertificate(officer, f"没有在{area.name}有效的执法证", field)


def certified(standing) -> Forbidden | None:
    """The workflow's `rule=` for every step an officer takes (Art. 42): the actor holds a
    certificate valid today for the case's area. Read once per Standing (buttons and perform)."""

    def check():
        try:
            certificate_for(standing.actor, standing.case.area, timezone.localdate())
        except NoCertificate as refusal:
            return refusal
        return None

    return standing.memo("enforcement.certificate", check)


# ---- officers and their certificates, for a user ---------------------------------------------


def _officer_posts(paths: tuple[str, ...]) -> QuerySet[Post]:
    return Post.objects.filter(paths_q(paths, "jurisdiction__path"), is_active=True, roles__code=R.ENFORCEMENT_OFFICER)


def officers_posted_in(*paths: str) -> QuerySet[User]:
    """Active people holding an active enforcement-officer post whose jurisdiction lies under
    one of `paths` (none: nobody)."""
    if not paths:
        return User.objects.none()
    return User.objects.filter(Exists(_officer_posts(paths).filter(user=OuterRef("pk"))), is_active=True).order_by("full_name", "pk")


def officers_for(user) -> QuerySet[User]:
    """Enforcement officers posted in the user's jurisdiction, their certificates prefetched
    (newest first): a fixed number of queries whatever the rows."""
    certificates = Certificate.objects.select_related("area").order_by("-valid_until", "-pk")
    return officers_posted_in(*reach_of(user).paths).prefetch_related(Prefetch("enforcement_certificates", queryset=certificates))


def get_officer_for(user, pk) -> User:
    return get_visible_or_404(officers_for(user), "officer.not_found", "执法人员不存在或不在您的辖区内", pk=pk)


def certificates_for(user) -> QuerySet[Certificate]:
    """Certificates of the officers the user sees."""
    return Certificate.objects.filter(officer__in=officers_for(user).values("pk")).select_related("officer", "area")


def get_certificate_for(user, pk) -> Certificate:
    return get_visible_or_404(certificates_for(user), "certificate.not_found", "执法证不存在或不在您的辖区内", pk=pk)


def managed_areas(user) -> QuerySet[Area]:
    """The county and townships for which the user keeps certificates."""
    paths = reach_of(user).roots_with(MANAGERS)
    if not paths:
        return Area.objects.none()
    return Area.objects.filter(paths_q(paths), level__in=[Area.Level.COUNTY, Area.Level.TOWNSHIP]).order_by("path")


def can_manage(user, area: Area) -> bool:
    return bool(reach_of(user).roles_in(area) & MANAGERS)


def managed_officers(user) -> QuerySet[User]:
    """Officers posted where the user keeps certificates: those they may certify."""
    return officers_posted_in(*reach_of(user).roots_with(MANAGERS))


# ---- status ----------------------------------------------------------------------------------


class Status:
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    REVOKED = "revoked"
    NOT_YET = "not_yet"
    NONE = "none"


STATUS_LABELS = {Status.VALID: "有效", Status.EXPIRING: "即将到期", Status.EXPIRED: "已过期", Status.REVOKED: "已注销",
                 Status.NOT_YET: "未生效", Status.NONE: "无执法证"}  # fmt: skip


def expiring_days_for(user) -> int:
    """How early a certificate shows as about to lapse: the county setting where the user works
    (EnforcementPolicy.certificate_expiring_days), read once per request."""
    if not hasattr(user, "_certificate_expiring_days"):
        from .policy import policy_at

        paths = sorted(post.path for post in reach_of(user).posts if post.path)
        user._certificate_expiring_days = policy_at(paths[0] if paths else "").certificate_expiring_days
    return user._certificate_expiring_days


def status_of(certificate: Certificate | None, day: date, expiring_days: int) -> str:
    if certificate is None:
        return Status.NONE
    if certificate.revoked_at is not None:
        return Status.REVOKED
    if day < certificate.valid_from:
        return Status.NOT_YET
    if day > certificate.valid_until:
        return Status.EXPIRED
    return Status.EXPIRING if certificate.valid_until - day < timedelta(days=expiring_days) else Status.VALID


@dataclass
class OfficerLine:
    """An officer as the list shows them: the certificate that counts now (a valid one, else the
    latest) and its status."""

    officer: User
    certificate: Certificate | None
    status: str
    certificates: list[Certificate]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def line_of(officer: User, day: date, expiring_days: int) -> OfficerLine:
    """Reads the prefetched certificates: no query per officer."""
    certificates = list(officer.enforcement_certificates.all())
    usable = [c for c in certificates if not why_not_valid(c, day)]
    current = max(usable, key=lambda c: (c.valid_until, c.pk)) if usable else (certificates[0] if certificates else None)
    return OfficerLine(officer, current, status_of(current, day, expiring_days), certificates)


COLUMNS = (
    Column("执法人员", lambda line: line.officer.display_name, 14),
    Column("执法证号", lambda line: line.certificate.number if line.certificate else "", 16),
    Column("发证机关", lambda line: line.certificate.issuer if line.certificate else "", 20),
    Column("执法区域", lambda line: line.certificate.area.name if line.certificate else "", 14),
    Column("有效期起", lambda line: line.certificate.valid_from if line.certificate else None, 12),
    Column("有效期至", lambda line: line.certificate.valid_until if line.certificate else None, 12),
    Column("状态", lambda line: line.status_label, 10),
    Column("年度培训学时", lambda line: line.certificate.training_hours if line.certificate else None, 12),
    Column("执法证数", lambda line: len(line.certificates), 8),
)
