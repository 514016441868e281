import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from zhenjie.calls import actions as calls
from zhenjie.events import actions
from zhenjie.events.models import Event
from zhenjie.kernel.models import Attachment
from zhenjie.testing import make_event

pytestmark = pytest.mark.django_db


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (12, 12), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def in_b(world):
    return make_event(world, reporter=world.dispatcher_b, lng=116.21, lat=35.01, description="乙镇的垃圾", channel="walk_in")


def test_the_list_shows_only_the_dispatchers_township(client, world):
    make_event(world, description="甲镇的垃圾")
    in_b(world)
    client.force_login(world.dispatcher_a)
    page = client.get(reverse("events:home")).content.decode()
    assert "甲镇的垃圾" in page and "乙镇的垃圾" not in page
    assert 'data-testid="tab-intake">1<' in page


def test_the_export_is_filtered_and_scoped(client, world):
    make_event(world, description="甲镇的垃圾")
    make_event(world, category="noise", description="甲镇的噪声")
    in_b(world)
    client.force_login(world.dispatcher_a)
    response = client.get(reverse("events:home") + "?category=noise&format=xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True))
    assert [row[3] for row in rows] == ["甲镇的噪声"]


def test_another_townships_event_and_its_photos_are_404(client, world):
    event = make_event(world)
    from django.db import transaction

    from zhenjie.kernel import attachments

    with transaction.atomic():
        photo = attachments.store(png(), "现场.png", "photo", case=event.case, actor=world.grid_worker_a)
    for user in (world.dispatcher_b, world.liaison):
        client.force_login(user)
        assert client.get(reverse("events:detail", args=[event.case_id])).status_code == 404
        assert client.get(reverse("workbench:attachment", args=[photo.pk])).status_code == 404
        assert client.post(reverse("events:act", args=[event.case_id, "register"])).status_code == 404
    client.force_login(world.dispatcher_a)
    response = client.get(reverse("workbench:attachment", args=[photo.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


def test_a_grid_worker_reports_through_the_form_with_a_photo(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.grid_worker_a)
    response = client.post(reverse("events:report"), {
        "category": Event._meta.get_field("category").related_model.objects.get(code="sanitation").pk,
        "description": "垃圾桶满溢", "lng": "116.02", "lat": "35.02", "channel": "grid",
        "photos": [SimpleUploadedFile("a.png", png(), content_type="image/png")],
    })
    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("events:detail", args=[event.case_id])
    assert Attachment.objects.filter(case=event.case).count() == 1


def test_the_report_form_names_what_is_wrong(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.grid_worker_a)
    page = client.post(reverse("events:report"), {
        "category": "", "description": "", "lng": "116.3", "lat": "35.02", "channel": "grid",
        "photos": [SimpleUploadedFile("a.png", b"not an image", content_type="image/png")],
    }).content.decode()
    assert "这个字段是必填项。" in page
    client.post(reverse("events:report"), {"category": 1, "description": "x", "lng": "116.3", "lat": "35.02", "channel": "grid"})
    page = client.post(reverse("events:report"), {
        "category": Event._meta.get_field("category").related_model.objects.get(code="sanitation").pk,
        "description": "越界", "lng": "116.3", "lat": "35.02", "channel": "grid",
    }).content.decode()
    assert "上报位置不在您的辖区(网格)内" in page
    assert not Event.objects.exists()


def test_dispatching_without_a_listed_unit_asks_for_one_on_the_page(client, world):
    event = make_event(world)
    actions.register_event(world.dispatcher_a, event)
    client.force_login(world.dispatcher_a)
    page = client.post(reverse("events:act", args=[event.case_id, "dispatch"]), {"unit": "", "reason": ""}).content.decode()
    assert "请调度员指定处置单位" in page
    response = client.post(reverse("events:act", args=[event.case_id, "dispatch"]), {"unit": world.office_a.pk, "reason": ""})
    assert response.status_code == 302
    assert Event.objects.get().handling_unit == world.office_a


def test_the_print_sheet_has_the_timeline(client, world):
    event = make_event(world)
    actions.register_event(world.dispatcher_a, event)
    client.force_login(world.dispatcher_a)
    page = client.get(reverse("events:print", args=[event.case_id])).content.decode()
    assert "事件处置单" in page and "立案" in page and event.case.number in page


def test_the_liaison_works_the_call_page_and_sees_the_event_through_it(client, world):
    event = make_event(world, category="pollution", description="河道排污")
    actions.register_event(world.dispatcher_a, event)
    [call] = calls.call_departments(world.dispatcher_a, event.case, [world.police], "请到场处置", 3)
    client.force_login(world.liaison)
    page = client.get(reverse("calls:detail", args=[call.case_id])).content.decode()
    assert "河道排污" in page and "请到场处置" in page
    assert client.post(reverse("calls:act", args=[call.case_id, "acknowledge"])).status_code == 302
    assert "已响应" in client.get(reverse("calls:home")).content.decode()
    client.force_login(world.dispatcher_b)
    assert client.get(reverse("calls:detail", args=[call.case_id])).status_code == 404


@pytest.mark.parametrize("url_name", ["events:home", "calls:home"])
def test_event_lists_run_the_same_number_of_queries_at_3_and_30_rows(client, world, url_name):
    def add(count):
        for _ in range(count):
            event = make_event(world)
            actions.register_event(world.dispatcher_a, event)
            calls.call_departments(world.dispatcher_a, event.case, [world.police], "请处置", 3)

    add(3)
    client.force_login(world.dispatcher_a)
    client.get(reverse(url_name))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse(url_name))
    add(27)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse(url_name))
    assert len(large) == len(small)


def test_past_the_count_cap_the_list_and_its_tabs_say_so_and_the_open_tabs_stay_exact(client, world, monkeypatch):
    """At a million events an exact count costs seconds a page: a filtered list counts to
    COUNT_CAP and says "+"; unfiltered but for its tab, it shows its tab's count, exact for the
    open tabs (the badges come from the indexes, kernel.scoping.counting_parts)."""
    from zhenjie.workbench import paging

    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    for n in range(4):
        event = make_event(world, description=f"甲镇第{n}件")
        if n < 3:
            actions.register_event(world.dispatcher_a, event)
    in_b(world)
    client.force_login(world.dispatcher_a)
    page = client.get(reverse("events:home") + "?category=sanitation").content.decode()
    assert 'data-testid="total-count">3+<' in page and 'data-testid="count-capped"' in page
    page = client.get(reverse("events:home")).content.decode()
    assert 'data-testid="total-count">4<' in page and 'data-testid="count-capped"' not in page
    assert 'data-testid="tab-all">4<' in page  # the open tabs are exact; only 已关闭 is capped
    assert 'data-testid="tab-intake">1<' in page and 'data-testid="tab-dispatch">3<' in page
    page = client.get(reverse("events:home") + "?tab=intake").content.decode()
    assert 'data-testid="total-count">1<' in page and 'data-testid="count-capped"' not in page


def test_the_closed_tabs_badge_counts_only_so_far_and_the_closed_list_still_counts_its_rows(client, world, monkeypatch):
    from zhenjie.events import views

    monkeypatch.setattr(views, "BADGE_CAP", 2)
    for n in range(3):
        actions.reject_event(world.dispatcher_a, make_event(world, description=f"重复第{n}件"), reason="重复上报")
    actions.register_event(world.dispatcher_a, make_event(world))
    client.force_login(world.dispatcher_a)
    page = client.get(reverse("events:home")).content.decode()
    assert 'data-testid="tab-closed">2+<' in page and 'data-testid="tab-all">3+<' in page and 'data-testid="tab-dispatch">1<' in page
    page = client.get(reverse("events:home") + "?tab=closed").content.decode()
    assert 'data-testid="total-count">3<' in page  # the list itself counts to COUNT_CAP


@pytest.mark.parametrize("tab", ["intake", "dispatch"])
def test_the_dispatchers_queue_runs_the_same_number_of_queries_at_3_and_30_rows(client, world, tab):
    """待受理 (reported) and 待派遣 (registered): the tabs a dispatcher works from."""

    def add(count):
        for _ in range(count):
            event = make_event(world)
            if tab == "dispatch":
                actions.register_event(world.dispatcher_a, event)

    def queue():
        return client.get(reverse("events:home") + f"?tab={tab}").content.decode()

    add(3)
    client.force_login(world.dispatcher_a)
    queue()
    with CaptureQueriesContext(connection) as small:
        assert 'data-testid="total-count">3<' in queue()
    add(27)
    with CaptureQueriesContext(connection) as large:
        assert 'data-testid="total-count">30<' in queue()
    assert len(large) == len(small)


def test_the_calls_export_is_filtered_as_shown_and_scoped(client, world):
    first, second = make_event(world, description="甲镇的排污"), make_event(world, description="甲镇的噪声")
    for event in (first, second):
        actions.register_event(world.dispatcher_a, event)
    [answered] = calls.call_departments(world.dispatcher_a, first.case, [world.police], "请到场处置", 3)
    calls.call_departments(world.dispatcher_a, second.case, [world.police], "请协助调查", 3)
    calls.acknowledge_call(world.liaison, answered)
    in_b(world)

    def exported(user, query=""):
        client.force_login(user)
        response = client.get(reverse("calls:home") + f"?format=xlsx{query}")
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        return [row[4] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True)]

    assert sorted(exported(world.dispatcher_a)) == ["请到场处置", "请协助调查"]
    assert exported(world.dispatcher_a, "&state=acknowledged") == ["请到场处置"]
    assert sorted(exported(world.liaison)) == ["请到场处置", "请协助调查"]
    assert exported(world.dispatcher_b) == []


def test_an_event_sent_in_from_another_township_counts_in_the_badges_and_totals_it_is_listed_in(client, world):
    """The badges and totals count from the indexes (kernel.scoping.counting_parts): an event of
    township B sent to A's command centre is in A's list, so in A's counts too, and not in B's
    dispatcher's counts twice; the API list agrees with the page."""
    from zhenjie.kernel.assignments import Assign, create
    from zhenjie.testing import Api

    make_event(world, description="甲镇的垃圾")
    theirs = in_b(world)
    create(theirs.case, Assign(unit=world.centre_a, todo="respond"))
    client.force_login(world.dispatcher_a)
    page = client.get(reverse("events:home")).content.decode()
    assert "乙镇的垃圾" in page and 'data-testid="total-count">2<' in page
    assert 'data-testid="tab-all">2<' in page and 'data-testid="tab-intake">2<' in page
    api = Api(client).as_("dispatcher_a")
    listed = api.get("/api/events").json()
    assert listed["count"] == len(listed["items"]) == 2
    assert api.get("/api/events", state="reported").json()["count"] == 2
    client.force_login(world.dispatcher_b)
    assert 'data-testid="tab-all">1<' in client.get(reverse("events:home")).content.decode()
