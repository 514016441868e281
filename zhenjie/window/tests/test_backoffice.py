"""Acceptance and its receipts, routing, the statutory clock, excluded periods and extensions
(issue 15 items 2–3)."""

import io
from datetime import date, datetime
from unittest import mock

import pytest
from django.utils import timezone
from pypdf import PdfReader

from zhenjie.kernel import attachments
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected
from zhenjie.kernel.models import Assignment, Document, Extension, JournalEntry
from zhenjie.lists.tests.builders import county_power_list, service_row
from zhenjie.lists.tests.test_delegations import delegate
from zhenjie.units.actions import create_unit
from zhenjie.units.models import Unit
from zhenjie.window import clock, routing
from zhenjie.window.actions import acceptance, backoffice
from zhenjie.window.models import Application, ApplicationMaterial, ExcludedPeriod, MaterialStatus
from zhenjie.window.testing import make_application, make_window_world
from zhenjie.window.workflow import State

pytestmark = pytest.mark.django_db


def at(y, m, d, hour=10):
    return timezone.make_aware(datetime(y, m, d, hour))


def on_day(moment):
    """Run the actions as if it were `moment` (the engine and the clock read timezone.now())."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


def pdf_text(document: Document) -> str:
    with attachments.open_blob(document.attachment.blob) as blob:
        data = blob.read()
    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def ww(world):
    return make_window_world(world)


def fresh(application) -> Application:
    return Application.objects.select_related("case", "service_item", "intake_unit").get(pk=application.pk)


# ---- receipts -----------------------------------------------------------------------------


def test_acceptance_issues_a_numbered_receipt_routes_to_the_township_and_starts_the_promised_clock(ww):
    application = make_application(ww, received_at=at(2026, 9, 21, 9))
    with on_day(at(2026, 9, 21)):
        receipt = acceptance.accept_application(ww.clerk_a, fresh(application))
    application = fresh(application)
    assert application.case.state == State.REVIEWING and application.deciding_unit == ww.centre_a
    text = pdf_text(receipt)
    assert receipt.kind == "acceptance_notice" and receipt.number.replace(" ", "") in text and "受理通知书" in text
    assert "2026年10月26日" in text  # statutory 20 wd after 2026-09-21, over National Day (statutory-deadlines.md §0)
    # promised 5 working days: 2026-09-21 + 5 wd → 2026-09-29 (statutory-deadlines.md §0)
    assert timezone.localtime(application.case.due_at).date() == date(2026, 9, 29)
    assert Assignment.objects.get(case=application.case, todo="decide", state="open").unit == ww.centre_a
    route = JournalEntry.objects.get(case=application.case, verb="window.route")
    assert "办理层级" in route.note and ww.centre_a.name in route.summary


def test_accept_is_refused_naming_the_missing_material_and_writes_nothing(ww):
    application = make_application(ww)
    ApplicationMaterial.objects.filter(application=application, name="申请表").update(status=MaterialStatus.MISSING)
    with pytest.raises(Rejected) as error:
        acceptance.accept_application(ww.clerk_a, fresh(application))
    assert "申请表" in error.value.message
    assert fresh(application).case.state == State.RECEIVED and not Document.objects.exists()


def test_a_deferral_the_guide_does_not_allow_blocks_acceptance_and_an_allowed_one_does_not(ww):
    application = make_application(ww)
    ApplicationMaterial.objects.filter(application=application, name="居民身份证").update(status=MaterialStatus.DEFERRED, due_on=date(2026, 12, 31))
    with pytest.raises(Rejected, match="居民身份证"):
        acceptance.accept_application(ww.clerk_a, fresh(application))
    ApplicationMaterial.objects.filter(application=application, name="居民身份证").update(status=MaterialStatus.RECEIVED, due_on=None)
    ApplicationMaterial.objects.filter(application=application, name="户口簿").update(status=MaterialStatus.DEFERRED, due_on=date(2026, 12, 31))
    acceptance.accept_application(ww.clerk_a, fresh(application))
    assert fresh(application).case.state == State.REVIEWING


def test_refusal_prints_the_reason_and_a_blank_reason_writes_nothing(ww):
    application = make_application(ww)
    with pytest.raises(Rejected):
        acceptance.refuse_acceptance(ww.clerk_a, fresh(application), "  ")
    assert not Document.objects.exists()
    receipt = acceptance.refuse_acceptance(ww.clerk_a, fresh(application), "申请人不具有本县户籍，不属于本机关受理范围")
    text = pdf_text(receipt)
    assert "不予受理通知书" in text and "不具有本县户籍" in text and receipt.number.replace(" ", "") in text
    assert fresh(application).case.state == State.NOT_ACCEPTED


def test_of_two_clerks_accepting_at_once_one_wins_and_the_other_gets_a_conflict(ww):
    application = make_application(ww)
    first, second = fresh(application), fresh(application)
    acceptance.accept_application(ww.clerk_a, first)
    with pytest.raises(Conflict):
        acceptance.accept_application(ww.clerk_a, second)
    assert Document.objects.filter(kind="acceptance_notice").count() == 1
    assert Assignment.objects.filter(case=application.case, todo="decide").count() == 1


def test_a_clerk_of_another_township_cannot_accept(ww):
    application = make_application(ww)
    with pytest.raises((Forbidden, Exception)) as error:
        acceptance.accept_application(ww.clerk_b, fresh(application))
    assert getattr(error.value, "status", 404) in (403, 404)
    assert fresh(application).case.state == State.RECEIVED and not Document.objects.exists()


# ---- the clock ----------------------------------------------------------------------------


def test_working_days_skip_the_2026_holidays_and_count_the_make_up_days():
    # statutory-deadlines.md §0 worked examples
    assert timezone.localtime(clock.due_preview(at(2026, 9, 21), 20)).date() == date(2026, 10, 26)
    assert timezone.localtime(clock.due_preview(at(2026, 1, 30), 20)).date() == date(2026, 3, 5)
    assert timezone.localtime(clock.due_preview(at(2026, 9, 21), 5)).date() == date(2026, 9, 29)


def test_a_deemed_accepted_application_counts_from_receipt(ww):
    application = make_application(ww, received_at=at(2026, 9, 21, 9))
    Application.objects.filter(pk=application.pk).update(deemed_accepted=True)
    with on_day(at(2026, 10, 9)):
        acceptance.accept_application(ww.clerk_a, fresh(application))
    application = fresh(application)
    assert application.clock.from_receipt and application.clock.started_at == at(2026, 9, 21, 9)
    due, _ = clock.statutory_due(application.clock, application.case)
    assert timezone.localtime(due).date() == date(2026, 10, 26)


def accepted(ww, **kwargs):
    application = make_application(ww, received_at=at(2026, 9, 21, 9), **kwargs)
    with on_day(at(2026, 9, 21)):
        acceptance.accept_application(ww.clerk_a, fresh(application))
    return fresh(application)


def test_an_excluded_period_pauses_the_clock_tells_the_applicant_and_resume_moves_the_deadline(ww):
    application = accepted(ww)
    with on_day(at(2026, 9, 23)):
        period = backoffice.exclude(ww.backoffice_a, application, "expert_review", "需组织专家对申请人家庭状况进行评审", 5)
    application = fresh(application)
    assert application.case.state == State.EXCLUDED and application.case.paused_at is not None
    text = pdf_text(period.notice)
    assert "特别程序告知书" in text and "专家评审" in text and "5个工作日" in text
    with on_day(at(2026, 9, 25)):
        backoffice.resume(ww.backoffice_a, application, "评审结束")
    application = fresh(application)
    # one working day stood still: the 24th (the 25th is 中秋节, a holiday): 2026-09-29 + 1 wd
    assert timezone.localtime(application.case.due_at).date() == date(2026, 9, 30)
    due, _ = clock.statutory_due(application.clock, application.case)
    assert timezone.localtime(due).date() == date(2026, 10, 27)  # 2026-10-26 + 1 wd
    assert ExcludedPeriod.objects.get().ended_at is not None
    assert Assignment.objects.get(case=application.case, todo="decide").state == "open"  # still the back office's


def test_bad_exclusions_are_refused_and_write_nothing(ww):
    application = accepted(ww)
    for kind, reason, days in (("picnic", "理由", 5), ("hearing", "", 5), ("hearing", "x" * 501, 5), ("hearing", "理由", 0), ("hearing", "理由", "5")):
        with pytest.raises(Rejected):
            backoffice.exclude(ww.backoffice_a, application, kind, reason, days)
    with pytest.raises(Conflict):
        backoffice.resume(ww.backoffice_a, application)
    assert fresh(application).case.state == State.REVIEWING and not ExcludedPeriod.objects.exists()
    assert not Document.objects.filter(kind="special_procedure_notice").exists()


def test_an_approved_extension_moves_ten_working_days_and_tells_the_applicant_why(ww):
    application = accepted(ww)
    before = fresh(application).case.due_at
    backoffice.request_extension(ww.backoffice_a, application, 10, "需入户核实家庭经济状况")
    with pytest.raises(Forbidden):
        backoffice.decide_extension(ww.backoffice_a, fresh(application), True)
    backoffice.decide_extension(ww.world.leader_a, fresh(application), True, "同意")
    application = fresh(application)
    # 2026-09-29 + 10 wd: the 30th, then National Day (1–7 Oct) off and Saturday 10 Oct a make-up working day
    assert timezone.localtime(application.case.due_at).date() == date(2026, 10, 19)
    assert timezone.localtime(before).date() == date(2026, 9, 29)
    notice = Document.objects.get(kind="extension_notice")
    assert "入户核实家庭经济状况" in pdf_text(notice) and "10个工作日" in pdf_text(notice)
    # Art. 42 allows 10 in all: one more day is refused
    with pytest.raises(Rejected, match="最多还可延长0个工作日"):
        backoffice.request_extension(ww.backoffice_a, application, 1, "还需核实")


def test_a_denied_extension_leaves_the_deadline_and_an_extension_beyond_the_statute_is_refused(ww):
    application = accepted(ww)
    with pytest.raises(Rejected, match="最多还可延长10个工作日"):
        backoffice.request_extension(ww.backoffice_a, application, 11, "需入户核实")
    backoffice.request_extension(ww.backoffice_a, application, 5, "需入户核实")
    backoffice.decide_extension(ww.world.leader_a, fresh(application), False, "不同意")
    application = fresh(application)
    assert timezone.localtime(application.case.due_at).date() == date(2026, 9, 29)
    assert Extension.objects.get().state == "denied" and not Document.objects.filter(kind="extension_notice").exists()


# ---- routing ------------------------------------------------------------------------------

POLICE_ITEM = service_row("ZW0100", "娱乐场所有关事项办理", service_type="行政许可", statutory_days=None, promised_days=10, power_code="GA-CF-003")


def test_a_delegation_not_yet_in_force_sends_the_decision_to_the_department_and_in_force_to_the_township(world):
    ww = make_window_world(world, rows=(POLICE_ITEM,))
    county_power_list(world)
    world.team_a = create_unit(None, name="甲镇综合执法队", kind=Unit.Kind.CENTRE, area=world.a)
    delegate(world, "GA-CF-003")  # in force from 2026-07-01
    before = make_application(ww, "ZW0100", received_at=at(2026, 6, 29))
    with on_day(at(2026, 6, 30)):
        acceptance.accept_application(ww.clerk_a, fresh(before))
    before = fresh(before)
    assert before.deciding_unit == world.police
    work = Assignment.objects.get(case=before.case, todo="decide")
    assert work.unit == world.police and work.role == ""
    assert "2026-07-01起施行" in before.routes.get().basis and "测试县公安局" in before.routes.get().basis
    assert before.clock.statutory_days == 20  # a licence without a guide limit: Art. 42's 20 working days
    after = make_application(ww, "ZW0100", received_at=at(2026, 7, 1))
    with on_day(at(2026, 7, 2)):
        acceptance.accept_application(ww.clerk_a, fresh(after))
    after = fresh(after)
    assert after.deciding_unit == ww.centre_a and "赋权" in after.routes.get().basis


def test_the_demo_delegations_route_the_rural_homestead_item(world):
    """With the demo's own department list, delegation batches and guide item: before the first
    batch's effective date both departments decide, jointly; from it the developed town does."""
    from zhenjie.lists import demo
    from zhenjie.lists.demo_data import powers, services
    from zhenjie.lists.models import ListKind
    from zhenjie.lists.tests.builders import published_list

    departments = {slug: create_unit(None, name=f"测试县{slug}", kind=Unit.Kind.DEPARTMENT, area=world.county) for slug in powers.DEPARTMENT_ITEMS}
    published_list(world.county_admin, kind=ListKind.POWER, name="测试县县直部门权责清单", area=world.county,
                   rows=powers.department_power_rows(departments), effective_from=date(2025, 1, 1))
    demo._delegations(world.county_admin, world.county, departments, 2027)  # first batch in force from 2026-07-01
    code, joint = services.POWER_CODES["农村村民宅基地申请审批"]
    ww = make_window_world(world, rows=(service_row("ZW0200", "农村村民宅基地申请审批", service_type="行政许可", power_code=code, joint_power_codes=joint),))
    before = make_application(ww, "ZW0200", received_at=at(2026, 6, 29))
    with on_day(at(2026, 6, 30)):
        acceptance.accept_application(ww.clerk_a, fresh(before))
    before = fresh(before)
    assert [r.unit for r in before.routes.all()] == [departments["agriculture"], departments["natural-resources"]]
    assert before.clock.joint and before.clock.extension_max == 15
    # the joint item waits for both
    assert routing.pending_deciders(before) == [departments["agriculture"], departments["natural-resources"]]
    Assignment.objects.filter(case=before.case, unit=departments["agriculture"], todo="decide").update(state="done")
    assert routing.pending_deciders(before) == [departments["natural-resources"]] and not routing.all_decided(before)
    Assignment.objects.filter(case=before.case, todo="decide").update(state="done")
    assert routing.all_decided(before)
    after = make_application(ww, "ZW0200", received_at=at(2026, 7, 2))
    with on_day(at(2026, 7, 2)):
        acceptance.accept_application(ww.clerk_a, fresh(after))
    assert [r.unit for r in fresh(after).routes.all()] == [ww.centre_a]
    # township B is not a developed town: the first batch never reached it
    in_b = make_application(ww, "ZW0200", township=world.b, received_at=at(2026, 7, 2))
    with on_day(at(2026, 7, 2)):
        acceptance.accept_application(ww.clerk_b, fresh(in_b))
    assert fresh(in_b).deciding_unit == departments["agriculture"]


