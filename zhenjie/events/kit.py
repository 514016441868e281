"""Events on the page and API kit (kernel/PAGES.md): each step a person takes on the event sheet,
the action it runs and the form the page asks it with. Calls (乡呼县应) have their own pages."""

from django.db.models import Q

from zhenjie.areas.paths import county_path, township_path
from zhenjie.calls import actions as calls
from zhenjie.kernel import extensions, supervision
from zhenjie.kernel.errors import NotFound
from zhenjie.kernel.models import Extension
from zhenjie.kernel.workflow import BOOLEAN, LONGTEXT, Input
from zhenjie.units.models import Unit
from zhenjie.units.queries import units_for
from zhenjie.workbench.kit import Kind, Step, register

from . import actions, queries
from .forms import CallForm, DecisionForm, DispatchForm, ExtensionForm, MergeForm, NoticeForm, RatingForm, ReasonForm, ResultForm, VerifierForm, VerifyForm
from .intake import Photo
from .workflow import EVENT_WORKFLOW


def dispatch_units(user, event):
    township = township_path(event.case.area.path)
    return units_for(user).filter(Q(area__path=township) | Q(kind=Unit.Kind.DEPARTMENT)).exclude(kind=Unit.Kind.COUNTY_LEADERSHIP)


def departments(user, event):
    """Whom the township may call (乡呼县应): the county's departments and the units they station in the township."""
    stationed = Q(kind=Unit.Kind.STATIONED, is_active=True, area__path=township_path(event.case.area.path))
    return units_for(user).filter(Q(kind=Unit.Kind.DEPARTMENT, area__path=county_path(event.case.area.path)) | stationed).order_by("kind", "sort_order", "pk")


def _form(form_class, **choices):
    """A step's page form; `choices` maps a keyword of the form to (user, event) → its queryset."""
    return lambda data, files, user, event: form_class(data, files, **{name: rows(user, event) for name, rows in choices.items()})


def _reason(action):
    return Step(lambda actor, event, values: action(actor, event, values["reason"]), form=_form(ReasonForm), form_name="reason_form")


def _merge(actor, event, values):
    actions.merge_event(actor, event, queries.get_event_for(actor, values["into"]))


def _decide(actor, event, values):
    pending = Extension.objects.filter(case=event.case, state=Extension.State.PENDING).first()
    if pending is None:
        raise NotFound("event.no_extension", "没有待审批的延期申请")
    extensions.decide_extension(actor, pending, values["approve"], values["note"])


def _photos(values) -> list[Photo]:
    """The page's uploads read; the API's come read and checked (events/api.py)."""
    return [item if isinstance(item, Photo) else Photo(item.name, item.read()) for item in values.get("photos") or []]


EVENTS = register(Kind(
    slug="events", workflow=EVENT_WORKFLOW, get=queries.get_event_for, title="事件",
    steps={
        "register": Step(lambda actor, event, values: actions.register_event(actor, event)),
        "acknowledge": Step(lambda actor, event, values: actions.acknowledge_event(actor, event)),
        "start": Step(lambda actor, event, values: actions.start_handling(actor, event)),
        "resume": Step(lambda actor, event, values: actions.resume_event(actor, event)),
        "close": Step(lambda actor, event, values: actions.close_event(actor, event)),
        "reject": _reason(actions.reject_event),
        "return": _reason(actions.return_event),
        "pause": _reason(actions.pause_event),
        "dispatch": Step(lambda actor, event, values: actions.dispatch_event(actor, event, values["unit"], values["reason"]),
                         form=_form(DispatchForm, units=dispatch_units), form_name="dispatch_form"),
        "reassign": Step(lambda actor, event, values: actions.reassign_event(actor, event, values["unit"], values["reason"]),
                         form=_form(DispatchForm, units=dispatch_units), form_name="dispatch_form"),
        "report_back": Step(lambda actor, event, values: actions.report_back(actor, event, values["result"], _photos(values)),
                            form=_form(ResultForm), form_name="result_form"),
        # 现场核查: one form, passed or not (verify_pass / verify_fail in the workflow)
        "verify": Step(lambda actor, event, values: actions.verify_event(actor, event, values["passed"], values["note"]),
                       inputs=(Input("passed", "核查通过", BOOLEAN, required=True), Input("note", "核查意见", LONGTEXT, max_length=2000)),
                       form=_form(VerifyForm), form_name="verify_form"),
        "assign_verifier": Step(lambda actor, event, values: actions.assign_verifier(actor, event, values["verifier"]),
                                form=_form(VerifierForm, people=lambda user, event: actions.verifier_candidates(event)), form_name="verifier_form"),
        "merge": Step(_merge, form=_form(MergeForm), form_name="merge_form"),
        "rate": Step(lambda actor, event, values: actions.rate_event(actor, event, values["rating"], values["comment"]),
                     form=_form(RatingForm), form_name="rating_form"),
        "notice": Step(lambda actor, event, values: supervision.issue_notice(actor, event.case, values["level"], values["text"]),
                       form=_form(NoticeForm), form_name="notice_form"),
        "answer_notice": Step(lambda actor, event, values: supervision.answer_notice(actor, event.case, values["text"])),
        "extension": Step(lambda actor, event, values: extensions.request_extension(actor, event.case, values["amount"], values["reason"]),
                          form=_form(ExtensionForm), form_name="extension_form", api=False),
        "decide_extension": Step(_decide, form=_form(DecisionForm), form_name="decision_form", api=False),
        "call": Step(lambda actor, event, values: calls.call_departments(actor, event.case, values["departments"], values["request"], values["working_days"]),
                     form=_form(CallForm, departments=departments), form_name="call_form", api=False),
    },
    render="zhenjie.events.views.render_detail", api_schema="zhenjie.events.schemas.EventOut",
    columns=queries.COLUMNS, rows=queries.events_for, prefetch=queries.with_parties,
))  # fmt: skip
