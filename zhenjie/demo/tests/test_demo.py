import io
import json
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction

from zhenjie.accounts.models import Post, User
from zhenjie.accounts.roles import RoleCode
from zhenjie.areas import geo
from zhenjie.areas.models import Area
from zhenjie.areas.paths import township_path
from zhenjie.demo.county import DEPARTMENTS
from zhenjie.kernel import journal
from zhenjie.kernel.models import Case
from zhenjie.units.models import Unit

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def run_demo(*args) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(demo_snapshot, django_db_blocker):
    """The demo county (built once per test process, zhenjie/demo/testing.py), copied in once for
    this module's tests and shared: it stays inside a transaction that is rolled back after the
    module; each test's own transaction nests in it as a savepoint, so what one test changes the
    next does not see. Yields the build's output."""
    from zhenjie.demo.testing import restore

    with django_db_blocker.unblock(), transaction.atomic():
        restore(demo_snapshot)
        yield demo_snapshot.output
        transaction.set_rollback(True)


def test_the_demo_county_has_the_shape_the_issue_asks_for(demo):
    output = demo
    assert "青禾县" in output and "liuwan.leader" in output and "Zhenjie@2026" in output
    townships = Area.objects.filter(level="township")
    assert townships.count() == 4
    assert townships.filter(is_developed=True).count() == 1
    assert townships.filter(township_kind="subdistrict").count() == 1
    assert 28 <= Area.objects.filter(level="village").count() <= 32
    assert 90 <= Area.objects.filter(level="grid").count() <= 110
    assert Unit.objects.filter(kind="department").count() >= 15
    stationed = Unit.objects.filter(kind="stationed")
    assert {u.name[-3:] for u in stationed} >= {"派出所", "司法所"} and all(u.home_department_id for u in stationed)
    assert Case.objects.filter(kind="task").exists() and journal.verify() == []
    from zhenjie.topics import proposals
    from zhenjie.topics.models import Topic

    # 每月一题: where last month's complaints cluster (as at the default 20,000 events; rarely at
    # the tests' 600), 柳湾镇's leader has adopted the first proposal and its lead unit reported.
    liuwan = Area.objects.get(level="township", name="柳湾镇")
    proposed = proposals.propose(liuwan, proposals.last_month(), shown=1)
    adopted = Topic.objects.filter(township=liuwan, progress__isnull=False).first()
    assert (adopted.category if adopted else None) == (proposed[0].category if proposed else None)


def test_township_offices_and_centres_stay_within_the_seed_limits(demo):
    for township in Area.objects.filter(level="township"):
        offices = Unit.objects.filter(area=township, kind="office").count()
        centres = Unit.objects.filter(area=township, kind="centre").count()
        # seed 000 三(一): 5–7 offices and 4–5 centres; 六(四): a developed town up to 8 and 6.
        if township.is_developed:
            assert offices <= 8 and centres <= 6
        else:
            assert 5 <= offices <= 7 and 4 <= centres <= 5


def test_grids_tile_their_villages(demo):
    for grid in Area.objects.filter(level="grid").select_related("parent"):
        lng, lat = geo.centroid(grid.boundary)
        assert geo.contains_point(grid.parent.boundary, lng, lat), grid.name
        assert not any(
            geo.contains_point(other.boundary, lng, lat)
            for other in Area.objects.filter(level="village", parent=grid.parent.parent).exclude(pk=grid.parent_id)
        )


def test_every_role_has_staff_in_at_least_two_townships(demo):
    township_roles = set(RoleCode) - {
        RoleCode.CITIZEN, RoleCode.DEPARTMENT_LIAISON, RoleCode.DEPARTMENT_LEADER, RoleCode.COUNTY_ADMIN,
        RoleCode.SYSTEM_ADMIN, RoleCode.SECURITY_ADMIN, RoleCode.AUDIT_ADMIN,
    }
    for role in township_roles:
        townships = {township_path(post.unit.area.path) for post in Post.objects.filter(roles__code=role).select_related("unit__area")}
        assert len(townships) >= 2, role
    for role in (RoleCode.DEPARTMENT_LIAISON, RoleCode.DEPARTMENT_LEADER, RoleCode.COUNTY_ADMIN, RoleCode.SYSTEM_ADMIN, RoleCode.SECURITY_ADMIN, RoleCode.AUDIT_ADMIN):
        assert Post.objects.filter(roles__code=role).exists(), role
    assert User.objects.filter(kind="citizen").exists()


def test_running_the_demo_twice_changes_nothing(demo):
    from zhenjie.enforcement import models as enforcement
    from zhenjie.kernel.models import Document

    counted = (Area, Unit, User, Post, Case, Document, enforcement.EnforcementCase, enforcement.Certificate, enforcement.DiscretionBenchmark,
               enforcement.Evidence, enforcement.PenaltyNotice, enforcement.PenaltyDecision, enforcement.Transfer, enforcement.JointOperation)
    before = Counter({model.__name__: model.objects.count() for model in counted})
    assert "已存在，跳过" in run_demo()
    after = Counter({model.__name__: model.objects.count() for model in counted})
    assert before == after and before["EnforcementCase"] > 0


