"""Patrol findings that need handling, reported as events (issue 5: what the grid finds feeds the
command centre). The grid app records what was seen; this turns it into an event, with the
finding's photos, and links the two so a finding is reported once."""

from django.db import transaction

from zhenjie.areas import geo
from zhenjie.grid.actions.patrols import link_finding_to_case
from zhenjie.grid.models import PatrolFinding
from zhenjie.kernel.errors import Conflict
from zhenjie.kernel.models import Attachment

from .intake import Report, report_event
from .models import Category, Channel, Event


@transaction.atomic
def report_finding(actor, finding: PatrolFinding, category: Category | None, description: str = "") -> Event:
    """Report the finding as an event; `description` replaces the finding's words if given."""
    if finding.case_id is not None:
        raise Conflict("grid.finding_already_reported", "该巡查发现已上报为事件")
    grid = finding.grid
    # A patrol point may lie just outside the polygon (grid.positions allows for GPS error); then
    # the grid itself is the place.
    inside = finding.lng is not None and geo.contains_point(grid.boundary, finding.lng, finding.lat)
    event = report_event(actor, Report(
        channel=Channel.GRID,
        category=category,
        description=(description or "").strip() or finding.description,
        lng=finding.lng if inside else None,
        lat=finding.lat if inside else None,
        area=None if inside else grid,
        reported_at=finding.created_at,
    ))
    for photo in finding.photos.select_related("blob"):
        Attachment.objects.create(blob=photo.blob, case=event.case, name=photo.name, purpose="photo", uploaded_by=photo.uploaded_by)
    link_finding_to_case(actor, finding, event.case)
    return event
