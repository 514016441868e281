"""Reads of joint operations (part 8), always for a user: the operations of the townships in
their jurisdiction, and those a unit of theirs takes part in (a county department sees only
those); B's users see none of A's. Missing and out of reach alike answer 404."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from zhenjie.kernel.errors import NotFound
from zhenjie.kernel.scoping import get_visible_or_404, paths_q, reach_of

from .models import EnforcementCase, JointOperation, Participant


def operations_for(user) -> QuerySet[JointOperation]:
    """Soonest planned last; a fixed number of queries whatever the rows (participants and the
    linked cases prefetched)."""
    reach = reach_of(user)
    if not reach.posts:
        return JointOperation.objects.none()
    taking_part = Exists(Participant.objects.filter(operation=OuterRef("pk"), unit_id__in=sorted(reach.unit_ids)))
    return (
        JointOperation.objects.filter(paths_q(reach.paths, "township__path") | Q(taking_part))
        .select_related("township", "lead_unit", "planned_by")
        .prefetch_related(
            Prefetch("participants", queryset=Participant.objects.select_related("unit", "recorded_by").order_by("pk")),
            Prefetch("cases", queryset=EnforcementCase.objects.select_related("case").order_by("case_id")),
        )
        .order_by("-planned_at", "-pk")
    )


def get_operation_for(user, operation_id) -> JointOperation:
    return get_visible_or_404(
        operations_for(user), "enforcement.joint_not_found", "联合执法行动不存在或不在您的辖区内", pk=operation_id
    )


def get_participant_for(user, operation_id, participant_id) -> Participant:
    operation = get_operation_for(user, operation_id)
    participant = next((p for p in operation.participants.all() if p.pk == participant_id), None)
    if participant is None:
        raise NotFound("enforcement.joint_participant_not_found", "该行动没有这个参与单位")
    participant.operation = operation
    return participant
