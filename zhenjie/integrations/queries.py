"""Reads of integration settings and imports, for a user."""

from django.db.models import QuerySet

from zhenjie.kernel.scoping import administered_county, get_visible_or_404

from .actions import NOT_COUNTY_ADMIN
from .models import AlarmMapping, HotlineImport, IntegrationKey, Open311Policy


def keys_for(user) -> QuerySet[IntegrationKey]:
    """The keys of the county the user administers (Forbidden for anyone else)."""
    return IntegrationKey.objects.filter(county=administered_county(user, refuse=NOT_COUNTY_ADMIN)).select_related("created_by").order_by("-created_at", "-pk")


def get_key_for(user, pk) -> IntegrationKey:
    return get_visible_or_404(keys_for(user), "integration.key_not_found", "密钥不存在", pk=pk)


def alarm_mappings_for(user) -> QuerySet[AlarmMapping]:
    return AlarmMapping.objects.filter(county=administered_county(user, refuse=NOT_COUNTY_ADMIN)).select_related("category")


def get_alarm_mapping_for(user, pk) -> AlarmMapping:
    return get_visible_or_404(alarm_mappings_for(user), "integration.mapping_not_found", "对应关系不存在", pk=pk)


def imports_for(user) -> QuerySet[HotlineImport]:
    """A person's own imports: the file and its error report may name citizens."""
    return HotlineImport.objects.filter(created_by=user).order_by("-created_at", "-pk")


def get_import_for(user, pk) -> HotlineImport:
    return get_visible_or_404(imports_for(user), "hotline_import.not_found", "导入记录不存在", pk=pk)


def open311_policy_initial(user) -> dict:
    """The county's Open311 publication as the settings form shows it (the default until set)."""
    from .open311 import DEFAULT_PUBLICATION
    from zhenjie.events.models import Category

    county = administered_county(user, refuse=NOT_COUNTY_ADMIN)
    policy = Open311Policy.objects.filter(county=county).prefetch_related("withheld_categories").first()
    if policy is None:
        withheld = list(Category.objects.filter(code__in=DEFAULT_PUBLICATION.withheld))
        return {"withheld_categories": withheld, "position_decimals": DEFAULT_PUBLICATION.position_decimals,
                "publish_text": DEFAULT_PUBLICATION.publish_text}
    return {"withheld_categories": list(policy.withheld_categories.all()), "position_decimals": policy.position_decimals,
            "publish_text": policy.publish_text}


def hotline_callback_of(user):
    """The county's 12345 callback, or None (the secret is never part of what a page shows)."""
    from .models import HotlineCallback

    return HotlineCallback.objects.filter(county=administered_county(user, refuse=NOT_COUNTY_ADMIN)).first()


ANSWER_STATES = ("failed", "pending", "delivered")


def hotline_answers_for(user, state: str = ""):
    """The county's answers to the hotline, newest first (indexes hotlineanswer_county_new and,
    by state, hotlineanswer_county_state). The county administrator only; the page puts the
    failures above the rest."""
    from .models import HotlineAnswer

    rows = HotlineAnswer.objects.filter(county=administered_county(user, refuse=NOT_COUNTY_ADMIN))
    if state in ANSWER_STATES:
        rows = rows.filter(state=state)
    return rows.select_related("event__case").order_by("-created_at", "-pk")


def get_hotline_answer_for(user, pk):
    return get_visible_or_404(hotline_answers_for(user), "hotline_answer.not_found", "回传记录不存在", pk=pk)


def hotline_answer_of(event):
    """The answer owed to the hotline for an event the user was shown (read through their scope)."""
    from .models import HotlineAnswer

    return HotlineAnswer.objects.filter(event_id=event.pk).first()


def hotline_visit_of(event):
    """The hotline's return visit of an event the user was shown (read through their scope)."""
    from .models import HotlineSatisfaction

    return HotlineSatisfaction.objects.filter(event_id=event.pk).first()


def hotline_of_event(event) -> dict:
    """What the event's page shows of the hotline: the answer owed and the return visit."""
    return {"answer": hotline_answer_of(event), "satisfaction": hotline_visit_of(event)}
