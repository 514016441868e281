"""Answers back to the 12345 hotline (issue 14, item 4): a closed or refused hotline event's
result reaches the hotline's callback, signed, by a Huey job after commit, retried until the
hotline accepts; the county administrator sees the deliveries and re-sends failed ones."""

import datetime
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import TestCase
from huey.contrib.djhuey import HUEY

from zhenjie.events import actions
from zhenjie.events.intake import Report, report_event
from zhenjie.events.models import Category, Event
from zhenjie.integrations import answers
from zhenjie.integrations.models import HotlineAnswer, HotlineCallback
from zhenjie.kernel.errors import Forbidden, Rejected
from zhenjie.kernel.models import JournalEntry
from zhenjie.testing import make_event, make_other_county

pytestmark = pytest.mark.django_db

SECRET = "hotline-shared-secret-0001"


class Receiver:
    """A real HTTP server on 127.0.0.1 standing in for the 12345 platform: it answers each POST
    with the next status of `statuses` (then 200) and keeps what it received."""

    def __init__(self, statuses=()):
        self.statuses = list(statuses)
        self.received: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/12345/answers"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def empty_queue():
    HUEY.flush()
    yield
    HUEY.flush()


def run_scheduled() -> int:
    """Run the retries Huey holds in its schedule, each at the moment it was scheduled for
    (immediate mode keeps a task with a future eta in the schedule instead of running it)."""
    tasks = HUEY.read_schedule(datetime.datetime(2999, 1, 1))
    for task in tasks:
        HUEY.execute(task, timestamp=task.eta)
    return len(tasks)


def hotline_event(world, order_id="12345-20261201-0042"):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return report_event(world.dispatcher_a, Report(
            channel="hotline", category=Category.objects.get(code="sanitation"), description="小区门口垃圾两天无人清运",
            lng=116.01, lat=35.01, external_id=order_id, reporter_name="王女士",
        ))


def handled(world, event, result="已清运，现场已清理干净"):
    actions.register_event(world.dispatcher_a, event)
    actions.dispatch_event(world.dispatcher_a, event, unit=world.office_a, reason="由社会治理办处置")
    actions.acknowledge_event(world.clerk_a, event)
    actions.start_handling(world.clerk_a, event)
    actions.report_back(world.clerk_a, event, result)
    actions.verify_event(world.grid_worker_a, event, passed=True, note="现场干净")
    return Event.objects.select_related("case").get(pk=event.pk)


def configure(world, url):
    return answers.set_callback(world.county_admin, url=url, secret=SECRET, is_active=True)


def test_a_closed_hotline_event_reaches_the_hotline_after_one_refused_try(world, client, django_capture_on_commit_callbacks):
    with Receiver(statuses=[500]) as hotline:
        configure(world, hotline.url)
        event = handled(world, hotline_event(world))
        client.force_login(world.dispatcher_a)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/events/{event.case_id}/act/close/")
        assert response.status_code in (200, 302)
        assert Event.objects.get(pk=event.pk).case.state == "closed"  # the refused answer did not undo the close
        answer = HotlineAnswer.objects.get(event=event)
        assert (answer.state, answer.attempts, answer.last_error) == ("pending", 1, "对方返回 HTTP 500")
        assert answer.next_try_at is not None and len(hotline.received) == 1
        # The retry Huey scheduled runs, and this time the hotline accepts.
        assert run_scheduled() == 1
        answer.refresh_from_db()
        assert (answer.state, answer.attempts, answer.last_error) == ("delivered", 2, "")
        assert answer.delivered_at is not None
    headers, body = hotline.received[-1]
    sent = json.loads(body)
    case = Event.objects.get(pk=event.pk).case
    assert sent["order_id"] == "12345-20261201-0042" and sent["outcome"] == "办结"
    assert sent["result"] == "已清运，现场已清理干净" and sent["handling_unit"] == "甲镇社会治理办公室"
    assert datetime.datetime.fromisoformat(sent["finished_at"]) == case.closed_at.replace(microsecond=0)
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["x-zhenjie-signature"] == expected and headers["x-zhenjie-attempt"] == "2"
    # The event's page says so.
    page = client.get(f"/events/{event.case_id}/").content.decode()
    assert "结果回传" in page and 'data-testid="hotline-answer-state">已送达<' in page