def test_accounts_are_printed_one_json_object_per_line(demo):
    lines = run_demo("--accounts").strip().splitlines()
    records = [json.loads(line) for line in lines]
    assert all(set(r) == {"username", "password", "roles", "unit", "area"} for r in records)
    by_name = {r["username"]: r for r in records}
    assert by_name["liuwan.leader"]["roles"] == ["township_leader"] and by_name["liuwan.leader"]["area"] == "柳湾镇"
    assert len({r["username"] for r in records}) == User.objects.count()
    assert len(DEPARTMENTS) - 2 == sum(1 for r in records if r["roles"] == ["department_liaison"])
    assert len(DEPARTMENTS) - 2 == sum(1 for r in records if r["roles"] == ["department_leader"])


# ---- the enforcement team (issue 16 item 8) ---------------------------------------------------


def _enforcement_cases(township: str):
    from zhenjie.enforcement.models import EnforcementCase

    return EnforcementCase.objects.filter(case__area__path__startswith=Area.objects.get(level="township", name=township).path)


def test_the_first_township_has_an_enforcement_case_in_every_state(demo):
    from zhenjie.enforcement.models import Procedure
    from zhenjie.enforcement.workflow import ENFORCEMENT_WORKFLOW

    cases = _enforcement_cases("城关街道")
    assert set(cases.values_list("case__state", flat=True)) == set(ENFORCEMENT_WORKFLOW.states)
    assert cases.filter(procedure=Procedure.SUMMARY).exists()
    # Some leads come from the demo's events of illegal building and land use, by their numbers.
    parents = Case.objects.filter(pk__in=cases.values("case__parent"), kind="event")
    assert parents.count() >= 3 and set(parents.values_list("event__category__code", flat=True)) == {"illegal_construction", "farmland"}
    assert _enforcement_cases("柳湾镇").count() >= 2 and journal.verify() == []


def test_every_case_has_the_papers_its_state_implies(demo):
    from zhenjie.enforcement.models import PenaltyDecision
    from zhenjie.kernel.models import Document

    def kinds(enforcement) -> set[str]:
        return {kind.removeprefix("enforcement_") for kind in Document.objects.filter(case=enforcement.case).values_list("kind", flat=True)}

    cases = _enforcement_cases("城关街道").select_related("case")
    for enforcement in cases.filter(registered_at__isnull=False):
        assert "registration_form" in kinds(enforcement), enforcement.case.number
    for enforcement in cases.filter(case__state__in=["notified", "hearing", "reviewing", "deciding", "decided", "executing"],
                                    procedure="general"):  # fmt: skip
        assert "hearing_prior_notice" in kinds(enforcement), enforcement.case.number
    assert "hearing_notice" in kinds(cases.get(case__state="hearing"))
    assert "review_opinion" in kinds(cases.get(case__state="decided"))
    decisions = PenaltyDecision.objects.filter(enforcement__in=cases, summary=False).select_related("document")
    assert decisions.count() >= 3
    for row in decisions:
        assert row.document.kind == "enforcement_penalty_decision" and "综执决〔" in row.document.number
    for enforcement in cases.filter(case__state="closed"):
        assert "closing_report" in kinds(enforcement)
    assert "service_receipt" in kinds(cases.get(case__state="executing"))
    assert {"inspection_record", "interview_record"} <= set().union(*(kinds(e) for e in cases))


def test_a_transfer_each_way_and_a_joint_operation(demo):
    from zhenjie.enforcement.models import Answer, Direction, JointOperation, OperationStatus, Transfer

    transfers = Transfer.objects.filter(team__area__name="城关街道").select_related("department", "enforcement__case", "document")
    out = transfers.get(direction=Direction.OUT, answer=Answer.ACCEPTED)
    assert out.enforcement.case.state == "transferred" and out.department.kind == "department" and out.document.number
    assert transfers.filter(direction=Direction.OUT, answer=Answer.PENDING, enforcement__case__state="transferring").exists()
    incoming = transfers.get(direction=Direction.IN)
    assert incoming.answer == Answer.ACCEPTED and incoming.enforcement.registered_at is not None
    operation = JointOperation.objects.get(township__name="城关街道")
    assert operation.status == OperationStatus.DONE and operation.cases.exists()
    parts = operation.participants.select_related("unit")
    assert {p.unit.name for p in parts} == {"城关派出所", "城关市场监管所"} and all(p.recorded_at for p in parts)


def test_every_officer_holds_a_valid_certificate_and_one_is_expiring(demo):
    from django.utils import timezone

    from zhenjie.enforcement.certificates import Status, certificate_for, status_of
    from zhenjie.enforcement.models import Certificate

    today = timezone.localdate()
    officers = User.objects.filter(username__regex=r"^[a-z]+\.enforcer[12]$")
    assert officers.count() == 8
    for officer in officers:
        township = Post.objects.filter(user=officer).select_related("unit__area").first().unit.area
        assert certificate_for(officer, township, today).valid_until >= today
    statuses = [status_of(c, today, 30) for c in Certificate.objects.all()]
    assert statuses.count(Status.EXPIRING) == 1 and statuses.count(Status.VALID) == 7


def test_an_enforcer_sees_the_cases_of_their_own_township_only(demo, client):
    for username, own, other in (("chengguan.enforcer1", "城关综执", "柳湾综执"), ("liuwan.enforcer1", "柳湾综执", "城关综执")):
        client.force_login(User.objects.get(username=username))
        for url in ("/enforcement/", "/enforcement/queue/"):
            page = client.get(url).content.decode()
            assert own in page and other not in page, (username, url)
