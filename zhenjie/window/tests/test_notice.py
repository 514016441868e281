"""The one-time notice (一次性告知, 行政许可法 Art. 32(4)): exactly the missing or defective items, once;
deemed accepted when the front desk lets five working days pass; the supplement restarts the check."""

import io
from datetime import datetime

import pytest
from django.utils import timezone
from pypdf import PdfReader

from zhenjie.kernel.attachments import open_blob
from zhenjie.kernel.errors import Conflict, Rejected
from zhenjie.kernel.models import Document, JournalEntry
from zhenjie.window.actions.intake import MaterialIn, file_application
from zhenjie.window.actions.notice import Supplied, issue_notice, settle_deemed, supplement, sweep_deemed
from zhenjie.window.jobs import deem_overdue
from zhenjie.window.models import Application, MaterialStatus, Notice
from zhenjie.window.queries import get_application_for
from zhenjie.window.testing import make_window_world
from zhenjie.window.workflow import State

from .test_intake import all_received, filing, guide_materials


@pytest.fixture
def ww(db):
    return make_window_world()


def at(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def one_missing(ww, when=None):
    item = ww.items_a["ZW0001"]
    _, deferrable, form = guide_materials(item)
    materials = all_received(item, {form.pk: MaterialIn(status="missing")})
    return file_application(ww.clerk_a, filing(item, materials=materials), at=when).application


def material(application, name):
    return application.materials.get(name=name)


def pdf_text(document: Document) -> str:
    with open_blob(document.attachment.blob) as f:
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(f.read())).pages)


def test_the_notice_lists_exactly_the_missing_item(ww):
    application = one_missing(ww)
    form = material(application, "申请表")
    notice = issue_notice(ww.clerk_a, application, {form.pk: "未提交申请表，请到窗口领取填写并签名"})
    application.case.refresh_from_db()
    assert application.case.state == State.NOTIFIED and application.case.due_at is None
    assert notice.round == 1 and notice.document.number.startswith("甲镇告")
    text = pdf_text(notice.document)
    assert "申请表" in text and "未提交申请表" in text
    assert "居民身份证" not in text and "户口簿" not in text  # received: not in the notice
    assert [i.material.name for i in notice.items.all()] == ["申请表"]


def test_a_notice_must_name_every_missing_item_and_nothing_unknown(ww):
    application = one_missing(ww)
    id_card = material(application, "居民身份证")
    before = Document.objects.count()
    with pytest.raises(Rejected) as refused:
        issue_notice(ww.clerk_a, application, {id_card.pk: "复印件不清晰"})
    assert refused.value.code == "notice.incomplete" and "申请表" in refused.value.message
    for problems, code in (({}, "notice.problems_required"), ({10**9: "x"}, "notice.material_unknown"),
                           ({material(application, "申请表").pk: " "}, "notice.problem_required"),
                           ({material(application, "申请表").pk: "字" * 301}, "notice.problem_too_long")):  # fmt: skip
        with pytest.raises(Rejected) as refused:
            issue_notice(ww.clerk_a, application, problems)
        assert refused.value.code == code
    assert Document.objects.count() == before and Notice.objects.count() == 0
    assert Application.objects.get(pk=application.pk).case.state == State.RECEIVED


def test_supplement_restarts_the_check_and_a_second_notice_names_no_new_item(ww):
    application = one_missing(ww)
    form, id_card = material(application, "申请表"), material(application, "居民身份证")
    issue_notice(ww.clerk_a, application, {form.pk: "未提交"})
    with pytest.raises(Rejected):
        supplement(ww.clerk_a, application, {id_card.pk: Supplied(form="original", copies=1)})  # not asked for
    with pytest.raises(Rejected):
        supplement(ww.clerk_a, application, {})
    supplement(ww.clerk_a, application, {form.pk: Supplied(form="original", copies=1)})
    application = Application.objects.get(pk=application.pk)
    case = application.case
    assert case.state == State.RECEIVED and case.due_at == application.notice_due_at and case.due_at > application.received_at
    assert material(application, "申请表").status == MaterialStatus.RECEIVED
    assert case.assignments.filter(todo="check", state="open").count() == 1
    # The form turned out wrong: it may be named again; the ID card, which the first notice did not name, may not.
    with pytest.raises(Rejected) as refused:
        issue_notice(ww.clerk_a, application, {form.pk: "未签名", id_card.pk: "已过有效期"})
    assert refused.value.code == "notice.new_item" and "居民身份证" in refused.value.message
    second = issue_notice(ww.clerk_a, application, {form.pk: "未签名"})
    assert second.round == 2


def test_an_other_townships_clerk_may_not_issue_a_notice(ww):
    application = one_missing(ww)
    with pytest.raises(Exception) as refused:
        issue_notice(ww.clerk_b, application, {material(application, "申请表").pk: "未提交"})
    assert getattr(refused.value, "status", None) == 404
    assert Notice.objects.count() == 0


def test_two_clerks_at_once_one_notice(ww):
    application = one_missing(ww)
    form = material(application, "申请表")
    stale = Application.objects.get(pk=application.pk)
    issue_notice(ww.clerk_a, application, {form.pk: "未提交"})
    with pytest.raises(Conflict):
        issue_notice(ww.clerk_a, stale, {form.pk: "未提交"})
    assert Notice.objects.count() == 1


def test_five_working_days_over_national_day_2026(ww, monkeypatch):
    # Received Wed 30 Sep 2026. National Day and Mid-Autumn 1–7 Oct are off; Sat 10 Oct is a make-up
    # working day (holidays.md). Working days after the 30th: 8, 9, 10 (make-up), 12, 13 Oct → due 13 Oct.
    application = one_missing(ww, when=at(2026, 9, 30, 10))
    due = timezone.localtime(application.notice_due_at)
    assert (due.date().isoformat(), due.hour) == ("2026-10-13", 23)
    monkeypatch.setattr(timezone, "now", lambda: at(2026, 10, 13, 17))
    assert settle_deemed(Application.objects.get(pk=application.pk)) is False
    monkeypatch.setattr(timezone, "now", lambda: at(2026, 10, 14, 9))
    fresh = Application.objects.get(pk=application.pk)
    with pytest.raises(Conflict) as refused:
        issue_notice(ww.clerk_a, fresh, {material(fresh, "申请表").pk: "未提交"})
    assert refused.value.code == "notice.deemed_accepted" and "视为受理" in refused.value.message
    # The refusal keeps the deemed acceptance it found: written, journaled once, no notice.
    stored = Application.objects.get(pk=application.pk)
    assert stored.deemed_accepted and stored.accepted_at == application.received_at
    assert JournalEntry.objects.filter(case=application.case, verb="deemed_accepted").count() == 1
    assert not Notice.objects.exists() and not Document.objects.filter(kind="supplement_notice").exists()
    get_application_for(ww.clerk_a, application.case_id)
    with pytest.raises(Conflict):
        issue_notice(ww.clerk_a, stored, {material(stored, "申请表").pk: "未提交"})
    assert JournalEntry.objects.filter(case=application.case, verb="deemed_accepted").count() == 1


def test_the_job_settles_overdue_applications(ww, monkeypatch):
    application = one_missing(ww, when=at(2026, 9, 30, 10))
    monkeypatch.setattr(timezone, "now", lambda: at(2026, 10, 20, 9))
    assert sweep_deemed() == 1
    assert Application.objects.get(pk=application.pk).deemed_accepted
    assert deem_overdue.call_local() == 0  # nothing left
