"""Part 3's panel on the case page: the notice with its paper and the last day for the party, the
statements with their answers, the hearing with its paper, and a form for each step the person may
take now (the workflow's rules decide, as the actions do). Forms post to the kit's act view."""

from zhenjie.kernel.workflow import Permitted, permitted_actions

from . import forms_hearing as forms
from .queries_hearing import hearings_of

PANEL_FORMS = {
    "record_statement": forms.StatementForm, "waive": forms.WaiverForm, "schedule_hearing": forms.ScheduleForm,
    "record_hearing": forms.RecordHearingForm,
}  # fmt: skip


def hearing_panel(request, enforcement, bound: dict | None = None, permitted: Permitted | None = None) -> dict:
    """`permitted`: what the user may do, when the page has already weighed it."""
    bound = bound or {}
    shown = hearings_of(request.user, enforcement)
    if shown.notice is None:
        return {"hearings": shown, "statement_rows": []}
    if permitted is None:
        permitted = permitted_actions(request.user, enforcement.case)
    panel_forms = {
        name: bound.get(name) or form(user=request.user, record=enforcement) for name, form in PANEL_FORMS.items() if name in permitted
    }  # fmt: skip
    may_answer = "record_statement" in permitted
    answering = bound.get("answer_statement")
    rows = []
    for statement in shown.statements:
        form = None
        if statement.adopted is None and may_answer:
            failed = answering is not None and answering.data.get("statement") == str(statement.pk)
            form = answering if failed else forms.AnswerForm(statement=statement.pk)
        rows.append((statement, form))
    return {"hearings": shown, "hearing_forms": panel_forms, "statement_rows": rows}
