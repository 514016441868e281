"""A record a page could not find is a 404 page, whoever raised it (PAGES.md: get-or-404)."""

from django.http import Http404

from zhenjie.kernel.errors import NotFound


class NotFoundMiddleware:
    """Pages fetch through the scoped `get_…_for` functions and let their NotFound rise: here it
    becomes the 404 page, as in the API it becomes the 404 answer. Another township's record and
    a missing one look alike in both."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotFound):
            raise Http404(exception.message) from exception
        return None
