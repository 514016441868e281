"""The window's figures (issue 15 item 8): what each count means, the applications behind each,
jurisdiction (two townships), bad input, a fixed number of queries, the page, Excel and API."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from zhenjie.kernel import workflow
from zhenjie.kernel.errors import Rejected
from zhenjie.kernel.models import Case, FollowUp, JournalEntry
from zhenjie.testing import Api
from zhenjie.window import figures as f
from zhenjie.window.models import Application, ApplicationMaterial, DeliveryMethod
from zhenjie.window.testing import make_application, make_window_world
from zhenjie.window.workflow import State

pytestmark = pytest.mark.django_db


def _decide(app, *, late=False, delivered=None, method="", rating=None):
    """Mark `app` decided (by its deadline or a day after it), delivered and rated, as the later
    steps of its life would."""
    case = app.case
    decided_at = case.due_at + timedelta(days=1) if late else case.due_at - timedelta(hours=1)
    Application.objects.filter(pk=app.pk).update(decision="approved", decided_at=decided_at, delivered_at=delivered, delivery_method=method)
    if rating:
        Case.objects.filter(pk=case.pk).update(rating=rating, rated_at=timezone.now())
    app.refresh_from_db()
    return app


def _deferred(app, *, due_days: int, supplied_days: int | None):
    """The application's deferrable paper deferred to `due_days` from today, supplied
    `supplied_days` from today (or not yet)."""
    today = timezone.localdate()
    supplied = timezone.now() + timedelta(days=supplied_days) if supplied_days is not None else None
    ApplicationMaterial.objects.filter(application=app, name="户口簿").update(status="deferred", due_on=today + timedelta(days=due_days), supplied_at=supplied)


@pytest.fixture
def scene(world):
    ww = make_window_world(world)
    now = timezone.now()
    s = {"ww": ww}
    # A: on time, by post, rated 5 — one visit.
    s["post"] = _decide(make_application(ww, "ZW0001", state=State.REVIEWING), delivered=now, method=DeliveryMethod.POST, rating=5)
    # A: late, collected at the window two days after receipt — a second visit; rated 1 and a
    # follow-up open past its deadline.
    late = make_application(ww, "ZW0001", state=State.REVIEWING)
    s["late"] = _decide(late, late=True, delivered=late.received_at + timedelta(days=2), method=DeliveryMethod.WINDOW, rating=1)
    FollowUp.objects.create(case=late.case, reason=FollowUp.Reason.DISSATISFIED, rating=1, due_at=now - timedelta(days=1))
    # A: a notice issued after its limit; a deferred paper supplied on time.
    s["notified"] = make_application(ww, "ZW0002", state=State.NOTIFIED)
    Application.objects.filter(pk=s["notified"].pk).update(notice_due_at=now - timedelta(days=3))
    _deferred(s["notified"], due_days=5, supplied_days=0)
    # A: no notice in time, deemed accepted; its deferred paper overdue and missing; rated 4 and
    # its follow-up closed in time.
    s["deemed"] = make_application(ww, "ZW0002", state=State.REVIEWING)
    Application.objects.filter(pk=s["deemed"].pk).update(deemed_accepted=True)
    Case.objects.filter(pk=s["deemed"].case_id).update(rating=4)
    _deferred(s["deemed"], due_days=-2, supplied_days=None)
    FollowUp.objects.create(case=s["deemed"].case, reason=FollowUp.Reason.SAMPLE, state=FollowUp.State.DONE, due_at=now + timedelta(days=2),
                            done_at=now)
    # B: one application, decided and delivered: township A's staff never count it.
    s["b"] = _decide(make_application(ww, "ZW0001", township=world.b, state=State.REVIEWING), delivered=now, method=DeliveryMethod.POST, rating=2)
    return s


def _ids(rows):
    return set(rows.values_list("pk", flat=True))


def test_each_figure_counts_what_its_definition_says_and_links_to_exactly_those(scene):
    ww = scene["ww"]
    clerk = ww.clerk_a
    found = f.figures(clerk, f.choose(clerk))
    total = found.total.counts
    assert total["received"] == 4
    assert (total["decided"], total["late"], found.total.on_time, found.total.on_time_rate) == (2, 1, 1, 50.0)
    assert (total["delivered"], total["one_visit"], found.total.one_visit_rate) == (2, 1, 50.0)
    assert (total["notified"], total["notice_late"]) == (1, 2)
    assert found.total.papers == {"deferred": 2, "on_time": 1, "late": 0, "overdue": 1} and total["deferred_late"] == 1
    assert (total["rated"], total["rating_5"], total["rating_4"], total["rating_1"], found.total.average_rating) == (3, 1, 1, 1, 3.33)
    assert (total["follow_up"], total["follow_up_on_time"], total["follow_up_late"]) == (2, 1, 1)

    expected = {
        "received": {"post", "late", "notified", "deemed"}, "decided": {"post", "late"}, "on_time": {"post"}, "late": {"late"},
        "one_visit": {"post"}, "notified": {"notified"}, "notice_late": {"notified", "deemed"}, "deferred": {"notified", "deemed"},
        "deferred_late": {"deemed"}, "rated": {"post", "late", "deemed"}, "rating_1": {"late"}, "follow_up": {"late", "deemed"},
        "follow_up_on_time": {"deemed"}, "follow_up_late": {"late"},
    }
    for measure, names in expected.items():
        behind = f.applications_matching(clerk, dict(pair.split("=") for pair in found.total.links[measure].split("&")))
        assert _ids(behind) == {scene[n].pk for n in names}, measure

    # Per item and per deciding unit, each row links to its own applications.
    by_item = {row.key: row for row in found.items}
    assert by_item["ZW0001"].counts["received"] == 2 and by_item["ZW0002"].counts["received"] == 2
    assert _ids(f.applications_matching(clerk, {"item": "ZW0002", "measure": "deferred_late"})) == {scene["deemed"].pk}
    [unit] = found.units  # the notified one has no deciding unit yet
    assert unit.key == ww.centre_a.pk and unit.counts["received"] == 3 and f"unit={ww.centre_a.pk}" in unit.links["late"]


def test_a_township_sees_its_own_the_county_every_township(scene):
    ww = scene["ww"]
    assert scene["b"].pk not in _ids(f.applications_matching(ww.clerk_a, {}))
    assert _ids(f.applications_matching(ww.clerk_b, {})) == {scene["b"].pk}
    assert f.figures(ww.clerk_b, f.choose(ww.clerk_b)).total.counts["received"] == 1
    county = f.figures(ww.world.county_admin, f.choose(ww.world.county_admin))
    assert county.total.counts["received"] == 5 and {row.key for row in county.units} == {ww.centre_a.pk, ww.centre_b.pk}
    # Township B's deciding unit is not one A may filter by.
    with pytest.raises(Rejected) as refused:
        f.choose(ww.clerk_a, unit=ww.centre_b.pk)
    assert refused.value.code == "window_figures.unit_unknown"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"from": "2026-13-01"}, "window_figures.from_invalid"),
        ({"to": "abc"}, "window_figures.to_invalid"),
        ({"from": "2026-05-02", "to": "2026-05-01"}, "window_figures.period_reversed"),
        ({"from": "2024-01-01", "to": "2026-01-01"}, "window_figures.period_too_long"),
        ({"measure": "everything"}, "window_figures.measure_invalid"),
        ({"item": "Z" * 65}, "window_figures.item_invalid"),
        ({"unit": "x"}, "window_figures.unit_unknown"),
        ({"unit": "99999999999999999999"}, "window_figures.unit_unknown"),
    ],
)
def test_bad_filters_are_refused_in_chinese(world, params, code):
    with pytest.raises(Rejected) as refused:
        f.applications_matching(world.clerk_a, params)
    assert refused.value.code == code and refused.value.message


def test_a_fixed_number_of_queries_whatever_the_rows(world):
    ww = make_window_world(world)
    make_application(ww, "ZW0001", state=State.REVIEWING)

    def count():
        with CaptureQueriesContext(connection) as queries:
            f.figures(ww.clerk_a, f.choose(ww.clerk_a))
        return len(queries)

    one = count()
    for code in ("ZW0002", "BM001", "ZW0001", "ZW0002"):
        _decide(make_application(ww, code, state=State.REVIEWING), delivered=timezone.now(), method=DeliveryMethod.AGENT_POINT, rating=3)
    assert count() == one


def test_the_page_the_export_and_the_api(scene, client):
    ww = scene["ww"]
    client.force_login(ww.clerk_a)
    page = client.get("/window/figures/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "最多跑一次率" in html and "最低生活保障申请" in html and "乙镇便民服务中心" not in html
    refused = client.get("/window/figures/", {"from": "2026-05-02", "to": "2026-05-01"})
    assert refused.status_code == 400 and "起始日期不能晚于截止日期" in refused.content.decode()

    export = client.get("/window/figures/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content) if export.streaming else export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("维度", "名称", "收件") and rows[1][:3] == ("合计", "合计", 4)
    assert not any(name == "乙镇便民服务中心" for _, name, *rest in rows)

    api = Api(client).as_(ww.clerk_b.username)
    answer = api.get("/api/window/figures")
    assert answer.status_code == 200
    body = answer.json()
    assert body["total"]["counts"]["received"] == 1 and [row["name"] for row in body["units"]] == ["乙镇便民服务中心"]
    assert "measure=rating_2" in body["total"]["applications"]["rating_2"]
    bad = api.get("/api/window/figures", unit=ww.centre_a.pk)
    assert bad.status_code == 400 and bad.json()["code"] == "window_figures.unit_unknown"


def test_the_notice_hook_reads_the_notify_step(scene):
    # Until the notice's own record is merged, the journal's notify entry is the notice.
    notified = scene["notified"]
    assert JournalEntry.objects.filter(case=notified.case, verb="notify").exists()
    assert Application.objects.filter(f.notice_issued()).get() == notified


def test_one_visit_means_no_notice_and_no_trip_to_collect(world):
    ww = make_window_world(world)

    def delivered(method, *, days_after=0, notified=False):
        app = make_application(ww, "ZW0001", state=State.NOTIFIED if notified else State.REVIEWING)
        if notified:  # told once, supplemented, accepted: the journal's notify entry stays (figures.notice_issued)
            workflow.perform(ww.clerk_a, app.case, "supplement")
            workflow.perform(ww.clerk_a, app.case, "accept")
        return _decide(app, delivered=app.received_at + timedelta(days=days_after), method=method)

    same_day = delivered(DeliveryMethod.WINDOW)
    by_agent = delivered(DeliveryMethod.AGENT_POINT, days_after=3)
    delivered(DeliveryMethod.WINDOW, days_after=1)  # came back to collect it
    delivered(DeliveryMethod.POST, days_after=2, notified=True)  # came back with the papers
    _decide(make_application(ww, "ZW0001", state=State.REVIEWING), delivered=None)  # not delivered: not counted
    assert _ids(f.applications_matching(ww.clerk_a, {"measure": "one_visit"})) == {same_day.pk, by_agent.pk}
    total = f.figures(ww.clerk_a, f.choose(ww.clerk_a)).total
    assert (total.counts["one_visit"], total.counts["delivered"], total.one_visit_rate) == (2, 4, 50.0)


def test_a_count_on_the_page_opens_the_list_of_exactly_those_applications(scene, client):
    ww = scene["ww"]
    client.force_login(ww.clerk_a)
    page = client.get("/window/figures/").content.decode()
    assert 'data-testid="link-late"' in page  # the counts link to the list now that it is there
    found = f.figures(ww.clerk_a, f.choose(ww.clerk_a))
    listed = client.get("/window/?" + found.total.links["late"]).content.decode()
    assert scene["late"].case.number in listed and scene["post"].case.number not in listed
    assert scene["b"].case.number not in client.get("/window/?measure=received").content.decode()
    refused = client.get("/window/?measure=nonsense").content.decode()
    assert scene["late"].case.number not in refused and "统计项须为" in refused
