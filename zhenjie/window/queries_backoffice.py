"""The back office's reads, every one through kernel.scoping: the queue of applications a user's
units must decide, and one application with what its clock panel shows. A clerk of township A
reaches nothing of B's (case_is_visible); a county department reaches what was routed to it
(an open assignment to its unit makes the case visible to its people)."""

from dataclasses import dataclass

from django.db.models import Prefetch

from zhenjie.kernel.models import Extension
from zhenjie.kernel.workflow import permitted_actions

from . import clock
from .models import Application, DecisionRoute, ExcludedPeriod
from .queries import WorkQueue
from .routing import DECIDE
from .workflow import State


def decision_queue_for(user) -> WorkQueue:
    """Applications waiting on a decision by one of the user's units, soonest due first (the
    decision's deadline, which follows the case's): a fixed number of queries whatever the rows
    (the routes come in one prefetch)."""
    routes = Prefetch("routes", queryset=DecisionRoute.objects.select_related("unit").order_by("position"))
    return WorkQueue(user, DECIDE, (State.REVIEWING, State.EXCLUDED), related=(routes,))


@dataclass(frozen=True)
class Panel:
    application: Application
    clock: clock.ClockView | None
    routes: list[DecisionRoute]
    periods: list[ExcludedPeriod]
    pending_extension: Extension | None
    permitted: object


def panel_for(user, application: Application) -> Panel:
    """What the back-office panel shows and offers (the buttons from the same rules the actions use)."""
    return Panel(
        application=application,
        clock=clock.view_of(application),
        routes=list(DecisionRoute.objects.filter(application=application).select_related("unit").order_by("position")),
        periods=list(ExcludedPeriod.objects.filter(application=application).select_related("notice").order_by("started_at")),
        pending_extension=Extension.objects.filter(case_id=application.case_id, state=Extension.State.PENDING).first(),
        permitted=permitted_actions(user, application.case),
    )
