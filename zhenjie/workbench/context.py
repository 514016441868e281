from django.conf import settings

from zhenjie.kernel.notify import unread_count
from zhenjie.kernel.scoping import reach_of

from . import basemap
from .navigation import sections_for


def shell(request):
    """What every staff page's frame needs: the navigation and the unread count (one query)."""
    user = getattr(request, "user", None)
    # The base map's config is a callable: only pages with a map (components/basemap.html) read it.
    context = {"site_name": getattr(settings, "SITE_NAME", "镇街综合治理平台"), "basemap": basemap.config}
    if user is None or not user.is_authenticated or getattr(request, "htmx", False):
        return context
    context["nav_sections"] = sections_for(reach_of(user).roles, request.path)
    context["unread_notifications"] = unread_count(user)
    return context
