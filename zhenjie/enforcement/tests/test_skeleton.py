"""The enforcement case's record and workflow, as every part's tests start from them."""

import pytest

from zhenjie.enforcement.testing import make_enforcement_case
from zhenjie.enforcement.workflow import State
from zhenjie.kernel import workflow
from zhenjie.kernel.errors import Conflict, Forbidden, NotFound
from zhenjie.kernel.models import Case, JournalEntry

pytestmark = pytest.mark.django_db


def test_a_case_is_numbered_in_the_townships_series_and_reaches_each_state_through_the_engine(ew):
    for state in (State.LEAD, State.INVESTIGATING, State.NOTIFIED, State.REVIEWING, State.DECIDING, State.DECIDED):
        enforcement = make_enforcement_case(ew, state=state)
        case = Case.objects.get(pk=enforcement.case_id)
        assert case.state == state and case.number.startswith("甲镇综执")
    registered = make_enforcement_case(ew, state=State.INVESTIGATING)
    assert registered.power_code == "CF001" and registered.registered_at is not None
    assert JournalEntry.objects.filter(case_id=registered.case_id).count() >= 2  # opened, registered


def test_another_townships_officer_cannot_act_and_a_legal_reviewer_cannot_decide(ew):
    lead = make_enforcement_case(ew)
    with pytest.raises(NotFound):  # township B's officer does not even see it
        workflow.perform(ew.officer_b1, lead.case, "register")
    reviewing = make_enforcement_case(ew, state=State.REVIEWING)
    with pytest.raises(Forbidden):
        workflow.perform(ew.reviewer_a, reviewing.case, "decide")


def test_an_illegal_step_is_refused_and_changes_nothing(ew):
    lead = make_enforcement_case(ew)
    with pytest.raises(Conflict):
        workflow.perform(ew.officer_a1, lead.case, "serve")
    assert Case.objects.get(pk=lead.case_id).state == State.LEAD
