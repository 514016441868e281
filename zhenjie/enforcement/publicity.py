"""执法公示 (行政处罚法 Arts. 39, 48): penalty decisions of social impact published on the public
portal within the county's working days (EnforcementPolicy.publish_within_days; 国办发〔2018〕118号
gives 7, secondary: statutory-deadlines.md §2a), the party's name masked; a decision changed or
revoked withdrawn within 3 working days with the reason (Art. 48, with Art. 85's working days);
late publications and withdrawals recorded as such and counted. Also the reads the public pages
make: the decisions in public, and what Art. 39 requires each township to publish (the body, its
powers from the power list in force, its procedures and remedies)."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from zhenjie.areas.models import Area
from zhenjie.kernel import journal
from zhenjie.kernel.calendar import current_calendar
from zhenjie.kernel.errors import Conflict, NotFound, Rejected
from zhenjie.kernel.inputs import past_date, text
from zhenjie.kernel.models import Case, Party
from zhenjie.kernel.pii import mask_person_name
from zhenjie.kernel.scoping import can_see_case, get_visible_or_404, unscoped
from zhenjie.lists.models import ListKind, ListSeries, PowerItem, PowerType
from zhenjie.lists.queries import versions_in_force

from .models import Certificate, EnforcementCase, Publication
from .workflow import ENFORCEMENT_WORKFLOW

WITHDRAW_WORKING_DAYS = 3  # Art. 48: 应当在三日内撤回 (Art. 85: 三日 are working days)
REASON_MAX = 500  # Publication.withdrawal_reason
CODE = "enforcement"


def party_as_published(party: Party | None) -> str:
    """A person's name masked (张*三), never an ID number; an organisation keeps its name, as
    enforcement publicity does (its credit code is public on the credit system anyway, but not
    printed here)."""
    if party is None:
        return "(当事人信息不公开)"
    return party.name if party.kind == Party.Kind.ORGANISATION else mask_person_name(party.name)


def publication_text(enforcement: EnforcementCase, township: Area) -> tuple[str, str]:
    """The title and body as the public page shows them: what the decision says, nothing of the
    party but the masked name."""
    decided = timezone.localdate(enforcement.decided_at) if enforcement.decided_at else None
    fine = f"罚款人民币{enforcement.fine_amount:,.2f}元" if enforcement.fine_amount else "警告或其他处罚"
    title = f"{enforcement.case.number} 行政处罚决定"
    lines = [
        f"决定书文号(案件编号)：{enforcement.case.number}",
        f"当事人：{party_as_published(enforcement.party)}",
        f"违法行为：{enforcement.case.title}",
        f"处罚事项：{enforcement.power_code} {enforcement.power_name}".rstrip(),
        f"处罚依据：{enforcement.legal_basis or '见处罚决定书'}",
        f"处罚结果：{fine}",
        # The team acts in the township's name (相对集中行使行政处罚权, seed 004 §二).
        f"作出处罚决定的机关：{township.name}({enforcement.team.name})",
        f"处罚决定日期：{decided:%Y年%m月%d日}" if decided else "处罚决定日期：—",
    ]
    return title, "\n".join(lines)


def _locked(enforcement: EnforcementCase) -> tuple[EnforcementCase, Case, Publication]:
    case = Case.objects.select_for_update(of=("self",)).select_related("area").get(pk=enforcement.case_id)
    enforcement = EnforcementCase.objects.select_related("case", "party", "team").get(pk=enforcement.pk)
    publication = (
        Publication.objects.select_for_update(of=("self",)).select_related("township").filter(enforcement=enforcement).first()
    )
    return enforcement, case, publication


def _require(actor, case: Case, name: str) -> None:
    if not can_see_case(actor, case):
        raise NotFound("enforcement.not_found", "执法案件不存在或不在您的辖区内")
    ENFORCEMENT_WORKFLOW.require(actor, case, name)


def _publication_of(publication: Publication | None) -> Publication:
    if publication is None:  # made when the decision is served (actions.execution.serve_decision)
        raise Conflict("enforcement.publicity.not_served", "处罚决定送达后方可公示")
    return publication


@transaction.atomic
def mark_social_impact(actor, enforcement: EnforcementCase, *, social_impact: bool, reason="") -> Publication:
    """The officer's mark: Art. 48 publishes decisions 具有一定社会影响; a decision marked without
    impact says why and is not published."""
    enforcement, case, publication = _locked(enforcement)
    _require(actor, case, "publish")
    publication = _publication_of(publication)
    if not isinstance(social_impact, bool):
        raise Rejected("enforcement.social_impact_invalid", "请选择是否具有社会影响", field="social_impact")
    if publication.published_at is not None:
        raise Conflict("enforcement.publicity.published", "该处罚决定已公示；如决定变更或撤销，请撤回公示")
    reason = text(reason, field="reason", label="不予公示理由", max_length=200, code=CODE, required=not social_impact)
    Publication.objects.filter(pk=publication.pk).update(
        social_impact=social_impact, no_impact_reason="" if social_impact else reason
    )
    publication.refresh_from_db()
    journal.record(actor=actor, verb="enforcement.publicity.mark", case=case, note=reason,
                   summary="标记为具有社会影响，应予公示" if social_impact else "标记为不具有社会影响，不予公示")  # fmt: skip
    return publication


@transaction.atomic
def publish_decision(actor, enforcement: EnforcementCase) -> Publication:
    """Put the decision on the public page now; after the county's working days it is published
    all the same, and flagged late on the case and in the figures."""
    enforcement, case, publication = _locked(enforcement)
    _require(actor, case, "publish")
    publication = _publication_of(publication)
    if not publication.social_impact:
        raise Conflict("enforcement.publicity.no_impact", "该决定已标记为不具有社会影响，不予公示")
    if publication.published_at is not None:
        raise Conflict("enforcement.publicity.published", "该处罚决定已公示")
    now = timezone.now()
    late = publication.due_on is not None and timezone.localdate(now) > publication.due_on
    title, body = publication_text(enforcement, publication.township)
    Publication.objects.filter(pk=publication.pk).update(title=title, text=body, published_at=now, published_by=actor, late=late)
    publication.refresh_from_db()
    journal.record(actor=actor, verb="enforcement.publicity.publish", case=case,
                   summary=f"公示处罚决定{'(逾期公示)' if late else ''}", data={"publication": publication.pk, "late": late,
                   "due_on": publication.due_on.isoformat() if publication.due_on else None})  # fmt: skip
    return publication


def withdrawal_due_on(changed_on: date) -> date:
    return current_calendar().add_working_days(changed_on, WITHDRAW_WORKING_DAYS)[0]


@transaction.atomic
def withdraw_publication(actor, enforcement: EnforcementCase, *, changed_on, reason) -> Publication:
    """Art. 48: a published decision changed, revoked, or found unlawful or void is withdrawn
    within 3 working days with the reason. The public page stops showing it at once; a withdrawal
    after the 3 days is recorded as late."""
    enforcement, case, publication = _locked(enforcement)
    _require(actor, case, "withdraw_publication")
    if publication is None or publication.published_at is None:
        raise Conflict("enforcement.publicity.not_published", "该处罚决定未公示，无需撤回")
    if publication.withdrawn_at is not None:
        raise Conflict("enforcement.publicity.withdrawn", "该公示已撤回")
    reason = text(
        reason,
        field="reason",
        label="撤回理由(决定变更、撤销或被确认违法、无效的情况)",
        max_length=REASON_MAX,
        required=True,
        code=CODE,
    )
    changed_on = past_date(changed_on, field="changed_on", label="决定变更(撤销)日期", code=CODE)
    now = timezone.now()
    due = withdrawal_due_on(changed_on)
    late = timezone.localdate(now) > due
    Publication.objects.filter(pk=publication.pk).update(withdrawn_at=now, withdrawal_reason=reason, changed_on=changed_on,
                                                         withdrawn_by=actor, withdrawal_late=late)  # fmt: skip
    publication.refresh_from_db()
    journal.record(actor=actor, verb="enforcement.publicity.withdraw", case=case, note=reason,
                   summary=f"撤回公示{'(逾期撤回)' if late else ''}",
                   data={"publication": publication.pk, "changed_on": changed_on.isoformat(), "due_on": due.isoformat(), "late": late})  # fmt: skip
    return publication


def publication_overdue(publication: Publication | None, today: date | None = None) -> bool:
    """Due, of social impact, and not yet published: the case page's warning."""
    today = today or timezone.localdate()
    return (publication is not None and publication.social_impact and publication.published_at is None
            and publication.due_on is not None and today > publication.due_on)  # fmt: skip


