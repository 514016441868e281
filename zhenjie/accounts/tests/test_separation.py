"""三权分立 (等保 8.1.4.2 c/d, 8.1.5): the system administrator manages accounts and business posts
but grants themself nothing and never an administrator role; the security administrator seats
the three administrators, never themself; no one holds an administrator role beside another or
beside a business role; every grant and removal is on the audit administrator's record."""

import pytest

from zhenjie.accounts import actions
from zhenjie.accounts.models import Post
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.kernel.errors import Forbidden, Rejected
from zhenjie.kernel.models import JournalEntry
from zhenjie.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admins(world):
    return {
        "system": make_user("sys_admin", world.police, [R.SYSTEM_ADMIN], world.county),
        "security": make_user("sec_admin", world.police, [R.SECURITY_ADMIN], world.county),
        "audit": make_user("audit_admin", world.police, [R.AUDIT_ADMIN], world.county),
    }


def posts_of(user) -> int:
    return Post.objects.filter(user=user, is_active=True).count()


def test_the_system_administrator_cannot_give_themself_a_county_administrator_post(world, admins):
    system = admins["system"]
    with pytest.raises(Forbidden) as error:
        actions.grant_post(system, user=system, unit=world.police, title="兼编办", roles=[R.COUNTY_ADMIN], jurisdiction=world.county)
    assert error.value.code == "post.own_posts" and error.value.message == "不能为自己设置或免去岗位，须由其他管理员办理"
    assert posts_of(system) == 1 and not JournalEntry.objects.filter(verb="post.grant", actor=system).exists()


def test_the_system_administrator_cannot_create_a_security_or_audit_administrator(world, admins):
    system = admins["system"]
    for role in (R.SECURITY_ADMIN, R.AUDIT_ADMIN, R.SYSTEM_ADMIN):
        person = actions.create_staff(system, username=f"new_{role}", full_name="新管理员", password="Xq7-admin-2026!")
        with pytest.raises(Forbidden) as error:
            actions.grant_post(system, user=person, unit=world.police, title="管理员", roles=[role], jurisdiction=world.county)
        assert error.value.message == "系统管理员、安全管理员、安全审计员岗位只能由安全管理员设置或免去"
        assert posts_of(person) == 0


def test_the_system_administrator_cannot_give_an_administrator_role_to_an_existing_person(world, admins):
    with pytest.raises(Forbidden):
        actions.grant_post(admins["system"], user=world.clerk_a, unit=world.police, title="审计", roles=[R.AUDIT_ADMIN], jurisdiction=world.county)
    with pytest.raises(Forbidden):  # nor remove one
        actions.end_post(admins["system"], admins["audit"].posts.get())
    assert posts_of(admins["audit"]) == 1


def test_the_security_administrator_seats_administrators_but_not_themself(world, admins):
    security = admins["security"]
    with pytest.raises(Forbidden) as error:
        actions.grant_post(security, user=security, unit=world.police, title="兼审计", roles=[R.AUDIT_ADMIN], jurisdiction=world.county)
    assert error.value.code == "post.own_posts"
    with pytest.raises(Forbidden):
        actions.end_post(security, security.posts.get())
    person = actions.create_staff(admins["system"], username="second.auditor", full_name="第二审计员", password="Xq7-admin-2026!")
    post = actions.grant_post(security, user=person, unit=world.police, title="安全审计员", roles=[R.AUDIT_ADMIN], jurisdiction=world.county)
    entry = JournalEntry.objects.get(verb="post.grant", actor=security)
    assert entry.data["roles"] == [R.AUDIT_ADMIN] and entry.data["post"] == post.pk and "安全审计员" in entry.summary
    actions.end_post(security, post)
    assert JournalEntry.objects.filter(verb="post.end", actor=security, data__post=post.pk).exists()


def test_the_security_administrator_does_not_seat_business_posts(world, admins):
    person = actions.create_staff(admins["system"], username="new.clerk", full_name="新办事员", password="Xq7-admin-2026!")
    with pytest.raises(Forbidden) as error:
        actions.grant_post(admins["security"], user=person, unit=world.office_a, title="办事员", roles=[R.BACK_OFFICE_HANDLER], jurisdiction=world.a)
    assert error.value.message == "业务岗位只能由系统管理员设置或免去"


