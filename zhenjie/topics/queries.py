"""Who sees which 每月一题: the topics of townships in the user's jurisdiction, and those their own
unit leads (a county department leading a township's topic). The public sees the public ones."""

from django.db.models import Q, QuerySet

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.models import Area
from zhenjie.kernel.scoping import get_visible_or_404, paths_q, reach_of

from .models import Milestone, Topic


def topics_for(user) -> QuerySet[Topic]:
    reach = reach_of(user)
    if not reach.posts:
        return Topic.objects.none()
    return (
        Topic.objects.filter(paths_q(reach.paths, "township__path") | Q(lead_unit_id__in=reach.unit_ids))
        .select_related("township", "category", "lead_unit")
        .order_by("-month", "-id")
    )


def get_topic_for(user, pk) -> Topic:
    return get_visible_or_404(topics_for(user), "topic.not_found", "该题目不存在或不在您的辖区内", pk=pk)


def get_milestone_for(user, topic: Topic, pk) -> Milestone:
    return get_visible_or_404(Milestone.objects.filter(topic=topic).select_related("topic", "topic__township"), "topic.milestone_not_found",
                              "该工作节点不存在", pk=pk)


def townships_led_by(user) -> QuerySet[Area]:
    """The townships whose proposals the user may read and adopt: where they are a township
    leader (a county leader's jurisdiction holds every township of the county)."""
    roots = reach_of(user).roots_with(frozenset({R.TOWNSHIP_LEADER}))
    if not roots:
        return Area.objects.none()
    return Area.objects.live().filter(paths_q(roots), level=Area.Level.TOWNSHIP).order_by("path")


def public_topics() -> QuerySet[Topic]:
    return Topic.objects.filter(is_public=True).select_related("township", "category", "lead_unit").order_by("-month", "-id")


def get_public_topic(pk) -> Topic:
    return get_visible_or_404(public_topics(), "topic.not_found", "该题目不存在或未公开", pk=pk)