def test_an_item_whose_power_no_one_holds_cannot_be_accepted(world):
    ww = make_window_world(world, rows=(service_row("ZW0300", "无主事项", power_code="NO-SUCH-001"),))
    application = make_application(ww, "ZW0300")
    with pytest.raises(Rejected, match="无法确定审批单位"):
        acceptance.accept_application(ww.clerk_a, fresh(application))
    assert fresh(application).case.state == State.RECEIVED and not Document.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_accepting_at_the_same_moment_one_wins_and_no_receipt_number_is_lost():
    import threading

    from django.db import connection, connections

    from zhenjie.accounts.roles import RoleCode
    from zhenjie.testing import make_user

    if connection.vendor != "postgresql":
        pytest.skip("true parallel writers need PostgreSQL; SQLite serialises them")
    ww = make_window_world()
    second = make_user("window_a2", ww.centre_a, [RoleCode.WINDOW_CLERK], ww.world.a)
    application = make_application(ww)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def act(user):
        try:
            mine = fresh(application)
            barrier.wait()
            acceptance.accept_application(user, mine)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(user,)) for user in (ww.clerk_a, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    receipts = list(Document.objects.filter(kind="acceptance_notice"))
    assert len(receipts) == 1 and "第1号" in receipts[0].number  # the loser's number went back unused
    assert Assignment.objects.filter(case=application.case, todo="decide").count() == 1
