"""A citizen without an account reports a problem, follows it by number and code, learns why it
was rejected or how it was handled, and rates it once it is closed (issue 5 item 2: 群众上报)."""

import io
import re

import pytest
from django.urls import reverse
from PIL import Image

from zhenjie.events import actions, portal
from zhenjie.events.models import Event
from zhenjie.kernel import tracking
from zhenjie.kernel.models import Attachment, Case, CaseParty, JournalEntry

pytestmark = pytest.mark.django_db

REPORT = reverse("events_public:report")
TRACK = reverse("events_public:track")


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (12, 12), "blue").save(buffer, format="PNG")
    return buffer.getvalue()


def form(world, **changes):
    data = {"village": world.village_a.pk, "category": "", "description": "村口路灯坏了一周，晚上很黑", "phone": "13812345678", "name": "王先生"}
    from zhenjie.events.models import Category

    data["category"] = Category.objects.get(code="road_facility").pk
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def submit(client, data, **extra):
    return client.post(REPORT, data, **extra)


def number_and_code(response) -> tuple[str, str]:
    page = response.content.decode()
    number = re.search(r'data-testid="event-number">([^<]+)<', page).group(1)
    code = re.search(r'data-testid="tracking-code">([^<]+)<', page).group(1)
    return number, code


def close(world, event):
    actions.register_event(world.dispatcher_a, event)
    actions.dispatch_event(world.dispatcher_a, event, unit=world.office_a, reason="路灯由社会治理办联系维修")
    actions.acknowledge_event(world.clerk_a, event)
    actions.start_handling(world.clerk_a, event)
    actions.report_back(world.clerk_a, event, "已更换灯泡")
    actions.verify_event(world.dispatcher_a, event, passed=True, note="亮了")
    actions.close_event(world.dispatcher_a, event)


def test_a_citizen_report_reaches_the_townships_queue_and_only_that_township_sees_it(client, world):
    response = submit(client, form(world))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    number, code = number_and_code(response)
    event = Event.objects.select_related("case").get()
    assert (event.channel, event.case.number, event.case.state, event.case.area) == ("citizen", number, "reported", world.village_a)
    assert (event.reporter, event.reporter_name, event.reporter_phone_masked) == (None, "王先生", "138****5678")
    assert len(code) == tracking.CODE_LENGTH and code not in (event.case.tracking_digest, str(event.case.__dict__), str(event.__dict__))
    # The journal names the citizen by reference, never by name (issue 12 item 3): it cannot be erased.
    assert JournalEntry.objects.get(case=event.case, verb="open").actor_name == "群众"
    assert not [e for e in JournalEntry.objects.all() if "王先生" in f"{e.actor_name}{e.summary}{e.note}{e.data}"]
    client.force_login(world.dispatcher_a)
    assert "村口路灯坏了" in client.get(reverse("events:home") + "?tab=intake").content.decode()
    client.force_login(world.dispatcher_b)
    assert "村口路灯坏了" not in client.get(reverse("events:home")).content.decode()


def test_the_phones_position_places_it_in_the_grid(client, world):
    submit(client, form(world, lng="116.01", lat="35.01"))
    assert Event.objects.get().case.area == world.grid_a


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"village": None}, "village", "这个字段是必填项"),
        ({"village": "99999999"}, "village", "选择一个有效的选项"),
        ({"category": "abc"}, "category", "选择一个有效的选项"),
        ({"description": ""}, "description", "这个字段是必填项"),
        ({"description": "长" * 1001}, "description", "1000"),
        ({"phone": "12345"}, "phone", "11位手机号码"),
        ({"phone": "12812345678"}, "phone", "11位手机号码"),  # no such mobile network: could not be sealed
        ({"phone": ""}, "phone", "这个字段是必填项"),
        ({"name": "名" * 21}, "name", "20"),
        ({"lng": "121.5", "lat": "31.2"}, "lng", "不在本县范围内"),
        ({"lng": "116.01", "lat": "135"}, "lat", "纬度"),
        ({"lng": "116.21", "lat": "35.01"}, "village", "不在同一乡镇"),
        ({"lng": "east", "lat": "35.01"}, "lng", "输入一个数字"),
    ],
)
def test_bad_reports_are_refused_in_chinese_and_leave_nothing_behind(client, world, changes, field, message):
    response = submit(client, form(world, **changes))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and (f'data-field-error="{field}"' in page or 'data-testid="form-error"' in page)
    assert not Event.objects.exists() and not Case.objects.exists()


