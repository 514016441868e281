"""Open311 GeoReport v2: our events seen as service requests, our categories as services, and the
two formats the spec allows. The rules cited are from the spec (open311/open311.github.io,
GeoReport/v2/index.md; summarised in shared/reference/open311.md).

- XML is required, JSON optional; both are served, chosen by the path's extension.
- JSON answers are arrays, even for one request; errors are [{code, description}] (XML
  <errors><error>) with 400, 403 (api_key) or 404 (unknown resource).
- Date-times carry their timezone; status is only "open" or "closed".

Only requests filed through Open311 are published here: events from other channels (the
hotline, grid workers, departments) carry citizens' details that were never meant for a public
feed. And of those, only what the county's `Open311Policy` makes public (issue 12, item 8; PIPL
Art. 6 minimum necessary): no request of a withheld category (disputes, by default), positions
rounded, and the citizen's own words (description, street address, a refusal's reason) only if the
county chooses to publish them."""

import re
from datetime import datetime
from xml.etree import ElementTree

from dataclasses import dataclass

from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone

from zhenjie.areas.paths import county_path
from zhenjie.events.models import Category, Channel, Event
from zhenjie.events.workflow import EVENT_WORKFLOW, EventState
from zhenjie.kernel.scoping import unscoped
from zhenjie.kernel.workflow import DONE

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When the shape of this endpoint last changed (discovery's sortable "changeset").
CHANGESET = "2026-11-23T00:00:00+08:00"
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
DESCRIPTION_MAX = 4000  # GeoReport v2, POST Service Request: description "max 4,000 characters"
WINDOW_DAYS = 90  # GET Service Requests: a span of at most 90 days, the last 90 by default
LIMIT = 1000  # …or the first 1000 requests, whichever is smaller
# The closed states of an event (its done phase): handled and closed, refused, or merged into another report.
CLOSED_STATES = tuple(EVENT_WORKFLOW.states_in(DONE))


@dataclass(frozen=True)
class Publication:
    """What a county publishes (its `Open311Policy`, or the default)."""

    withheld: frozenset[str]  # category codes
    position_decimals: int
    publish_text: bool


# A county that has not chosen: disputes (矛盾纠纷) and public-security leads (治安隐患) name people
# and neighbours; a position to about 100 m; no free text (it often holds names, house numbers, phones).
DEFAULT_PUBLICATION = Publication(withheld=frozenset({"dispute", "public_security"}), position_decimals=3, publish_text=False)


def publications() -> dict[str, Publication]:
    """Each county's publication that has been set, by county path (a handful of rows, two queries)."""
    from .models import Open311Policy

    rows = Open311Policy.objects.select_related("county").prefetch_related("withheld_categories")
    return {
        row.county.path: Publication(frozenset(c.code for c in row.withheld_categories.all()), row.position_decimals, row.publish_text)
        for row in rows
    }


def publication_for(event: Event, chosen: dict[str, Publication]) -> Publication:
    return chosen.get(county_path(event.case.area.path), DEFAULT_PUBLICATION)


def withheld_q(chosen: dict[str, Publication]) -> Q:
    """The requests no one outside may see: of each county, its withheld categories."""
    hidden = Q(pk__in=[])
    default = Q(category__code__in=sorted(DEFAULT_PUBLICATION.withheld))
    for path, publication in chosen.items():
        default &= ~Q(case__area__path__startswith=path)
        if publication.withheld:
            hidden |= Q(case__area__path__startswith=path, category__code__in=sorted(publication.withheld))
    return hidden | default if DEFAULT_PUBLICATION.withheld else hidden


def rounded(value: float | None, decimals: int) -> float | None:
    return None if value is None else round(value, decimals)


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


def as_datetime(moment: datetime | None) -> str | None:
    """W3C date-time with the timezone the spec makes mandatory, e.g. 2026-11-23T09:30:00+08:00."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def service_notice(category: Category) -> str:
    return f"{category.name}类事件一般在{category.handle_amount}{category.get_handle_unit_display()}内处置完毕"


def service(category: Category) -> dict:
    return {
        "service_code": category.code,  # a string, even when it looks like a number (see the reference)
        "service_name": category.name,
        "description": f"{category.name}（{category.get_urgency_display()}）；{service_notice(category)}",
        "metadata": False,  # no extra attributes to fill in
        "type": "realtime",  # the request id is returned at once
        "keywords": "",
        "group": category.parent.name if category.parent_id else "",
    }


def service_definition(category: Category) -> dict:
    return {"service_code": category.code, "attributes": []}


def is_closed(event: Event) -> bool:
    return event.case.state in CLOSED_STATES


def status_notes(event: Event, publish_text: bool = True) -> str:
    """What a citizen should read about where their request stands, in Chinese (a refusal's
    reason, written by staff about the report, only where the county publishes text)."""
    state, unit = event.case.state, (event.handling_unit.name if event.handling_unit_id else "处置单位")
    notes = {
        EventState.REPORTED: "已收到，等待指挥中心受理",
        EventState.REGISTERED: "已受理，等待派遣",
        EventState.DISPATCHED: f"已派遣至{unit}处置",
        EventState.ACKNOWLEDGED: f"{unit}已签收",
        EventState.HANDLING: f"{unit}正在处置",
        EventState.PAUSED: "因等待第三方暂停处置，恢复后继续办理",
        EventState.REPORTED_BACK: "已处置，等待现场核查",
        EventState.VERIFIED: "现场核查通过，等待结案",
        EventState.CLOSED: "已办结",
        EventState.REJECTED: f"不予受理：{event.rejection_reason}" if event.rejection_reason and publish_text else "不予受理",
        EventState.MERGED: "与其他上报合并处理(重复上报)",
    }
    return notes.get(state, event.case.state_label)


def request_record(event: Event, publication: Publication = DEFAULT_PUBLICATION) -> dict:
    """One service request, fields in the spec's order, as much as the county publishes."""
    case = event.case
    closed = is_closed(event)
    text = publication.publish_text
    return {
        "service_request_id": str(case.pk),
        "status": "closed" if closed else "open",
        "status_notes": status_notes(event, text),
        "service_name": event.category.name,
        "service_code": event.category.code,
        "description": event.description if text else "",
        "agency_responsible": event.handling_unit.name if event.handling_unit_id else "",
        "service_notice": service_notice(event.category),
        "requested_datetime": as_datetime(event.reported_at),
        "updated_datetime": as_datetime(case.closed_at if closed and case.closed_at else case.updated_at),
        "expected_datetime": None if closed else as_datetime(case.due_at),
        "address": event.address if text else case.area.name,
        "address_id": "",
        "zipcode": "",
        "lat": rounded(event.lat, publication.position_decimals),
        "long": rounded(event.lng, publication.position_decimals),
        "media_url": "",
    }


def published_requests(chosen: dict[str, Publication]):
    """Every request Open311 may show (filed through it, of a category its county publishes), with
    what its records read (one query per list)."""
    return (
        unscoped(Event, why="Open311 shows anyone the requests it took in (GeoReport v2)").filter(channel=Channel.OPEN311)
        .exclude(withheld_q(chosen))
        .select_related("case", "case__area", "category", "handling_unit")
        .order_by("-reported_at", "-pk")
    )


def public_records(rows, chosen: dict[str, Publication]) -> list[dict]:
    return [request_record(event, publication_for(event, chosen)) for event in rows]


# ---- formats --------------------------------------------------------------------------------

# XML 1.0 cannot carry most control characters, even escaped; a description with one would make
# the whole document unreadable, so they are dropped from XML (JSON escapes them).
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Child element names for lists inside a record (the spec's XML uses the singular).
_ITEM_NAMES = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value"}


def _xml_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _append(parent: ElementTree.Element, name: str, value) -> None:
    element = ElementTree.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list):
        for item in value:
            _append(element, _ITEM_NAMES.get(name, "item"), item)
    else:
        element.text = _xml_text(value)


def xml_document(root: str, item: str | None, body) -> bytes:
    """UTF-8 XML with the declaration the spec asks for: a list of `item` elements under `root`,
    or (item None) one record as `root` itself."""
    element = ElementTree.Element(root)
    if item is None:
        for key, value in body.items():
            _append(element, key, value)
    else:
        for record in body:
            _append(element, item, record)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(element, encoding="unicode").encode("utf-8")


def respond(fmt: str, body, root: str, item: str | None, status: int = 200) -> HttpResponse:
    if fmt == "json":
        import json

        content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    else:
        content = xml_document(root, item, body)
    return HttpResponse(content, status=status, content_type=CONTENT_TYPES[fmt])


def respond_error(fmt: str, status: int, description: str) -> HttpResponse:
    return respond(fmt, [{"code": status, "description": description}], "errors", "error", status=status)