# ---- figures (counted for the team's assessment) ----------------------------------------------


@dataclass(frozen=True)
class PublicityFigures:
    published: int
    published_late: int
    overdue_unpublished: int
    withdrawn: int
    withdrawn_late: int
    served_late: int


def publicity_counts(cases: QuerySet[EnforcementCase]) -> PublicityFigures:
    """Counts over `cases` (already scoped by the caller): two queries. figures_for passes every
    case the user can see, the figures page (figures.py) its period's."""
    from .models import Service

    chosen = cases.values("pk")
    today = timezone.localdate()
    counts = Publication.objects.filter(enforcement__in=chosen).aggregate(
        published=Count("pk", filter=Q(published_at__isnull=False)),
        published_late=Count("pk", filter=Q(published_at__isnull=False, late=True)),
        overdue_unpublished=Count("pk", filter=Q(published_at__isnull=True, social_impact=True, due_on__lt=today)),
        withdrawn=Count("pk", filter=Q(withdrawn_at__isnull=False)),
        withdrawn_late=Count("pk", filter=Q(withdrawn_at__isnull=False, withdrawal_late=True)),
    )
    return PublicityFigures(**counts, served_late=Service.objects.filter(enforcement__in=chosen, late=True).count())


def figures_for(user) -> PublicityFigures:
    """Counts over the cases the user can see: two queries."""
    from .queries import cases_for

    return publicity_counts(cases_for(user))