def test_a_photo_must_be_an_image_and_at_most_three(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("现场.png", b"not an image at all", content_type="image/png")
    response = submit(client, form(world, photos=[fake]))
    assert response.status_code == 400 and "图片" in response.content.decode()
    photos = [SimpleUploadedFile(f"{n}.png", png(), content_type="image/png") for n in range(4)]
    response = submit(client, form(world, photos=photos))
    assert response.status_code == 400 and "照片最多3张" in response.content.decode()
    assert not Event.objects.exists() and not Attachment.objects.exists()
    good = SimpleUploadedFile("路灯.png", png(), content_type="image/png")
    assert submit(client, form(world, photos=[good])).status_code == 200
    assert Attachment.objects.filter(case=Event.objects.get().case).count() == 1


def test_reports_from_one_address_are_limited_per_hour_and_bots_are_turned_away(client, world):
    for _ in range(portal.REPORTS_PER_HOUR):
        assert submit(client, form(world)).status_code == 200
    response = submit(client, form(world))
    assert response.status_code == 429 and "每小时最多提交" in response.content.decode()
    assert submit(client, form(world), REMOTE_ADDR="10.1.2.3").status_code == 200  # another address
    assert submit(client, form(world, website="http://spam"), REMOTE_ADDR="10.9.9.9").status_code == 429
    assert Event.objects.count() == portal.REPORTS_PER_HOUR + 1


def test_the_citizen_follows_it_sees_the_rejection_reason_and_nothing_with_a_wrong_code(client, world):
    number, code = number_and_code(submit(client, form(world)))
    page = client.post(TRACK, {"number": number, "code": code.lower()}).content.decode()
    assert 'data-testid="public-state">待受理<' in page and "已受理上报" in page
    for wrong in ({"number": number, "code": "AAAAAAAA"}, {"number": "柳湾事〔2026〕第999号", "code": code}, {"number": number, "code": ""}):
        response = client.post(TRACK, wrong)
        assert response.status_code in (400, 404) and "村口路灯" not in response.content.decode()
    assert "编号或查询码不正确" in client.post(TRACK, {"number": number, "code": "AAAAAAAA"}).content.decode()
    actions.reject_event(world.dispatcher_a, Event.objects.get(), "路灯属供电公司产权，已转告供电所")
    page = client.post(TRACK, {"number": number, "code": code}).content.decode()
    assert "不予受理" in page and "已转告供电所" in page and 'data-testid="rating-form"' not in page


def test_the_citizen_rates_once_after_closing_and_only_with_the_code(client, world):
    number, code = number_and_code(submit(client, form(world)))
    event = Event.objects.get()
    response = client.post(TRACK, {"number": number, "code": code, "rating": 5})
    assert response.status_code == 409 and "办结后才能评价" in response.content.decode()
    close(world, Event.objects.get(pk=event.pk))
    page = client.post(TRACK, {"number": number, "code": code}).content.decode()
    assert 'data-testid="rating-form"' in page and "已更换灯泡" in page
    assert client.post(TRACK, {"number": number, "code": "AAAAAAAA", "rating": 1}).status_code == 404
    response = client.post(TRACK, {"number": number, "code": code, "rating": 4, "comment": "修得快"})
    assert response.status_code == 200 and "感谢您的评价" in response.content.decode()
    case = Case.objects.get(pk=event.case_id)
    assert (case.rating, case.rating_comment) == (4, "修得快") and case.rated_at is not None
    reporter = CaseParty.objects.get(case=case, role="reporter").party_id
    assert JournalEntry.objects.get(case=case, verb="rate").actor_name == f"群众(当事人编号{reporter})"
    assert not [e for e in JournalEntry.objects.all() if "王先生" in f"{e.actor_name}{e.summary}{e.note}{e.data}"]
    response = client.post(TRACK, {"number": number, "code": code, "rating": 1})
    assert response.status_code == 409 and Case.objects.get(pk=event.case_id).rating == 4
    page = client.post(TRACK, {"number": number, "code": code}).content.decode()
    assert "感谢您的评价" in page and "您已评价" in page


def test_lookups_are_limited_so_codes_cannot_be_guessed(client, world):
    number, code = number_and_code(submit(client, form(world)))
    for _ in range(portal.LOOKUPS_PER_10_MINUTES):
        client.post(TRACK, {"number": number, "code": "AAAAAAAA"})
    response = client.post(TRACK, {"number": number, "code": code})
    assert response.status_code == 429 and "查询过于频繁" in response.content.decode()


def test_behind_a_proxy_the_limit_follows_the_header_it_sets(client, world, settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    for _ in range(portal.REPORTS_PER_HOUR):
        assert submit(client, form(world), HTTP_X_REAL_IP="203.0.113.7").status_code == 200
    assert submit(client, form(world), HTTP_X_REAL_IP="203.0.113.7").status_code == 429
    assert submit(client, form(world), HTTP_X_REAL_IP="203.0.113.8").status_code == 200  # same proxy, another citizen


def test_staff_who_must_call_back_see_the_full_mobile_and_each_look_is_journaled(client, world):
    from zhenjie.kernel.errors import Forbidden, NotFound

    submit(client, form(world, lng="116.01", lat="35.01"))  # in grid A, so its grid worker sees it
    event = Event.objects.select_related("case").get()
    assert event.reporter_phone_cipher and "13812345678" not in event.reporter_phone_cipher
    client.force_login(world.dispatcher_a)
    detail = reverse("events:detail", args=[event.case_id])
    page = client.get(detail).content.decode()
    assert "138****5678" in page and "13812345678" not in page and 'data-testid="reveal-phone"' in page
    page = client.post(reverse("events:reveal_phone", args=[event.case_id])).content.decode()
    assert 'data-testid="reporter-phone">13812345678<' in page
    entry = JournalEntry.objects.get(case=event.case, verb="reveal_phone")
    assert entry.actor == world.dispatcher_a and "查看上报人完整电话" in entry.summary
    with pytest.raises(Forbidden):
        actions.reveal_reporter_phone(world.grid_worker_a, event)  # sees the event, need not call
    with pytest.raises(NotFound):
        actions.reveal_reporter_phone(world.dispatcher_b, event)
    client.force_login(world.dispatcher_b)
    assert client.post(reverse("events:reveal_phone", args=[event.case_id])).status_code == 404
    assert JournalEntry.objects.filter(verb="reveal_phone").count() == 1


def test_a_landline_is_kept_masked_only(world):
    from zhenjie.events.intake import Report, report_event
    from zhenjie.events.models import Category
    from zhenjie.kernel.errors import Conflict

    event = report_event(world.dispatcher_a, Report(channel="walk_in", category=Category.objects.get(code="noise"), description="夜间施工",
                                                    area=world.village_a, reporter_phone="0539-1234567"))  # fmt: skip
    assert (event.reporter_phone_masked, event.reporter_phone_cipher) == ("053****4567", "")
    with pytest.raises(Conflict):
        actions.reveal_reporter_phone(world.dispatcher_a, event)


def test_the_code_never_travels_in_an_address_and_tracking_pages_are_not_cached(client, world):
    number, code = number_and_code(submit(client, form(world)))
    response = client.get(TRACK, {"number": number, "code": code})
    assert response.status_code == 200 and "村口路灯" not in response.content.decode()  # GET only prefills a form
    response = client.post(TRACK, {"number": number, "code": code})
    assert "村口路灯" in response.content.decode() and response["Cache-Control"] == "no-store"


def test_two_townships_numbering_alike_each_find_their_own_report(client, world):
    """Numbers are unique per township's series, not county-wide: the code tells them apart."""
    from zhenjie.kernel.models import Case

    number, code = number_and_code(submit(client, form(world)))
    other, other_code = number_and_code(submit(client, form(world, village=world.village_b.pk, description="乙镇的路灯")))
    Case.objects.filter(number=other).update(number=number)  # as two townships named alike would number
    assert "乙镇的路灯" in client.post(TRACK, {"number": number, "code": other_code}).content.decode()
    assert "村口路灯" in client.post(TRACK, {"number": number, "code": code}).content.decode()


def test_an_unreadable_phone_is_a_clear_message_and_no_journal_entry(client, world):
    from zhenjie.kernel.errors import Conflict

    submit(client, form(world))
    event = Event.objects.get()
    Event.objects.filter(pk=event.pk).update(reporter_phone_cipher="g1:k0:bm90IGEgY2lwaGVy")
    with pytest.raises(Conflict) as error:
        actions.reveal_reporter_phone(world.dispatcher_a, Event.objects.select_related("case__area").get())
    assert "无法解密" in error.value.message and not JournalEntry.objects.filter(verb="reveal_phone").exists()


def test_the_portals_limits_are_shared_by_every_web_process_without_redis(tmp_path):
    """Issue 12: with the production settings and no REDIS_URL, two processes (gunicorn's
    workers) count into one limit, so a second worker does not allow it again."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    script = (
        "import django; django.setup()\n"
        "from zhenjie.kernel.throttle import allow\n"
        "print(allow('report', '203.0.113.9', 3, 600))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "zhenjie.settings", "ZHENJIE_VAR_DIR": str(tmp_path), "DEBUG": "0"}
    env.pop("REDIS_URL", None)
    answers = [subprocess.run([sys.executable, "-c", script], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, check=True).stdout.strip()
               for _ in range(4)]
    assert answers == ["True", "True", "True", "False"]