def test_only_a_system_administrator_creates_accounts(world, admins):
    for actor in (admins["security"], admins["audit"], world.county_admin):
        with pytest.raises(Forbidden) as error:
            actions.create_staff(actor, username="puppet", full_name="傀儡", password="Xq7-admin-2026!")
        assert error.value.message == "只有系统管理员可以新增人员"


@pytest.mark.parametrize("admin_role", [R.SYSTEM_ADMIN, R.SECURITY_ADMIN, R.AUDIT_ADMIN])
def test_an_administrator_never_holds_a_business_post_nor_the_reverse(world, admins, admin_role):
    # An administrator given a business post (by a system administrator other than themself)...
    holder = {R.SYSTEM_ADMIN: admins["system"], R.SECURITY_ADMIN: admins["security"], R.AUDIT_ADMIN: admins["audit"]}[admin_role]
    other_system = make_user("sys_admin2", world.police, [R.SYSTEM_ADMIN], world.county)
    actor = other_system if holder == admins["system"] else admins["system"]
    with pytest.raises(Rejected) as error:
        actions.grant_post(actor, user=holder, unit=world.police, title="兼编办", roles=[R.COUNTY_ADMIN], jurisdiction=world.county)
    assert error.value.code == "post.admin_and_business" and "不得兼任业务岗位" in error.value.message
    # ...and a business post holder given an administrator role (by the security administrator).
    security = admins["security"] if holder != admins["security"] else make_user("sec_admin2", world.police, [R.SECURITY_ADMIN], world.county)
    with pytest.raises(Rejected) as error:
        actions.grant_post(security, user=world.dispatcher_a, unit=world.police, title="兼管理员", roles=[admin_role], jurisdiction=world.county)
    assert error.value.code == "post.admin_and_business"
    assert posts_of(holder) == 1 and posts_of(world.dispatcher_a) == 1


def test_one_post_cannot_mix_an_administrator_role_with_a_business_role(world):
    person = make_user("mixed", None, [], None)
    with pytest.raises(Rejected) as error:
        actions.grant_post(None, user=person, unit=world.police, title="混合", roles=[R.AUDIT_ADMIN, R.DISPATCHER], jurisdiction=world.county)
    assert error.value.code == "post.admin_and_business"


def test_a_township_system_administrator_seats_people_only_in_their_township(world):
    township_admin = make_user("sys_a", world.gov_a, [R.SYSTEM_ADMIN], world.a)
    person = actions.create_staff(township_admin, username="new.a", full_name="甲镇新人", password="Xq7-admin-2026!")
    actions.grant_post(township_admin, user=person, unit=world.office_a, title="办事员", roles=[R.BACK_OFFICE_HANDLER], jurisdiction=world.a)
    with pytest.raises(Forbidden) as error:
        actions.grant_post(township_admin, user=person, unit=world.gov_b, title="乙镇兼职", roles=[R.TOWNSHIP_LEADER], jurisdiction=world.b)
    assert error.value.code == "post.unit_outside_administration"
    with pytest.raises(Forbidden) as error:  # a township unit cannot carry a county-wide jurisdiction from them
        actions.grant_post(township_admin, user=person, unit=world.gov_a, title="全县", roles=[R.TOWNSHIP_LEADER], jurisdiction=world.county)
    assert error.value.code == "post.jurisdiction_outside_administration"
    with pytest.raises(Forbidden):  # nor end a post in another township
        actions.end_post(township_admin, world.leader_b.posts.get())


def test_administrator_posts_need_a_jurisdiction(world, admins):
    person = actions.create_staff(admins["system"], username="no.area", full_name="无辖区", password="Xq7-admin-2026!")
    with pytest.raises(Rejected) as error:
        actions.grant_post(admins["security"], user=person, unit=world.police, title="审计", roles=[R.AUDIT_ADMIN])
    assert error.value.code == "post.jurisdiction_required"


def test_the_system_administrator_seats_and_removes_business_posts_on_the_record(world, admins):
    system = admins["system"]
    post = actions.grant_post(system, user=world.clerk_a, unit=world.centre_a, title="兼调度", roles=[R.DISPATCHER], jurisdiction=world.a)
    actions.end_post(system, post)
    verbs = list(JournalEntry.objects.filter(actor=system, subject=f"user:{world.clerk_a.pk}").order_by("seq").values_list("verb", flat=True))
    assert verbs == ["post.grant", "post.end"]
