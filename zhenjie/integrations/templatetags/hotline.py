"""The 12345 hotline's part of an event's page: the answer owed to the hotline and its return
visit (回访). The page's event was read through the user's scope; this reads only its own rows."""

from django import template

from ..queries import hotline_of_event

register = template.Library()


@register.inclusion_tag("integrations/_event_hotline.html")
def hotline_panel(event):
    if event.channel != "hotline":
        return {"shown": False}
    return {"shown": True, "event": event, **hotline_of_event(event)}
