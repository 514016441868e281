"""Part 3's steps on the page and API kit (workbench/kit.py): the notice, the party's request for a
hearing and taking the case on are transitions; statements, their answers, the written waiver and
the hearing's schedule and outcome are the workflow's "may" actions. Steps whose input is more
than the declared inputs (several penalty kinds, moments, a person) have their own API endpoints
(api_hearing.py) and are off the generic step endpoint."""

from zhenjie.kernel.workflow import CHOICE, Input
from zhenjie.workbench.kit import Step

from . import forms_hearing as forms
from .actions import hearing
from .models import StatementChannel

CHANNEL = Input("channel", "申请方式", CHOICE, required=True, choices=tuple(StatementChannel.choices))


def _notify(actor, enforcement, values):
    penalty = hearing.IntendedPenalty(
        kinds=list(values["penalty_kinds"]), fine_amount=values["fine_amount"], confiscation_value=values["confiscation_value"],
        details=values["details"], facts=values["facts"], heavier=values["heavier"],
    )  # fmt: skip
    return hearing.notify_party(actor, enforcement, penalty)


STEPS = {
    "notify": Step(_notify, form=forms.NoticeForm, api=False),
    "request_hearing": Step(
        lambda actor, e, values: hearing.request_hearing(actor, e, channel=values["channel"]), inputs=(CHANNEL,)
    ),
    "ready": Step(lambda actor, e, values: hearing.take_on(actor, e, "ready")),
    "submit_review": Step(lambda actor, e, values: hearing.take_on(actor, e, "submit_review")),
    "record_statement": Step(
        lambda actor, e, values: hearing.record_statement(actor, e, **values), form=forms.StatementForm, api=False
    ),
    "answer_statement": Step(
        lambda actor, e, values: hearing.answer_statement(
            actor, e, values["statement"], adopted=values["adopted"], answer=values["answer"]
        ),
        form=forms.AnswerForm,
        api=False,
    ),
    "waive": Step(lambda actor, e, values: hearing.record_waiver(actor, e, **values), form=forms.WaiverForm, api=False),
    "schedule_hearing": Step(
        lambda actor, e, values: hearing.schedule_hearing(actor, e, **values), form=forms.ScheduleForm, api=False
    ),
    "record_hearing": Step(
        lambda actor, e, values: hearing.record_hearing(actor, e, **values), form=forms.RecordHearingForm, api=False
    ),
}
