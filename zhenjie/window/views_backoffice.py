"""The back office's pages: the queue of applications to decide, and one application's clock
panel with its forms (accept / refuse at the front desk; exclude, resume, ask for and decide an
extension). Thin: each form posts to an action and shows its Chinese refusal."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhenjie.kernel.errors import ActionError, Rejected
from zhenjie.workbench.paging import paginate
from zhenjie.workbench.views import staff_required

from .queries import get_application_for
from . import queries_backoffice as queries
from .actions import acceptance, backoffice
from .models import ExclusionKind


@staff_required
def queue(request):
    return render(request, "window/backoffice_queue.html", {"page": paginate(request, queries.decision_queue_for(request.user))})


@staff_required
def clock_page(request, case_id: int):
    application = get_application_for(request.user, case_id)
    context = {"panel": queries.panel_for(request.user, application), "exclusion_kinds": ExclusionKind.choices}
    return render(request, "window/backoffice_detail.html", context)


def _int(value, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Rejected("window.days_invalid", "请填写整数(工作日)", field=field) from None


STEPS = {
    "accept": lambda user, app, post: acceptance.accept_application(user, app),
    "refuse_acceptance": lambda user, app, post: acceptance.refuse_acceptance(user, app, post.get("reason", "")),
    "exclude": lambda user, app, post: backoffice.exclude(
        user, app, post.get("kind", ""), post.get("reason", ""), _int(post.get("expected_days"), "expected_days")),
    "resume": lambda user, app, post: backoffice.resume(user, app, post.get("note", "")),
    "request_extension": lambda user, app, post: backoffice.request_extension(
        user, app, _int(post.get("amount"), "amount"), post.get("reason", "")),
    "decide_extension": lambda user, app, post: backoffice.decide_extension(
        user, app, post.get("approve") == "yes", post.get("note", "")),
}  # fmt: skip
DONE = {"accept": "已受理，受理通知书已出具", "refuse_acceptance": "已不予受理，不予受理通知书已出具", "exclude": "已进入特别程序，计时暂停",
        "resume": "特别程序已结束，继续计时", "request_extension": "延期申请已提交", "decide_extension": "延期申请已审批"}


@staff_required
@require_POST
def act(request, case_id: int, step: str):
    application = get_application_for(request.user, case_id)
    run = STEPS.get(step)
    if run is None:
        messages.error(request, "不支持的操作")
    else:
        try:
            run(request.user, application, request.POST)
        except ActionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, DONE[step])
    # Back to the application's sheet, where the panel and every other part's next step are.
    return redirect("window:detail", case_id)
