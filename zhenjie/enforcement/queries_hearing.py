"""Reads of a case's notice, statements and hearing, always for a user (kernel.scoping): another
township's case answers 404 before any of it is read, as a missing one does."""

from dataclasses import dataclass

from django.db.models import QuerySet

from zhenjie.kernel.scoping import case_is_visible

from .models import EnforcementCase, Hearing, PenaltyNotice, Statement


@dataclass
class Hearings:
    """What part 3 shows of a case: the notice that counts, what the party said, the hearing."""

    notice: PenaltyNotice | None
    statements: list[Statement]
    hearing: Hearing | None


def notices_of(user, enforcement: EnforcementCase) -> QuerySet[PenaltyNotice]:
    return (
        PenaltyNotice.objects.filter(case_is_visible(user, "enforcement__case_id"), enforcement=enforcement)
        .select_related("document", "issued_by")
        .order_by("-notified_at", "-pk")
    )


def statements_of(notice: PenaltyNotice) -> QuerySet[Statement]:
    return Statement.objects.filter(notice=notice).select_related("recorded_by", "answered_by").order_by("made_at", "pk")


def hearings_of(user, enforcement: EnforcementCase) -> Hearings:
    """The latest notice with its statements and hearing: three queries whatever the rows."""
    notice = notices_of(user, enforcement).first()
    if notice is None:
        return Hearings(None, [], None)
    hearing = Hearing.objects.filter(notice=notice).select_related("presiding", "recorded_by", "scheduled_document").first()
    return Hearings(notice, list(statements_of(notice)), hearing)
