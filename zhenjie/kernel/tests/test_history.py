"""Past cases entered whole (kernel/history.py), on the kernel's own test kind."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from zhenjie.accounts.roles import RoleCode
from zhenjie.kernel import deadlines, journal
from zhenjie.kernel.assignments import Assign, inbox_for
from zhenjie.kernel.history import HistoryError, PastCase, Step, replay
from zhenjie.kernel.models import Assignment, Case, JournalEntry, JournalHead, NumberSeries
from zhenjie.kernel.tests.casekind.workflow import KIND, make_errand
from zhenjie.kernel.workflow import extend_deadline, perform

pytestmark = pytest.mark.django_db


def past_errand(world, opened, steps, title="清点防汛物资"):
    case = Case(kind=KIND, title=title, area=world.office_a.area, owner_unit=world.office_a, opened_at=opened, created_by=world.leader_a)
    deadlines.start(case, deadlines.Limit(5), opened)
    return PastCase(case, world.gov_a, assign=[Assign(world.office_a, "take")], steps=steps)


def test_a_past_case_lands_with_its_states_work_and_journal_at_the_times_it_happened(world):
    opened = timezone.now() - timedelta(days=40)
    done = past_errand(world, opened, [
        Step(opened + timedelta(hours=1), world.clerk_a, "take", assign=[Assign(world.office_a, "answer")]),
        Step(opened + timedelta(days=2), world.clerk_a, "answer", assign=[Assign(world.gov_a, "review")]),
        Step(opened + timedelta(days=3), world.leader_a, "accept"),
    ])
    waiting = past_errand(world, opened + timedelta(days=1), [
        Step(opened + timedelta(days=1, hours=2), world.clerk_a, "take", assign=[Assign(world.office_a, "answer")]),
    ], title="排查危房")
    replay([done, waiting])

    closed = Case.objects.get(pk=done.case.pk)
    assert (closed.state, closed.version, closed.closed_at) == ("done", 4, opened + timedelta(days=3))
    assert list(Assignment.objects.filter(case=closed).values_list("todo", "state", "done_by")) == [
        ("take", "done", world.clerk_a.pk), ("answer", "done", world.clerk_a.pk), ("review", "done", world.leader_a.pk),
    ]
    timeline = list(journal.entries_for_case(closed).values_list("verb", "from_state", "to_state", "created_at"))
    assert timeline == [
        ("open", "", "new", opened),
        ("take", "new", "working", opened + timedelta(hours=1)),
        ("answer", "working", "answered", opened + timedelta(days=2)),
        ("accept", "answered", "done", opened + timedelta(days=3)),
    ]
    # The open one is in the office's inbox, due when its deadline says.
    open_work = inbox_for(world.clerk_a).get(case_id=waiting.case.pk)
    assert open_work.todo == "answer" and open_work.due_at == Case.objects.get(pk=waiting.case.pk).due_at
    assert journal.verify() == []


def test_numbers_stay_gapless_between_live_and_past_cases_and_the_chain_goes_on(world):
    live = make_errand(world)  # 第1号 of this year, from the live path
    opened = timezone.now() - timedelta(minutes=30)
    past = past_errand(world, opened, [])
    replay([past])
    after = make_errand(world, title="排查燃气")
    numbers = [c.number for c in Case.objects.filter(kind=KIND).order_by("pk")]
    year = timezone.localtime().year
    assert numbers == [live.case.number, past.case.number, after.case.number]
    assert numbers == [f"甲镇人民政府〔{year}〕第{n}号" for n in (1, 2, 3)]  # one prefix, live or replayed
    assert journal.verify() == []


def test_a_step_its_workflow_does_not_allow_writes_nothing_at_all(world):
    opened = timezone.now() - timedelta(days=3)
    good = past_errand(world, opened, [Step(opened + timedelta(hours=1), world.clerk_a, "take")])
    # Accepting straight from "new" is not a transition of errands.
    bad = past_errand(world, opened, [Step(opened + timedelta(hours=2), world.leader_a, "accept")], title="错误的历史")
    before = (Case.objects.count(), JournalEntry.objects.count(), NumberSeries.objects.count(), list(JournalHead.objects.values_list("seq")))
    with pytest.raises(HistoryError, match="时不能「accept」"):
        replay([good, bad])
    assert (Case.objects.count(), JournalEntry.objects.count(), NumberSeries.objects.count(), list(JournalHead.objects.values_list("seq"))) == before


def test_steps_out_of_time_order_are_refused(world):
    opened = timezone.now() - timedelta(days=3)
    past = past_errand(world, opened, [Step(opened - timedelta(hours=1), world.clerk_a, "take")])
    with pytest.raises(HistoryError, match="早于前一步"):
        replay([past])
    assert not Case.objects.exists()


def test_closing_cancels_open_work_and_an_extension_moves_the_open_work_due(world):
    opened = timezone.now() - timedelta(days=2)
    dropped = past_errand(world, opened, [Step(opened + timedelta(hours=3), world.leader_a, "drop", note="重复交办", complete="none")])
    extended = past_errand(world, opened, [
        Step(opened + timedelta(hours=1), world.clerk_a, "take", assign=[Assign(world.office_a, "answer")]),
        Step(opened + timedelta(hours=5), world.leader_a, "extend", journal_only=True, summary="延期3工作日",
             before_save=lambda case: deadlines.extend(case, 3)),
    ], title="排查危房")
    replay([dropped, extended])
    assert Assignment.objects.get(case=dropped.case).state == "cancelled"
    case = Case.objects.get(pk=extended.case.pk)
    # An extension counts as a change of the case, as workflow.extend_deadline counts it.
    assert case.extended_amount == 3 and case.state == "working" and case.version == 3
    assert Assignment.objects.get(case=case, state="open").due_at == case.due_at
    assert journal.verify() == []


# ---- one engine: the same steps, performed live or replayed, make the same rows ----------------

# Neither run can choose these: row ids and the journal's place in its chain (sequence, hashes)
# depend on what else was written; the case number's sequence differs because both runs number
# in the same series (its prefix and year are compared); `updated_at` is when the row was last
# written, which for a replay is the moment of import by design. Everything else must match.
CASE_SKIP = {"id", "number", "updated_at"}
ASSIGNMENT_SKIP = {"id", "case"}
ENTRY_SKIP = {"id", "case", "seq", "prev_hash", "hash"}


def _row(obj, skip):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.name not in skip}


def _rows(case_id):
    case = Case.objects.get(pk=case_id)
    prefix = case.number.split("第")[0]
    header = _row(case, CASE_SKIP) | {"number": prefix}
    work = [_row(a, ASSIGNMENT_SKIP) for a in Assignment.objects.filter(case_id=case_id).order_by("pk")]
    entries = [_row(e, ENTRY_SKIP) for e in JournalEntry.objects.filter(case_id=case_id).order_by("seq")]
    for entry in entries:
        if "number" in entry["data"]:  # the opening records the number: compared by prefix as above
            entry["data"]["number"] = entry["data"]["number"].split("第")[0]
    return header, work, entries


@pytest.fixture
def clock(monkeypatch):
    """Set the time perform() reads, so live steps happen exactly when the replayed ones say."""
    now = {"at": None}
    monkeypatch.setattr(timezone, "now", lambda: now["at"])

    def set_to(at):
        now["at"] = at

    return set_to


def test_replayed_history_and_live_perform_write_identical_rows(world, clock):
    t = [timezone.make_aware(datetime(2026, 3, 2, 9, 0)) + timedelta(hours=h) for h in (0, 1, 3, 75, 76, 100, 101, 120, 122)]
    world.gov_a.short_name = "甲镇"  # the default number prefix is the short name, live and replayed
    world.gov_a.save(update_fields=["short_name"])
    review = Assign(world.gov_a, "review", role=RoleCode.TOWNSHIP_LEADER)
    redo = Assign(world.office_a, "answer")

    # Live: an errand through take, pause, resume, an extension, answer, send back, answer, accept;
    # a second one taken, then dropped with its work cancelled.
    clock(t[0])
    full = make_errand(world)
    case = full.case
    clock(t[1]); perform(world.clerk_a, case, "take", assign=[redo])  # noqa: E702
    clock(t[2]); perform(world.clerk_a, case, "pause", reason="等待检测报告", complete="none")  # noqa: E702
    clock(t[3]); perform(world.leader_a, case, "resume", complete="none")  # noqa: E702
    clock(t[4]); extend_deadline(world.leader_a, case, 3, "检测机构排期", approved_by=world.leader_a)  # noqa: E702
    extension = journal.entries_for_case(case).last().data
    clock(t[5]); perform(world.clerk_a, case, "answer", assign=[review], complete="actor", data={"answer": "已清点"})  # noqa: E702
    clock(t[6]); perform(world.leader_a, case, "send_back", reason="台账不全", assign=[redo])  # noqa: E702
    full.answer = "已补齐台账"  # the detail row accept's condition reads
    full.save(update_fields=["answer"])
    clock(t[7]); perform(world.clerk_a, case, "answer", assign=[review], data={"answer": "已补齐台账"})  # noqa: E702
    clock(t[8]); perform(world.leader_a, case, "accept")  # noqa: E702
    clock(t[0])
    short = make_errand(world, title="排查危房")
    clock(t[1]); perform(world.clerk_a, short.case, "take", assign=[redo])  # noqa: E702
    clock(t[2]); perform(world.leader_a, short.case, "drop", reason="重复交办", complete="none")  # noqa: E702

    # Replayed: the same steps as history.
    clock(t[8] + timedelta(days=1))
    full_past = past_errand(world, t[0], [
        Step(t[1], world.clerk_a, "take", assign=[redo]),
        Step(t[2], world.clerk_a, "pause", note="等待检测报告", complete="none"),
        Step(t[3], world.leader_a, "resume", complete="none"),
        Step(t[4], world.leader_a, "extend", journal_only=True, summary="延期3工作日", note="检测机构排期", data=extension,
             before_save=lambda c: deadlines.extend(c, 3)),
        Step(t[5], world.clerk_a, "answer", assign=[review], complete="actor", data={"answer": "已清点"}),
        Step(t[6], world.leader_a, "send_back", note="台账不全", assign=[redo]),
        Step(t[7], world.clerk_a, "answer", assign=[review], data={"answer": "已补齐台账"}),
        Step(t[8], world.leader_a, "accept"),
    ])
    short_past = past_errand(world, t[0], [
        Step(t[1], world.clerk_a, "take", assign=[redo]),
        Step(t[2], world.leader_a, "drop", note="重复交办", complete="none"),
    ], title="排查危房")
    replay([full_past, short_past])

    for live, past in ((full.case_id, full_past.case.pk), (short.case_id, short_past.case.pk)):
        live_rows, past_rows = _rows(live), _rows(past)
        assert live_rows[0] == past_rows[0]
        assert live_rows[1] == past_rows[1]
        assert live_rows[2] == past_rows[2]
    # What the comparison covered really happened: pause and extension moved the work's due, the
    # drop cancelled work, and the journal still verifies with both runs on one chain.
    header, work, entries = _rows(full.case_id)
    assert header["state"] == "done" and header["version"] == 9 and header["extended_amount"] == 3
    assert [(w["todo"], w["state"]) for w in work] == [("take", "done"), ("answer", "done"), ("review", "done"), ("answer", "done"), ("review", "done")]
    assert work[1]["due_at"] == header["due_at"] > work[0]["due_at"]  # the answer's due followed the resume and the extension
    assert [e["verb"] for e in entries] == ["open", "take", "pause", "resume", "extend", "answer", "send_back", "answer", "accept"]
    assert [w["state"] for w in _rows(short.case_id)[1]] == ["done", "cancelled"]
    assert journal.verify() == []
