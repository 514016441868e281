"""Reads of the review and decision, always for a user (kernel.scoping): a case's reviews,
meetings and decision, and the review figures (return rate, for part 10 and the assessment)."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from zhenjie.kernel.scoping import case_is_visible

from .models import CollectiveMeeting, EnforcementCase, LegalReview, PenaltyDecision


@dataclass(frozen=True)
class ReviewFigures:
    reviews: int
    returned: int

    @property
    def return_rate(self) -> float:
        """Returns per hundred reviews (返工率's counterpart for 法制审核)."""
        return round(100 * self.returned / self.reviews, 1) if self.reviews else 0.0


def review_counts(cases: QuerySet[EnforcementCase]) -> ReviewFigures:
    """The reviews of `cases` (already scoped by the caller): one query. The figures page
    (figures.py) passes its period's cases, review_figures every visible one."""
    counts = LegalReview.objects.filter(enforcement__in=cases.values("pk")).aggregate(
        reviews=Count("pk"), returned=Count("pk", filter=Q(passed=False))
    )
    return ReviewFigures(counts["reviews"], counts["returned"])


def review_figures(user) -> ReviewFigures:
    from .queries import cases_for

    return review_counts(cases_for(user))


def reviews_of(user, enforcement):
    return (
        LegalReview.objects.filter(case_is_visible(user, "enforcement__case_id"), enforcement=enforcement)
        .select_related("reviewer", "document")
        .order_by("reviewed_at", "pk")
    )


def meetings_of(user, enforcement):
    return (
        CollectiveMeeting.objects.filter(case_is_visible(user, "enforcement__case_id"), enforcement=enforcement)
        .prefetch_related("attendees")
        .order_by("held_on", "pk")
    )


def decision_of(user, enforcement) -> PenaltyDecision | None:
    return (
        PenaltyDecision.objects.filter(case_is_visible(user, "enforcement__case_id"), enforcement=enforcement)
        .select_related("benchmark", "meeting", "document", "decided_by")
        .first()
    )
