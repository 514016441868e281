"""An empty start for a real county (issue 13 item 1): the county itself and the three separated
administrators, and nothing else. Everything after it — the division tree, units, people — is
loaded by the county's administrators (imports) or entered on the pages.

`bootstrap_county` is what `manage.py bootstrap` calls. It reuses the ordinary actions (create_area,
create_unit, create_staff, grant_post), so every row it writes is journaled like any other, and
adds one entry of its own (`install.bootstrap`) saying the installation began here. The actor is
None: no person exists yet to act (accounts/actions.py: "a command seating the first
administrators"). One transaction: a refused start leaves the database as it was."""

from dataclasses import dataclass

from django.db import transaction

from zhenjie.areas.actions import create_area
from zhenjie.areas.codes import county_code_problems
from zhenjie.areas.models import Area
from zhenjie.kernel import journal
from zhenjie.kernel.errors import Conflict, Rejected
from zhenjie.units.actions import create_unit
from zhenjie.units.models import Unit

from . import actions
from .credentials import generate_initial_password
from .models import SecurityPolicy, User
from .roles import RoleCode

# The three administrators of 三权分立 (等保 8.1.4.2 c/d): default usernames and titles.
ADMINISTRATORS = (
    ("sysadmin", RoleCode.SYSTEM_ADMIN, "系统管理员"),
    ("secadmin", RoleCode.SECURITY_ADMIN, "安全管理员"),
    ("auditor", RoleCode.AUDIT_ADMIN, "安全审计员"),
)


@dataclass(frozen=True)
class FirstLogin:
    username: str
    role_label: str
    password: str  # shown once; only its hash is kept


@dataclass(frozen=True)
class Bootstrapped:
    county: Area
    unit: Unit
    logins: list[FirstLogin]


@transaction.atomic
def bootstrap_county(*, county_code: str, county_name: str, unit_name: str = "") -> Bootstrapped:
    """Create the county, the unit the administrators sit in and the three administrators, each
    with a one-time password they must change at first login (accounts.gate; it expires after
    login.INITIAL_PASSWORD_LIFETIME). Refuses if a county or any of the usernames exists."""
    if problems := county_code_problems(county_code):
        raise Rejected("bootstrap.county_code_invalid", "；".join(problems), field="county_code")
    county_name = (county_name or "").strip()
    if not county_name or len(county_name) > 64:
        raise Rejected("bootstrap.county_name_invalid", "请填写县(市、区)名称(不超过64字)", field="county_name")
    if Area.objects.exists():
        existing = Area.objects.filter(level=Area.Level.COUNTY).order_by("path").first()
        named = f"「{existing.name}」({existing.code})" if existing else ""
        raise Conflict("bootstrap.already_done", f"数据库中已有区划{named}，初始化只能在空数据库上执行一次", field="county_code")
    taken = sorted(User.objects.filter(username__in=[name for name, _, _ in ADMINISTRATORS]).values_list("username", flat=True))
    if taken:
        raise Conflict("bootstrap.already_done", f"账号 {'、'.join(taken)} 已存在，初始化只能在空数据库上执行一次", field="county_code")

    code = county_code.strip()[:6] + "000000"
    county, _ = create_area(None, code=code, name=county_name, level=Area.Level.COUNTY)
    # A post needs a unit: the administrators sit in the county government until the county's
    # own units are loaded (an import may then seat them elsewhere).
    unit = create_unit(
        None, name=(unit_name or "").strip() or f"{county_name}人民政府", kind=Unit.Kind.COUNTY_LEADERSHIP, area=county,
    )
    SecurityPolicy.objects.get_or_create(pk=1)  # the defaults satisfy 等保 level 3 (accounts/models.py)
    logins = []
    for username, role, title in ADMINISTRATORS:
        password = generate_initial_password()
        # create_staff marks the password as initial: it must be changed before anything else.
        user = actions.create_staff(None, username=username, full_name=title, password=password)
        actions.grant_post(None, user=user, unit=unit, title=title, roles=[role], jurisdiction=county)
        logins.append(FirstLogin(username, RoleCode(role).label, password))
    journal.record(
        actor=None, verb="install.bootstrap", subject=f"area:{county.pk}",
        summary=f"初始化 {county_name}({code[:6]})：建立县级区划和系统、安全、审计三名管理员",
        data={"county_code": code, "unit": unit.pk, "administrators": [login.username for login in logins]},
    )
    return Bootstrapped(county, unit, logins)
