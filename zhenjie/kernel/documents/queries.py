"""Reading documents: always for a user, through the case's scoping (kernel/SCOPING.md)."""

from django.db.models import QuerySet

from ..errors import NotFound
from ..models import Case, Document
from ..prepared import Prepared
from ..scoping import can_see_case, case_is_visible, get_visible_or_404, visible_cases


def documents_for(user) -> QuerySet[Document]:
    """Documents of the cases the user may see."""
    return Document.objects.filter(case_is_visible(user)).select_related("attachment__blob", "unit", "issued_by")


def get_document_for(user, pk) -> Document:
    """One document, or NotFound: another township's document and a missing one look the same."""
    document = get_visible_or_404(documents_for(user).select_related("case"), "document.not_found", "文书不存在或不在您的辖区内", pk=pk)
    from .kinds import _REGISTRY

    kind = _REGISTRY.get(document.kind)
    if kind is not None and kind.read_by_issuers and not kind.may_issue(user, document.case):
        # A secret inside (a tracking code): answered as a missing one, like another township's.
        raise NotFound("document.not_found", "文书不存在或不在您的辖区内")
    return document


def documents_on(user, case: Case) -> list[Document]:
    """The documents of a case already in hand (read through a scoped query), newest first; none
    for someone who cannot see it (can_see_case: no query for a case in the jurisdiction)."""
    if not can_see_case(user, case):
        return []
    return _DOCUMENTS_ON(case_id=case.pk)  # a panel's rows: title, number, date


# Every event page reads it, most often to find none: compiled and planned once (kernel.prepared).
_DOCUMENTS_ON = Prepared(lambda case_id: Document.objects.filter(case_id=case_id).order_by("-issued_at", "-pk"), case_id=int)


def documents_of_case_for(user, case_id) -> QuerySet[Document]:
    """A case's documents, newest first; NotFound when the case is out of the user's reach."""
    if not visible_cases(user).filter(pk=case_id).exists():
        raise NotFound("case.not_found", "事项不存在或不在您的辖区内")
    return (
        Document.objects.filter(case_id=case_id)
        .select_related("attachment__blob", "unit", "issued_by")
        .order_by("-issued_at", "-pk")
    )
