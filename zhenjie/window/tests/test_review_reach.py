"""The second pair of eyes (issue 15, round 2): every page of /window/ and /public/window/ and every
window endpoint of the API, walked from the URL configuration and the OpenAPI schema (so a page
added later is walked too), asked for township A's records by people who must see none of them —
township B's clerk and back office, a county department nothing was routed to, the village agent
of another village, a citizen who is not the applicant, an anonymous visitor — with GET and an
empty or hostile POST. None answers with a server error, none shows A's applicant or number, and
nothing of A's changes."""

import json
from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from zhenjie.accounts.models import User
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.api.core import api as ninja_api
from zhenjie.areas.actions import create_area
from zhenjie.kernel import attachments
from zhenjie.kernel.models import Case, Document, JournalEntry
from zhenjie.testing import make_user
from zhenjie.units.actions import create_unit
from zhenjie.units.models import Unit
from zhenjie.window.actions import hall
from zhenjie.window.actions.notice import issue_notice
from zhenjie.window.models import Appointment, AppointmentSlot, MaterialScan, PaperTransfer, Ticket
from zhenjie.window.testing import make_applicant, make_application, make_point
from zhenjie.window.tests.hall_world import at, make_hall_world
from zhenjie.window.workflow import APPLICATION_WORKFLOW, State

pytestmark = pytest.mark.django_db

SECRET_NAME = "甲镇秘密申请人"
HOSTILE_BODY = {
    "reason": "<script>alert(1)</script>", "kind": "hearing", "expected_days": "99999999999999999999", "amount": "-1",
    "approve": "yes", "note": "x" * 5000, "decision": "approve", "text": "准予", "method": "window", "received_by": "王\x00五",
    "item_code": "ZW0001", "priority": "", "step": "call", "ticket": "1", "rows": "1", "slot-0-weekday": "0", "version": "0",
    "application": "1", "direction": "to_centre", "name": "改名", "phone": "13800000000", "rating": "5", "code": "x",
    "number": "x", "villages": "1", "hours": "x", "address": "x",
}
STEPS = sorted(set(APPLICATION_WORKFLOW.transitions) | {"request_extension", "decide_extension", "notify", "supplement", "withdraw"})


