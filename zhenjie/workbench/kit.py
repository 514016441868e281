"""The page and API kit: how a kind of case plugs into pages and the API (PAGES.md).

A kind declares itself once — `register(Kind(slug, workflow, get, steps, columns, rows, render))` —
and gets: the one "act" page view (`act`) for every step a person takes on a record, the one step
endpoint (`POST /api/{slug}/{id}/{step}`, api/kit.py), and the export of its list as a workbook on
the page and over the API (`GET /api/{slug}/export`), with the same columns."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.module_loading import import_string
from django.views.decorators.http import require_POST

from zhenjie.kernel.errors import ActionError
from zhenjie.kernel.workflow import BOOLEAN, CASE, CHOICE, INTEGER, LONGTEXT, NUMBER_MAX, TEXT, Input, Workflow, case_input

from . import excel
from .forms import StyledFormMixin
from .views import staff_required


@dataclass(frozen=True)
class Step:
    """One thing a person does to a record: the kind's action, and what it takes.

    run(actor, record, values): the action, with the values cleaned (raises ActionError).
    inputs: what it takes; by default the workflow's declaration of the transition or "may"
    action of the same name. form(data, files, user, record): the page's form, when the inputs
    alone do not make it (choices read for the user); by default one made from the inputs.
    form_name: the name the detail page's template knows the form by (default: the step's).
    api: False when the step endpoint does not offer it (the kind has its own endpoint for it)."""

    run: Callable
    inputs: tuple[Input, ...] | None = None
    form: Callable | None = None
    form_name: str = ""
    api: bool = True


@dataclass
class Kind:
    slug: str  # the URL's name for the kind: /tasks/…, /api/tasks/…
    workflow: Workflow
    get: Callable  # (user, case_id) → the record through its scoped query, or NotFound
    steps: dict[str, Step]
    render: str  # dotted path of (request, record, forms, error, action) → the detail page
    api_schema: str = ""  # dotted path of the API's schema of one record, which the step endpoint returns
    columns: tuple[excel.Column, ...] = ()  # beside the kind's query functions
    rows: Callable | None = None  # (user) → the rows an export may hold, scoped, in order
    title: str = ""  # the export's sheet and file name
    prefetch: Callable = field(default=lambda rows: rows)  # what the columns read, in a few queries
    # (user, states or None) → the API list's (count, capped) from the indexes, or None: the rows are counted
    counted: Callable | None = None

    def _declared(self, name: str):
        return self.workflow.transitions.get(name) or self.workflow.permissions.get(name)

    def inputs_of(self, name: str) -> tuple[Input, ...]:
        step = self.steps[name]
        if step.inputs is not None:
            return step.inputs
        return self._declared(name).inputs if self._declared(name) else ()

    def label_of(self, name: str) -> str:
        return self._declared(name).label if self._declared(name) else name

    def form(self, name: str, data=None, files=None, user=None, record=None) -> forms.Form:
        step = self.steps[name]
        if step.form is not None:
            return step.form(data, files, user, record)
        return inputs_form(self.inputs_of(name))(data, files)

    def export(self, user, rows=None) -> HttpResponse:
        """The rows (the user's, filtered as the page shows them) as a workbook, these columns."""
        rows = self.prefetch(self.rows(user) if rows is None else rows)
        return excel.export(self.title, self.columns, rows)


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    _KINDS[kind.slug] = kind
    return kind


def kind_for(slug: str) -> Kind | None:
    return _KINDS.get(slug)


def registered() -> dict[str, Kind]:
    return dict(_KINDS)


def _field(spec: Input) -> forms.Field:
    if spec.kind in (TEXT, LONGTEXT):
        widget = forms.Textarea(attrs={"rows": 3}) if spec.kind == LONGTEXT else None
        return forms.CharField(label=spec.label, max_length=spec.max_length, required=spec.required, widget=widget, help_text=spec.help)
    if spec.kind == INTEGER:
        return forms.IntegerField(label=spec.label, min_value=spec.minimum, max_value=spec.maximum, required=spec.required, help_text=spec.help)
    if spec.kind == CHOICE:
        # The posted text back to the declared code (a rating's 5, not "5"), as the API's body gives it.
        codes = {str(code): code for code, _ in spec.choices}
        return forms.TypedChoiceField(label=spec.label, choices=spec.choices, coerce=codes.__getitem__, required=spec.required,
                                      widget=forms.RadioSelect, help_text=spec.help)
    if spec.kind == BOOLEAN:
        return forms.BooleanField(label=spec.label, required=spec.required, help_text=spec.help)
    if spec.kind == CASE:  # its number as printed; `act` finds the case (workflow.case_input)
        return forms.CharField(label=spec.label, max_length=NUMBER_MAX, required=spec.required, help_text=spec.help or "编号，如 柳湾事〔2026〕第12号")
    raise ValueError(f"an input of kind {spec.kind!r} needs the step's own form")


def inputs_form(inputs: Iterable[Input]) -> type[forms.Form]:
    """A form asking for the declared inputs: text, numbers, choices and yes/no."""
    return type("StepForm", (StyledFormMixin, forms.Form), {spec.name: _field(spec) for spec in inputs})


def step_forms(kind: Kind, transitions: Iterable, bound: dict | None = None) -> list[tuple[object, forms.Form]]:
    """Each transition the person may take now with its form — the one that just failed, bound."""
    bound = bound or {}
    made = [(t, bound.get(t.name) or kind.form(t.name)) for t in transitions if t.name in kind.steps]
    for t, form in made:
        # Several steps' forms share a page and often a field name (a review's pass and return
        # both ask 事实清楚): each form's ids carry its step, so a label ticks its own form's box.
        form.auto_id = f"id_{t.name}_%s"
    return made


def _cases_found(kind: Kind, name: str, user, values: dict) -> dict:
    """The step's CASE inputs, typed as numbers on the page, as the ids of the user's cases of
    the kind (workflow.case_input: unknown and out-of-reach numbers are refused alike)."""
    cases = [spec for spec in kind.inputs_of(name) if spec.kind == CASE]
    if not cases:
        return values
    label = kind.label_of(name)
    return values | {spec.name: case_input(user, spec, values.get(spec.name), kind.workflow.kind, label) for spec in cases}


@require_POST
@staff_required
def act(request, kind: str, case_id: int, transition: str):
    """The one page view for every step on every kind: fetch the record for the user (404 out of
    reach), bind the step's form, run the kind's action — which asks the workflow whether the
    person may (perform / require) — and show the detail page again: fresh after success, with
    the error on the form after a refusal."""
    page = kind_for(kind)
    if page is None:
        raise Http404("没有这类事项")
    record = page.get(request.user, case_id)
    if transition not in page.steps:
        raise Http404("不支持的操作")
    step = page.steps[transition]
    form, error = page.form(transition, request.POST, request.FILES, request.user, record), None
    if form.is_valid():
        try:
            step.run(request.user, record, _cases_found(page, transition, request.user, form.cleaned_data))
        except ActionError as refused:
            form.add_action_error(refused)
            error = refused.message
        else:
            messages.success(request, "操作成功")
            detail = page.workflow.detail_url(case_id)
            if request.htmx:
                # The whole page changes (state, timeline, buttons): ask HTMX to load it afresh.
                # Not a 302: the browser would follow it inside the XHR and swap a whole page in.
                return HttpResponse(status=204, headers={"HX-Redirect": detail})
            return redirect(detail)
    record = page.get(request.user, case_id)
    return import_string(page.render)(request, record, {step.form_name or transition: form}, error, transition)
