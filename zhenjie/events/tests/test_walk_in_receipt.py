"""A walk-in (窗口来访) names the visitor, not the clerk, as reporter, and the visitor leaves with a
receipt (回执): a numbered PDF with the event's number and a tracking code; a lost receipt is
replaced by a new one whose code retires the old (issue 14 item 3)."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from zhenjie.events import portal
from zhenjie.events.models import Category, Event
from zhenjie.kernel.errors import NotFound
from zhenjie.kernel.models import Document
from zhenjie.testing import api, make_event  # noqa: F401  (api: a fixture)

pytestmark = pytest.mark.django_db


def walk_in(client, world, **changes):
    client.force_login(world.dispatcher_a)
    data = {"channel": "walk_in", "category": Category.objects.get(code="noise").pk, "description": "夜间施工噪声", "area": world.village_a.pk,
            "reporter_name": "李大爷", "reporter_phone": "13912345678"} | changes
    return client.post(reverse("events:report"), data)


def receipt_text(client, document) -> str:
    response = client.get(reverse("workbench:document_pdf", args=[document.pk]))
    assert response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return "".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(body)).pages).replace(" ", "").replace("\n", "")


def test_a_walk_in_names_the_visitor_and_prints_a_receipt_with_the_number_and_code(client, world):
    response = walk_in(client, world)
    event = Event.objects.select_related("case").get()
    assert response.status_code == 302 and response["Location"] == reverse("events:detail", args=[event.case_id])
    assert (event.reporter_id, event.reporter_name, event.reporter_phone_masked) == (None, "李大爷", "139****5678")
    assert event.reporter_phone_cipher and "13912345678" not in str(event.__dict__)
    document = Document.objects.get(case=event.case, kind="walk_in_receipt")
    assert "来访登记回执" in client.get(response["Location"]).content.decode()
    text = receipt_text(client, document)
    assert document.number in text and event.case.number in text and "李大爷" in text
    code = re.search(r"查询码：([23456789A-HJKMNP-Z]{8})", text).group(1)
    assert portal.find_for_citizen(event.case.number, code).pk == event.pk
    # The clerk is not the reporter: they are not offered the reporter's rating or confirmation.
    assert event.reporter_id is None

    # A lost receipt: a new one, a new code; the old code no longer finds the event.
    assert client.post(reverse("events:receipt", args=[event.case_id])).status_code == 302
    second = Document.objects.filter(case=event.case, kind="walk_in_receipt").latest("pk")
    assert second.number != document.number
    new_code = re.search(r"查询码：([23456789A-HJKMNP-Z]{8})", receipt_text(client, second)).group(1)
    assert portal.find_for_citizen(event.case.number, new_code).pk == event.pk
    with pytest.raises(NotFound):
        portal.find_for_citizen(event.case.number, code)


def test_only_walk_ins_get_receipts_and_other_townships_cannot_print_them(client, world):
    grid_event = make_event(world)
    client.force_login(world.dispatcher_a)
    response = client.post(reverse("events:receipt", args=[grid_event.case_id]))
    assert response.status_code == 409 and "只有窗口来访登记的事件出具回执" in response.content.decode()
    walk_in(client, world)
    event = Event.objects.get(channel="walk_in")
    client.force_login(world.dispatcher_b)
    assert client.post(reverse("events:receipt", args=[event.case_id])).status_code == 404
    assert Document.objects.filter(kind="walk_in_receipt").count() == 1


def test_the_handling_unit_cannot_print_a_new_receipt_and_so_take_the_visitors_code(client, world):
    """Review: a new receipt retires the visitor's code and prints a fresh one. Holding the
    handling work on the event is no right to it — the handling unit would hold a code that
    confirms or rates its own result as the visitor (and the visitor's code would stop working).
    Only the command centre, or whoever took the visitor in while it is theirs (首问负责)."""
    from zhenjie.events import actions

    walk_in(client, world)
    event = Event.objects.select_related("case__area", "category").get()
    code = re.search(r"查询码：([23456789A-HJKMNP-Z]{8})", receipt_text(client, Document.objects.get(case=event.case))).group(1)
    actions.register_event(world.dispatcher_a, event)
    actions.dispatch_event(world.dispatcher_a, event, unit=world.office_a, reason="社会治理办处置")
    actions.acknowledge_event(world.clerk_a, Event.objects.select_related("case__area", "category", "handling_unit").get(pk=event.pk))

    client.force_login(world.clerk_a)
    assert client.get(reverse("events:detail", args=[event.case_id])).status_code == 200  # they see it: they handle it
    assert client.post(reverse("events:receipt", args=[event.case_id])).status_code == 403
    assert Document.objects.filter(case=event.case, kind="walk_in_receipt").count() == 1
    assert portal.find_for_citizen(event.case.number, code).pk == event.pk


def test_the_receipt_and_its_code_are_read_only_by_whoever_may_print_it(client, world, api):
    """Review: the receipt holds the visitor's tracking code. Seeing the event (the handling unit
    does) is no right to read it: with the code the handling unit could confirm its own result
    as the visitor (a category without on-site verification then closes) or rate it."""
    from zhenjie.events import actions

    walk_in(client, world)
    event = Event.objects.select_related("case__area", "category").get()
    document = Document.objects.get(case=event.case)
    actions.register_event(world.dispatcher_a, event)
    actions.dispatch_event(world.dispatcher_a, event, unit=world.office_a, reason="社会治理办处置")

    client.force_login(world.clerk_a)
    assert client.get(reverse("events:detail", args=[event.case_id])).status_code == 200
    assert client.get(reverse("workbench:document_pdf", args=[document.pk])).status_code == 404
    assert api.as_("clerk_a").get(f"/api/documents/{document.pk}/pdf").status_code == 404
    client.force_login(world.dispatcher_a)
    assert "查询码" in receipt_text(client, document)  # the command centre reprints it