def _routes(patterns=None, prefix=""):
    """Every route of the site as (route text, URLPattern), nested includes joined."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route


def window_paths(ids: dict) -> list[str]:
    """The window's pages with A's ids in every parameter (each step of the act views)."""
    paths = []
    for route in _routes():
        if not (route.startswith("window/") or route.startswith("public/window/")):
            continue
        variants = [route]
        for name, values in ids.items():
            variants = [v.replace(name, str(value)) for v in variants for value in (values if isinstance(values, list) else [values])]
        for path in variants:
            assert "<" not in path, f"no id for a parameter of {route}"
            paths.append("/" + path)
    return sorted(set(paths))


def api_paths(ids: dict) -> list[tuple[str, str]]:
    """The window's API operations (method, path) with A's ids."""
    schema = ninja_api.get_openapi_schema()
    out = []
    for path, operations in schema["paths"].items():
        if not any(part in path for part in ("/applications", "/window/", "/agent-points")):
            continue
        variants = [path]
        for name, values in ids.items():
            variants = [v.replace(name, str(value)) for v in variants for value in (values if isinstance(values, list) else [values])]
        for method in operations:
            for filled in variants:
                assert "{" not in filled, f"no id for a parameter of {path}"
                out.append((method, filled))
    return sorted(set(out))


@pytest.fixture
def township_a(db):
    """Township A with an application in every state, a scan, a notice, an agent point, a hall with
    a called ticket and an appointment; and the hostile people."""
    hw = make_hall_world()
    ww = hw.ww
    world = ww.world
    applicant = make_applicant(ww, 7, name=SECRET_NAME)
    received = make_application(ww, applicant=applicant)
    notified = make_application(ww, applicant=applicant)
    issue_notice(ww.clerk_a, notified, {m.pk: "缺" for m in notified.materials.all()[:1]} | {})
    reviewing = make_application(ww, applicant=applicant, state=State.REVIEWING)
    decided = make_application(ww, applicant=applicant, state=State.DECIDED, at_agent_point=True)
    material = received.materials.first()
    scan = attachments.store(b"%PDF-1.4 scan", "scan.pdf", "material", case=received.case, actor=ww.clerk_a, field="scans")
    MaterialScan.objects.create(material=material, attachment=scan)
    point = make_point(ww)
    centre = ww.centre_a
    ticket = hall.issue_ticket(ww.clerk_a, centre, "ZW0001", now=at())
    hall.call_next(ww.clerk_a, hw.counter_a1, now=at(minute=5))
    slot = hall.save_slot(ww.clerk_a, centre, starts=at().time(), ends=at(hour=11).time(), capacity=5)
    appointment = Appointment.objects.create(
        centre=centre, slot=slot, day=date(2026, 12, 8), item_code="ZW0001", item_name="最低生活保障申请", person_name=SECRET_NAME,
        phone_cipher="x", phone_digest="x", phone_masked="139****0000", booked_by=ww.clerk_a, booked_at=at(),
    )  # fmt: skip
    # The hostile people: the other village's agent (甲二村, township A itself), a department nothing was routed to, a citizen.
    village_a2, _ = create_area(None, code="990199101202", name="甲二村", level="village", parent=world.a, village_kind="village")
    committee_a2 = create_unit(None, name="甲二村村民委员会", kind=Unit.Kind.VILLAGE_COMMITTEE, area=village_a2)
    make_user("agent_a2", committee_a2, [R.VILLAGE_AGENT], village_a2)
    User.objects.create_user("citizen_other", kind=User.Kind.CITIZEN)
    cases = [received, notified, reviewing, decided]
    return {
        "hw": hw, "cases": cases, "numbers": [a.case.number for a in cases],
        "ids": {
            "<id:case_id>": [a.case_id for a in cases],
            "<id:item_id>": ww.items_a["ZW0001"].pk, "<id:attachment_id>": scan.pk, "<slug:transition>": STEPS, "<slug:step>": STEPS,
            "points/<id:pk>": f"points/{point.pk}", "hall/<id:pk>": f"hall/{centre.pk}", "counter/<id:pk>": f"counter/{hw.counter_a1.pk}",
            "<str:township_code>": world.a.code, "<str:code>": world.a.code,
            # The hall's settings, bookings and screen links (the duty and link ids name none: 404 is the answer to check).
            "ticket/<id:pk>": f"ticket/{ticket.pk}", "slot/<id:pk>": f"slot/{slot.pk}", "duty/<id:pk>": "duty/999999",
            "screen-link/<id:pk>": "screen-link/999999", "appointment/<id:pk>": f"appointment/{appointment.pk}",
            "appointments/<id:pk>": f"appointments/{appointment.pk}", "centre/<id:pk>": f"centre/{centre.pk}",
            "<weekday:weekday>": "0", "<str:step>": ["check-in", "cancel"], "<str:token>": "x" * 43,
        },
        "api_ids": {
            "{case_id}": [a.case_id for a in cases], "{point_id}": point.pk, "{step}": ["recall", "skip", "finish"],
            "centres/{pk}": f"centres/{centre.pk}", "counters/{pk}": f"counters/{hw.counter_a1.pk}", "tickets/{pk}": f"tickets/{ticket.pk}",
            "slots/{pk}": f"slots/{slot.pk}", "appointments/{pk}": f"appointments/{appointment.pk}",
        },
        "documents": list(Document.objects.filter(case__in=[a.case for a in cases]).values_list("pk", flat=True)),
    }


def _snapshot():
    return (
        list(Case.objects.order_by("pk").values_list("pk", "state", "updated_at")), JournalEntry.objects.count(), Document.objects.count(),
        list(Ticket.objects.order_by("pk").values_list("pk", "state", "recalls")), list(Appointment.objects.values_list("pk", "state")),
        PaperTransfer.objects.count(), list(AppointmentSlot.objects.values_list("pk", "capacity")),
    )


def _failure(method: str, path: str, response, numbers) -> tuple | None:
    """A server error, or an answer naming A's applicant or one of A's numbers."""
    if response.status_code >= 500:
        return (method, path, response.status_code)
    text = response.content.decode(errors="replace")
    if leaked := [marker for marker in (SECRET_NAME, *numbers) if marker in text]:
        return (method, path, "leaks", leaked)
    return None


HOSTILE_PEOPLE = ("window_b", "backoffice_b", "liaison", "agent_a2", "citizen_other", None)


@pytest.mark.parametrize("person", HOSTILE_PEOPLE)
def test_no_window_page_shows_or_changes_township_a_for_someone_out_of_reach(client, township_a, person):
    if person:
        client.force_login(User.objects.get(username=person))
    paths = window_paths(township_a["ids"]) + [f"/documents/{pk}/pdf/" for pk in township_a["documents"]]
    assert any("/decision/" in p for p in paths) and any("/hall/" in p for p in paths) and any("/points/" in p for p in paths)
    before = _snapshot()
    failures = []
    for path in paths:
        for method, data in (("get", {}), ("post", {}), ("post", HOSTILE_BODY)):
            if failure := _failure(method, path, getattr(client, method)(path, data), township_a["numbers"]):
                failures.append(failure)
    assert failures == []
    assert _snapshot() == before


@pytest.mark.parametrize("person", [p for p in HOSTILE_PEOPLE if p and p != "citizen_other"])
def test_no_window_endpoint_shows_or_changes_township_a_for_someone_out_of_reach(client, township_a, person):
    from zhenjie.testing import Api

    calls = api_paths(township_a["api_ids"])
    assert len(calls) > 25
    api = Api(client).as_(person)
    before = _snapshot()
    failures = []
    for method, path in calls:
        for body in ({}, HOSTILE_BODY):
            if method == "get":
                response = api.client.get(path, **api.headers)
            else:
                response = getattr(api.client, method)(path, json.dumps(body), content_type="application/json", **api.headers)
            if failure := _failure(method, path, response, township_a["numbers"]):
                failures.append(failure)
    assert failures == []
    assert _snapshot() == before


@pytest.mark.parametrize("person", ("window_a", "backoffice_a", "agent_a", "leader_a", "county_admin"))
def test_no_window_page_or_endpoint_fails_on_hostile_input_from_township_as_own_people(client, township_a, person):
    """The same walk by people who do reach A's records, so the actions themselves meet the
    hostile bodies (what they change is theirs to change): never a server error."""
    from zhenjie.testing import Api

    client.force_login(User.objects.get(username=person))
    failures = []
    for path in window_paths(township_a["ids"]):
        for method, data in (("get", {}), ("post", {}), ("post", HOSTILE_BODY)):
            if (response := getattr(client, method)(path, data)).status_code >= 500:
                failures.append((method, path, response.status_code))
    api = Api(client).as_(person)
    for method, path in api_paths(township_a["api_ids"]):
        body = json.dumps(HOSTILE_BODY) if method != "get" else None
        call = getattr(api.client, method)
        response = call(path, **api.headers) if body is None else call(path, body, content_type="application/json", **api.headers)
        if response.status_code >= 500:
            failures.append((method, path, response.status_code))
    assert failures == []