def test_the_answer_waits_for_the_commit_and_a_dead_hotline_does_not_fail_the_close(world, django_capture_on_commit_callbacks):
    with Receiver() as hotline:
        port = hotline.server.server_port
    configure(world, f"http://127.0.0.1:{port}/gone")  # nothing listens there any more
    event = handled(world, hotline_event(world))
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        actions.close_event(world.dispatcher_a, event)
    answer = HotlineAnswer.objects.get(event=event)
    assert (answer.state, answer.attempts) == ("pending", 0) and len(waiting) == 1  # nothing sent inside the transaction
    waiting[0]()
    answer.refresh_from_db()
    assert answer.state == "pending" and answer.attempts == 1 and "无法连接回传地址" in answer.last_error
    while run_scheduled():
        pass
    answer.refresh_from_db()
    assert (answer.state, answer.attempts) == ("failed", answers.MAX_ATTEMPTS)
    assert Event.objects.get(pk=event.pk).case.state == "closed"


def test_a_refusal_is_answered_with_its_reason(world, django_capture_on_commit_callbacks):
    with Receiver() as hotline:
        configure(world, hotline.url)
        event = hotline_event(world)
        with django_capture_on_commit_callbacks(execute=True):
            actions.reject_event(world.dispatcher_a, event, "不属于政府职责范围，已告知诉求人通过诉讼解决")
    sent = json.loads(hotline.received[0][1])
    assert (sent["outcome"], sent["result"]) == ("不予受理", "不属于政府职责范围，已告知诉求人通过诉讼解决")
    assert sent["handling_unit"] == "甲镇社会治理综合指挥中心"
    assert HotlineAnswer.objects.get(event=event).state == "delivered"


def test_a_merged_hotline_order_is_answered_with_the_result_of_the_event_it_joined(world, django_capture_on_commit_callbacks):
    with Receiver() as hotline:
        configure(world, hotline.url)
        main = make_event(world)
        duplicate = hotline_event(world)
        actions.register_event(world.dispatcher_a, duplicate)
        with django_capture_on_commit_callbacks(execute=True):
            actions.merge_event(world.dispatcher_a, duplicate, main)
        assert not HotlineAnswer.objects.exists()  # the event it joined is still open
        with django_capture_on_commit_callbacks(execute=True):
            handled(world, main, result="垃圾已清运")
            actions.close_event(world.dispatcher_a, main)
    (sent,) = [json.loads(body) for _, body in hotline.received]
    assert (sent["order_id"], sent["outcome"], sent["result"]) == ("12345-20261201-0042", "办结", "垃圾已清运")
    assert sent["merged_into"] == Event.objects.get(pk=main.pk).case.number


def test_other_channels_and_counties_without_a_callback_owe_nothing(world, django_capture_on_commit_callbacks):
    event = hotline_event(world)
    with django_capture_on_commit_callbacks(execute=True):
        actions.reject_event(world.dispatcher_a, event, "重复诉求")
    assert not HotlineAnswer.objects.exists()
    configure(world, "http://127.0.0.1:9/x")
    grid_event = make_event(world)
    with django_capture_on_commit_callbacks(execute=True):
        actions.reject_event(world.dispatcher_a, grid_event, "重复上报")
    assert not HotlineAnswer.objects.exists()


# ---- the callback setting ------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["ftp://hotline.example/answers", "javascript:alert(1)", "hotline.example/answers",
                                 "http://", "http://host:port/x", "http://a b/", "https://x/" + "a" * 500, ""])
def test_a_callback_url_must_be_http_or_https(world, url):
    with pytest.raises(Rejected) as error:
        answers.set_callback(world.county_admin, url=url, secret=SECRET, is_active=True)
    assert error.value.field == "url"
    assert not HotlineCallback.objects.exists()


def test_the_secret_is_kept_encrypted_and_only_county_administrators_set_it(world):
    with pytest.raises(Rejected):
        answers.set_callback(world.county_admin, url="https://12345.example/cb", secret="short", is_active=True)
    callback = configure(world, "https://12345.example/cb")
    assert SECRET not in callback.secret_cipher
    answers.set_callback(world.county_admin, url="https://12345.example/cb2", secret="", is_active=True)  # blank keeps it
    callback.refresh_from_db()
    assert callback.url == "https://12345.example/cb2" and answers.pii.decrypt(callback.secret_cipher, answers.SECRET_CONTEXT) == SECRET
    assert JournalEntry.objects.filter(verb="settings.hotline_callback").count() == 2
    with pytest.raises(Forbidden):
        answers.set_callback(world.dispatcher_a, url="https://evil.example/", secret=SECRET, is_active=True)


def test_the_keys_page_sets_the_callback(world, client):
    client.force_login(world.county_admin)
    response = client.post("/integrations/keys/", {"callback-url": "https://12345.example/answers", "callback-secret": SECRET,
                                                   "callback-is_active": "on"})
    assert response.status_code == 302
    assert HotlineCallback.objects.get(county=world.county).url == "https://12345.example/answers"
    response = client.post("/integrations/keys/", {"callback-url": "ftp://x/", "callback-secret": "", "callback-is_active": "on"})
    assert response.status_code == 200 and "http:// 或 https://" in response.content.decode()
    page = client.get("/integrations/keys/").content.decode()
    assert "https://12345.example/answers" in page and SECRET not in page