# ---- the public pages' reads (no login) -----------------------------------------------------


def public_decisions(township: Area | None = None) -> QuerySet[Publication]:
    """Published, not withdrawn, newest first; one query per page (the township joined)."""
    rows = unscoped(Publication, why="执法公示: published decisions are public (行政处罚法 Art. 48)")
    rows = rows.filter(published_at__isnull=False, withdrawn_at__isnull=True).select_related("township")
    if township is not None:
        rows = rows.filter(township=township)
    return rows.order_by("-published_at", "-pk")


def get_public_decision(pk: int) -> Publication:
    return get_visible_or_404(public_decisions(), "enforcement.publication_not_found", "公示信息不存在或已撤回", pk=pk)


PUBLIC_POWER_TYPES = (PowerType.PENALTY, PowerType.COERCION, PowerType.INSPECTION)


def township_powers(township: Area, on: date) -> list[PowerItem]:
    """Art. 39's 执法职责和立案依据: the penalty, coercion and inspection items of the township's
    own power list in force (the delegations in force are the lists' public page's). Two queries."""
    versions = versions_in_force(list(ListSeries.objects.filter(kind=ListKind.POWER, area=township)), on)
    return list(
        PowerItem.objects.filter(version__in=list(versions.values()), power_type__in=PUBLIC_POWER_TYPES).order_by(
            "position", "code"
        )
    )


def township_officers(township: Area, on: date) -> list[Certificate]:
    """国办发〔2018〕118号: 执法人员 and their certificates published; those valid today for the
    township (its own certificates and the county's, which cover it). One query."""
    return list(
        Certificate.objects.filter(Q(area=township) | Q(area_id=township.parent_id), revoked_at__isnull=True, valid_from__lte=on,
                                   valid_until__gte=on)
        .select_related("officer").order_by("number")
    )  # fmt: skip
