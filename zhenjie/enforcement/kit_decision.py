"""The review and decision steps on the kit (kernel/PAGES.md): each runs the action of the same
name. The review and extension steps take the workflow's declared inputs (their forms and the
kit's step endpoint come from them); the decision, the on-the-spot decision and the meeting take
amounts, lists and dates, so they have their own forms here and their own endpoints
(api_decision.py)."""

from zhenjie.workbench.kit import Step

from .actions import decision
from .forms_decision import DecisionForm, ExtensionDecisionForm, MeetingForm, SummaryDecisionForm


def _form(form_class):
    return (
        lambda data, files, user, record: form_class(data, enforcement=record)
        if form_class is not SummaryDecisionForm
        else form_class(data)
    )


def _penalty(values: dict) -> decision.Penalty:
    return decision.Penalty(kinds=list(values.get("kinds") or []), fine_amount=values.get("fine_amount"), confiscation=values.get("confiscation", ""),
                            benchmark_id=values.get("benchmark_id"), reasons=values.get("reasons", ""))  # fmt: skip


DECISION_STEPS = {
    "submit_review": Step(lambda actor, e, values: decision.submit_review(actor, e)),
    "review_pass": Step(lambda actor, e, values: decision.review_pass(actor, e, values)),
    "review_return": Step(lambda actor, e, values: decision.review_return(actor, e, values)),
    "ready": Step(lambda actor, e, values: decision.ready_for_decision(actor, e)),
    "decide": Step(lambda actor, e, values: decision.decide_case(actor, e, _penalty(values)), inputs=(), form=_form(DecisionForm), api=False),
    "summary_decide": Step(lambda actor, e, values: decision.summary_decide(actor, e, values["power_code"], _penalty(values)), inputs=(),
                           form=_form(SummaryDecisionForm), api=False),
    "record_meeting": Step(lambda actor, e, values: decision.record_meeting(actor, e, decision.Meeting(**values)), inputs=(),
                           form=_form(MeetingForm), api=False),
    "classify": Step(lambda actor, e, values: decision.classify_case(actor, e, values.get("is_major"), values.get("is_serious"), values["reason"])),
    "request_extension": Step(lambda actor, e, values: decision.request_extension(actor, e, values["amount"], values["reason"])),
    "decide_extension": Step(lambda actor, e, values: decision.decide_extension(actor, e, values["approve"], values.get("note", "")),
                             form=lambda data, files, user, record: ExtensionDecisionForm(data)),
}  # fmt: skip