# ---- the county administrator's list and re-sending ---------------------------------------------


def failed_answer(world, django_capture_on_commit_callbacks):
    configure(world, "http://127.0.0.1:9/closed")
    event = hotline_event(world)
    with django_capture_on_commit_callbacks(execute=True):
        actions.reject_event(world.dispatcher_a, event, "不属于本镇职责")
    while run_scheduled():
        pass
    return HotlineAnswer.objects.get(event=event)


def test_failures_are_listed_first_and_re_sent_by_the_county_administrator(world, client, django_capture_on_commit_callbacks):
    answer = failed_answer(world, django_capture_on_commit_callbacks)
    assert answer.state == "failed"
    client.force_login(world.county_admin)
    page = client.get("/integrations/hotline/answers/").content.decode()
    assert "12345-20261201-0042" in page and "失败" in page
    with Receiver() as hotline:
        HotlineCallback.objects.filter(county=world.county).update(url=hotline.url)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/integrations/hotline/answers/{answer.pk}/resend/")
        assert response.status_code == 302
    answer.refresh_from_db()
    assert (answer.state, answer.attempts) == ("delivered", 1) and len(hotline.received) == 1
    assert JournalEntry.objects.filter(verb="hotline_answer_resend", case=answer.event.case).exists()
    # Delivered: a second re-send is refused, in Chinese, and changes nothing.
    response = client.post(f"/integrations/hotline/answers/{answer.pk}/resend/")
    assert response.status_code == 409 and "只有发送失败的回传可以重发" in response.content.decode()


def test_other_townships_and_counties_neither_see_nor_re_send(world, client, django_capture_on_commit_callbacks):
    answer = failed_answer(world, django_capture_on_commit_callbacks)
    _, other_admin = make_other_county()
    client.force_login(other_admin)
    assert "12345-20261201-0042" not in client.get("/integrations/hotline/answers/").content.decode()
    assert client.post(f"/integrations/hotline/answers/{answer.pk}/resend/").status_code == 404
    client.force_login(world.dispatcher_b)
    assert client.get(f"/events/{answer.event.case_id}/").status_code == 404
    assert client.get("/integrations/hotline/answers/").status_code == 403
    assert client.get(f"/api/events/{answer.event.case_id}").status_code == 404
    client.force_login(world.dispatcher_a)  # sees it on the event, may not re-send it
    assert client.post(f"/integrations/hotline/answers/{answer.pk}/resend/").status_code == 403
    answer.refresh_from_db()
    assert answer.state == "failed"


def test_the_event_api_carries_the_answer(world, client, django_capture_on_commit_callbacks):
    answer = failed_answer(world, django_capture_on_commit_callbacks)
    client.force_login(world.dispatcher_a)
    body = client.get(f"/api/events/{answer.event.case_id}").json()
    assert body["hotline_answer"]["state"] == "failed" and body["hotline_answer"]["state_label"] == "失败"
    assert body["hotline_answer"]["attempts"] == answers.MAX_ATTEMPTS and body["hotline_answer"]["order_id"] == "12345-20261201-0042"


def test_the_answers_list_costs_the_same_queries_whatever_its_length(world, client, django_capture_on_commit_callbacks, django_assert_max_num_queries):
    failed_answer(world, django_capture_on_commit_callbacks)
    for number in range(5):
        event = hotline_event(world, order_id=f"12345-20261201-01{number:02}")
        with django_capture_on_commit_callbacks(execute=False):
            actions.reject_event(world.dispatcher_a, event, "重复诉求")
    client.force_login(world.county_admin)
    with django_assert_max_num_queries(12):
        page = client.get("/integrations/hotline/answers/").content.decode()
    assert page.index("12345-20261201-0042") < page.index("12345-20261201-0100")  # the failure first


def test_the_sweep_sends_an_answer_whose_job_was_lost_and_a_second_run_sends_nothing(world, django_capture_on_commit_callbacks):
    with Receiver() as hotline:
        configure(world, hotline.url)
        event = hotline_event(world)
        with django_capture_on_commit_callbacks(execute=False):  # the queue lost the job the commit asked for
            actions.reject_event(world.dispatcher_a, event, "重复诉求")
        answer = HotlineAnswer.objects.get(event=event)
        assert answers.sweep(now=answer.next_try_at) == 0  # not overdue yet
        assert answers.sweep(now=answer.next_try_at + answers.SWEEP_GRACE) == 1
        assert answers.attempt(answer.pk) == "not pending"  # the lost job turning up late sends nothing
    answer.refresh_from_db()
    assert (answer.state, answer.attempts) == ("delivered", 1) and len(hotline.received) == 1
