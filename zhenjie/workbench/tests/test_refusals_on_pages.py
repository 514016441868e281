"""A refusal a page lets rise is answered with its own status and Chinese message, never a 500."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from zhenjie.kernel.errors import Conflict, Forbidden, NotFound, Rejected
from zhenjie.workbench.middleware import NotFoundMiddleware

middleware = NotFoundMiddleware(lambda request: HttpResponse())


def test_not_found_is_the_404_page_and_forbidden_the_403_page():
    request = RequestFactory().get("/enforcement/1/")
    with pytest.raises(Http404):
        middleware.process_exception(request, NotFound("case.not_found", "事项不存在或不在您的辖区内"))
    with pytest.raises(PermissionDenied, match="只有本县的部门可以移送"):
        middleware.process_exception(request, Forbidden("enforcement.not_yours", "只有本县的部门可以移送"))


@pytest.mark.parametrize("error", [Conflict("case.version", "该事项已被他人处理，请刷新后重试"), Rejected("x.y", "请填写<理由>")])
def test_a_conflict_or_bad_input_rising_out_of_a_page_is_its_status_with_the_message(error):
    answer = middleware.process_exception(RequestFactory().post("/enforcement/1/serve/"), error)
    assert answer.status_code == error.status
    page = answer.content.decode()
    assert error.message.replace("<", "&lt;").replace(">", "&gt;") in page and "<理由>" not in page


def test_other_exceptions_are_left_to_django():
    assert middleware.process_exception(RequestFactory().get("/"), ValueError("boom")) is None
