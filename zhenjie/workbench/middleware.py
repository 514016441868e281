"""A refusal that rises out of a page is an answer, not a 500 (PAGES.md: get-or-404).

Pages fetch through the scoped `get_…_for` functions and let their NotFound rise: it becomes the
404 page, as in the API it becomes the 404 answer (another township's record and a missing one
look alike in both). A page normally catches an action's other refusals and shows them beside its
form; one that does not still answers with the refusal's own status and Chinese message."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse

from zhenjie.kernel.errors import ActionError, Forbidden, NotFound


class NotFoundMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotFound):
            raise Http404(exception.message) from exception
        if isinstance(exception, Forbidden):
            raise PermissionDenied(exception.message) from exception
        if isinstance(exception, ActionError):
            response = TemplateResponse(request, "action_error.html", {"message": exception.message, "status": exception.status},
                                        status=exception.status)  # fmt: skip
            return response.render()
        return None
