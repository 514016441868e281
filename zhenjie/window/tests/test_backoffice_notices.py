"""The head approves an extension (行政许可法 Art. 42: "经本行政机关负责人批准"), and the applicant
is told in writing whichever way the clock was extended or resumed (Arts. 42, 45)."""

from datetime import date

import pytest
from django.utils import timezone

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.kernel.errors import Forbidden
from zhenjie.kernel.extensions import decide_extension
from zhenjie.kernel.models import Assignment, Document, Extension, JournalEntry
from zhenjie.lists.tests.builders import county_power_list
from zhenjie.testing import make_user
from zhenjie.window.actions import acceptance, backoffice
from zhenjie.window.testing import make_application, make_window_world
from zhenjie.window.workflow import State

from .test_backoffice import POLICE_ITEM, accepted, at, fresh, on_day, pdf_text
from .test_decision_api import headers

pytestmark = pytest.mark.django_db


@pytest.fixture
def ww(world):
    return make_window_world(world, rows=(POLICE_ITEM,))


def police_decides(ww):
    """An application township A took in for an item only the county's police may decide."""
    county_power_list(ww.world)
    application = make_application(ww, "ZW0100", received_at=at(2026, 6, 29))
    with on_day(at(2026, 6, 30)):
        acceptance.accept_application(ww.clerk_a, fresh(application))
    application = fresh(application)
    assert application.deciding_unit == ww.world.police
    return application


def test_a_departments_extension_is_approved_by_its_head_and_not_by_its_other_members(ww):
    application = police_decides(ww)
    head = make_user("police_head", ww.world.police, [R.DEPARTMENT_LEADER], None)
    backoffice.request_extension(ww.world.liaison, application, 10, "需现场核查消防条件")
    work = Assignment.objects.get(case=application.case, todo="approve_extension")
    assert (work.unit, work.role) == (ww.world.police, R.DEPARTMENT_LEADER)
    for refused in (ww.world.liaison, ww.world.leader_a, ww.backoffice_a):
        with pytest.raises(Forbidden) as error:
            backoffice.decide_extension(refused, fresh(application), True)
        assert error.value.message == "只有审批部门(测试县公安局)的负责人可以审批延期"
    assert Extension.objects.get().state == "pending" and not Document.objects.filter(kind="extension_notice").exists()
    backoffice.decide_extension(head, fresh(application), True, "同意")
    notice = Document.objects.get(kind="extension_notice")
    assert notice.unit == ww.world.police and "需现场核查消防条件" in pdf_text(notice)
    assert Assignment.objects.get(case=application.case, todo="approve_extension").state == "done"


def test_only_the_head_is_offered_the_approval_on_the_page(ww, client):
    application = police_decides(ww)
    head = make_user("police_head", ww.world.police, [R.DEPARTMENT_LEADER], None)
    backoffice.request_extension(ww.world.liaison, application, 5, "需现场核查")
    client.force_login(head)
    page = client.get(f"/window/{application.case_id}/")
    assert page.status_code == 200 and 'data-testid="approve-extension"' in page.content.decode()
    assert Assignment.objects.filter(case=application.case, todo="approve_extension", role=R.DEPARTMENT_LEADER).exists()
    client.force_login(ww.world.liaison)
    assert 'data-testid="approve-extension"' not in client.get(f"/window/{application.case_id}/").content.decode()


def test_a_township_application_is_still_approved_by_the_townships_leader(ww):
    application = accepted(ww)
    backoffice.request_extension(ww.backoffice_a, application, 5, "需入户核实")
    with pytest.raises(Forbidden, match="只有本乡镇\\(街道\\)领导可以审批延期"):
        backoffice.decide_extension(ww.world.leader_b, fresh(application), True)
    backoffice.decide_extension(ww.world.leader_a, fresh(application), True)
    assert Document.objects.filter(kind="extension_notice").count() == 1


def test_approving_through_the_generic_case_endpoint_issues_the_extension_notice_once(ww, client):
    application = accepted(ww)
    request = backoffice.request_extension(ww.backoffice_a, application, 10, "需入户核实家庭经济状况")
    auth = headers(client, ww.world.leader_a)
    path = f"/api/cases/{application.case_id}/extensions/{request.pk}/decide"
    answer = client.post(path, {"approve": True, "note": "同意"}, content_type="application/json", **auth)
    assert answer.status_code == 200
    notice = Document.objects.get(kind="extension_notice")
    text = pdf_text(notice)
    # 2026-09-29 + 10 working days over National Day: the new date the applicant reads
    assert "入户核实家庭经济状况" in text and "10个工作日" in text and "2026年10月19日" in text
    assert timezone.localtime(fresh(application).case.due_at).date() == date(2026, 10, 19)
    again = client.post(path, {"approve": True}, content_type="application/json", **auth)
    assert again.status_code == 409 and Document.objects.filter(kind="extension_notice").count() == 1


def test_a_denied_extension_through_the_kernel_issues_nothing(ww):
    application = accepted(ww)
    request = backoffice.request_extension(ww.backoffice_a, application, 5, "需入户核实")
    decide_extension(ww.world.leader_a, request, False, "不同意")
    assert not Document.objects.filter(kind="extension_notice").exists()


def test_resuming_tells_the_applicant_in_writing_when_the_limits_now_fall(ww):
    application = accepted(ww)
    with on_day(at(2026, 9, 23)):
        backoffice.exclude(ww.backoffice_a, application, "expert_review", "需组织专家评审", 5)
    with on_day(at(2026, 9, 25)):
        backoffice.resume(ww.backoffice_a, fresh(application), "评审结束")
    notice = Document.objects.get(kind="special_procedure_ended_notice")
    text = pdf_text(notice)
    assert "特别程序结束告知书" in text and "专家评审" in text and notice.number.replace(" ", "") in text
    # one working day stood still (see test_backoffice): promised 09-30, statutory 10-27
    assert "2026年09月25日" in text and "2026年09月30日" in text and "2026年10月27日" in text
    assert JournalEntry.objects.filter(case=application.case, verb="document.issue", data__kind="special_procedure_ended_notice").count() == 1


def test_a_refused_resume_takes_no_number(ww):
    application = accepted(ww)
    with pytest.raises(Exception):
        backoffice.resume(ww.backoffice_a, application)
    with on_day(at(2026, 9, 23)):
        backoffice.exclude(ww.backoffice_a, application, "hearing", "需听证", 5)
    with pytest.raises(Forbidden):
        backoffice.resume(ww.clerk_a, fresh(application))
    assert fresh(application).case.state == State.EXCLUDED
    assert not Document.objects.filter(kind="special_procedure_ended_notice").exists()
