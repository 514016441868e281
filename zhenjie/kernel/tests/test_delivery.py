"""Messages leave the platform (kernel/delivery.py): an e-mail reaches a real SMTP server, a robot
post reaches a real HTTP receiver with the robots' JSON (and 钉钉's signature), a receiver that is
down or failing neither slows nor fails the action, and the system administrator sees the failure."""

import base64
import hashlib
import hmac
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.kernel import delivery
from zhenjie.kernel.models import Delivery, JournalEntry, Notification, NotificationChannels
from zhenjie.kernel.notify import notify_users
from zhenjie.testing import Api, make_task, make_user

from .receivers import closed_port, robot_server, smtp_server

ADDRESS = "li.clerk@jiazhen.example.gov.cn"


@pytest.fixture
def smtp(settings):
    with smtp_server() as (port, received):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.DEFAULT_FROM_EMAIL = "zhenjie@county.example.gov.cn"
        yield received


@pytest.fixture
def system_admin(world):
    return make_user("sys_admin", world.police, [R.SYSTEM_ADMIN], world.county)


def deliveries_of(user):
    return Delivery.objects.filter(notification__user=user)


def test_an_email_reaches_a_real_smtp_server_once_the_assignment_commits(world, smtp, django_capture_on_commit_callbacks):
    delivery.save_channels(world.clerk_a, email=ADDRESS, wanted={"new_work": ["email"]})
    with django_capture_on_commit_callbacks(execute=True):
        task = make_task(world, title="排查河道隐患")
    [mail] = smtp
    assert mail.envelope_to == [ADDRESS]
    assert mail.envelope_from == "zhenjie@county.example.gov.cn"
    assert "排查河道隐患" in mail.message["Subject"]
    text = mail.message.get_body().get_content()
    assert "新待办" in text and task.case.number in text
    [sent] = deliveries_of(world.clerk_a)
    assert (sent.channel, sent.state, sent.attempts, sent.last_error) == ("email", "sent", 1, "")
    # The in-app list is as before: the row is there, unread.
    assert Notification.objects.filter(user=world.clerk_a, case=task.case, kind="new_work", read_at__isnull=True).count() == 1


def test_nothing_is_sent_before_the_commit_and_nothing_after_a_rollback(world, smtp, django_capture_on_commit_callbacks):
    delivery.save_channels(world.clerk_a, email=ADDRESS, wanted={"system": ["email"]})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify_users([world.clerk_a], "不会发出的消息")
            assert deliveries_of(world.clerk_a).count() == 1  # queued with the row, inside the transaction
            assert smtp == []  # and not sent while the action is still open
            raise RuntimeError("the action fails")
    assert callbacks == []
    assert smtp == [] and not deliveries_of(world.clerk_a).exists() and not Notification.objects.filter(user=world.clerk_a).exists()


def test_in_app_only_for_a_kind_sends_no_email(world, smtp, django_capture_on_commit_callbacks):
    delivery.save_channels(world.clerk_a, email=ADDRESS, wanted={"supervision": ["email"]})  # new work: in-app only
    with django_capture_on_commit_callbacks(execute=True):
        task = make_task(world)
    assert smtp == []
    assert not deliveries_of(world.clerk_a).exists()
    assert Notification.objects.filter(user=world.clerk_a, case=task.case).exists()


def test_a_wecom_robot_receives_the_text_message_json(world, django_capture_on_commit_callbacks):
    with robot_server() as robot:
        delivery.save_channels(world.clerk_a, robot="wecom", webhook=robot.url(), wanted={"new_work": ["webhook"]})
        with django_capture_on_commit_callbacks(execute=True):
            task = make_task(world, title="排查河道隐患")
    [post] = robot.posts
    assert post.path == "/cgi-bin/webhook/send" and post.query == {"key": "robot-key-1234"}
    assert post.headers["Content-Type"].startswith("application/json")
    assert set(post.json) == {"msgtype", "text"} and post.json["msgtype"] == "text"
    content = post.json["text"]["content"]
    assert "排查河道隐患" in content and task.case.number in content and "新待办" in content
    assert deliveries_of(world.clerk_a).get().state == "sent"


def test_a_dingtalk_robot_with_a_secret_gets_a_valid_signature(world, django_capture_on_commit_callbacks):
    secret = "SEC0123456789abcdef"
    with robot_server() as robot:
        delivery.save_channels(world.clerk_a, robot="dingtalk", webhook=robot.url("/robot/send?access_token=tok-5678"), secret=secret, wanted={"system": ["webhook"]})
        with django_capture_on_commit_callbacks(execute=True):
            notify_users([world.clerk_a], "系统维护通知", "今晚22点停机维护")
    [post] = robot.posts
    assert post.path == "/robot/send"
    assert post.json == {"msgtype": "text", "text": {"content": post.json["text"]["content"]}}
    assert "系统维护通知" in post.json["text"]["content"]
    timestamp, sign = post.query["timestamp"], post.query["sign"]
    assert post.query["access_token"] == "tok-5678" and timestamp.isdigit() and len(timestamp) == 13  # milliseconds
    # The receiver's check, as 钉钉 documents it: HMAC-SHA256 over "timestamp\nsecret", Base64
    # (parse_qsl has already undone the URL encoding).
    expected = base64.b64encode(hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()).decode()
    assert sign == expected


def test_the_dingtalk_signature_is_url_encoded():
    url = delivery.dingtalk_signed("https://oapi.dingtalk.com/robot/send?access_token=x", "SECsecret", 1700000000000)
    sign = url.split("&sign=")[1]
    assert "+" not in sign and "/" not in sign and "=" not in sign  # Base64's +, / and = are encoded
    assert url.startswith("https://oapi.dingtalk.com/robot/send?access_token=x&timestamp=1700000000000&sign=")


def test_a_robot_refusing_the_message_is_a_failure(world, django_capture_on_commit_callbacks):
    with robot_server() as robot:
        robot.answer = {"errcode": 310000, "errmsg": "sign not match"}
        delivery.save_channels(world.clerk_a, robot="dingtalk", webhook=robot.url(), wanted={"system": ["webhook"]})
        with django_capture_on_commit_callbacks(execute=True):
            notify_users([world.clerk_a], "一条消息")
    failed = deliveries_of(world.clerk_a).get()
    assert failed.state == "retrying" and "310000" in failed.last_error and "sign not match" in failed.last_error


@pytest.mark.parametrize("failure", ["refused", "500"])
def test_a_failing_receiver_neither_fails_the_action_nor_hides_the_failure(client, world, system_admin, failure, django_capture_on_commit_callbacks):
    with robot_server(status=500) as robot:
        url = robot.url() if failure == "500" else f"http://127.0.0.1:{closed_port()}/cgi-bin/webhook/send?key=robot-key-1234"
        delivery.save_channels(world.clerk_a, robot="wecom", webhook=url, wanted={"new_work": ["webhook"]})
        client.force_login(world.leader_a)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("tasks:new"), {"title": "清理河道垃圾", "assignee_unit": world.office_a.pk, "working_days": 5, "description": "本周内完成"})
    # The action answered and committed.
    assert response.status_code == 302
    note = Notification.objects.get(user=world.clerk_a, title__contains="清理河道垃圾")
    # The delivery is recorded, to be tried again.
    retrying = Delivery.objects.get(notification=note)
    assert retrying.state == "retrying" and retrying.attempts == 1 and retrying.next_try_at > timezone.now()
    assert ("HTTP 500" in retrying.last_error) if failure == "500" else ("无法连接" in retrying.last_error)
    assert "robot-key" not in retrying.last_error
    # The system administrator sees it, the address masked.
    client.force_login(system_admin)
    page = client.get(reverse("workbench:deliveries")).content.decode()
    assert "重试中" in page and retrying.last_error in page and world.clerk_a.display_name in page
    assert "…1234" in page and "robot-key-1234" not in page


def test_retries_back_off_up_to_the_cap_then_the_administrator_resends(client, world, system_admin, settings, django_capture_on_commit_callbacks):
    settings.NOTIFY_RETRY_MINUTES = [1, 5]
    with robot_server(status=500) as robot:
        delivery.save_channels(world.clerk_a, robot="wecom", webhook=robot.url(), wanted={"system": ["webhook"]})
        with django_capture_on_commit_callbacks(execute=True):
            notify_users([world.clerk_a], "一条消息")
        row = deliveries_of(world.clerk_a).get()
        assert delivery.sweep() == 0  # not due yet: the back-off holds it
        waits = []
        for _ in range(2):
            waits.append(round((row.next_try_at - timezone.now()).total_seconds() / 60))
            Delivery.objects.filter(pk=row.pk).update(next_try_at=timezone.now() - timedelta(seconds=1))  # as if the wait had passed
            assert delivery.sweep() == 1
            row.refresh_from_db()
        assert waits == [1, 5]
        assert (row.state, row.attempts, row.next_try_at) == ("failed", 3, None)
        assert len(robot.posts) == 3

        client.force_login(system_admin)
        assert "发送失败" in client.get(reverse("workbench:deliveries")).content.decode()
        robot.status = 200
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("workbench:deliveries"), {"resend": row.pk})
        assert response.status_code == 302
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == ("sent", 1, "")
    assert len(robot.posts) == 4
    assert JournalEntry.objects.filter(verb="delivery.resend", actor=system_admin).count() == 1
    assert "没有发送失败的消息" in client.get(reverse("workbench:deliveries")).content.decode()


def test_an_unreachable_smtp_server_is_recorded_and_the_address_stays_masked(world, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    delivery.save_channels(world.clerk_a, email=ADDRESS, wanted={"system": ["email"]})
    with django_capture_on_commit_callbacks(execute=True):
        notify_users([world.clerk_a], "一条消息")
    row = deliveries_of(world.clerk_a).get()
    assert row.state == "retrying" and row.last_error.startswith("邮件发送失败") and ADDRESS not in row.last_error


def test_another_jurisdictions_administrator_sees_and_resends_nothing(client, world, django_capture_on_commit_callbacks):
    with robot_server(status=500) as robot:
        delivery.save_channels(world.clerk_a, robot="wecom", webhook=robot.url(), wanted={"system": ["webhook"]})
        with django_capture_on_commit_callbacks(execute=True):
            notify_users([world.clerk_a], "一条消息")
    row = deliveries_of(world.clerk_a).get()
    township_b_admin = make_user("sys_b", world.gov_b, [R.SYSTEM_ADMIN], world.b)
    client.force_login(township_b_admin)
    assert world.clerk_a.display_name not in client.get(reverse("workbench:deliveries")).content.decode()
    assert client.post(reverse("workbench:deliveries"), {"resend": row.pk}).status_code == 404
    assert client.post(reverse("workbench:deliveries"), {"resend": "abc"}).status_code == 404
    row.refresh_from_db()
    assert row.attempts == 1 and not JournalEntry.objects.filter(verb="delivery.resend").exists()
    # Not a system administrator: no page at all.
    client.force_login(world.clerk_a)
    assert client.get(reverse("workbench:deliveries")).status_code == 403


def test_the_administrators_list_costs_the_same_for_many_deliveries(client, world, system_admin, django_capture_on_commit_callbacks):
    people = [world.clerk_a, world.dispatcher_a, world.leader_a]
    with robot_server(status=500) as robot:
        for person in people:
            delivery.save_channels(person, robot="wecom", webhook=robot.url(), wanted={"system": ["webhook"]})
        client.force_login(system_admin)
        with django_capture_on_commit_callbacks(execute=True):
            notify_users(people[:1], "一条消息")
        with CaptureQueriesContext(connection) as one:
            client.get(reverse("workbench:deliveries"))
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(3):
                notify_users(people, "又一条消息")
        with CaptureQueriesContext(connection) as many:
            page = client.get(reverse("workbench:deliveries")).content.decode()
    assert page.count("data-delivery=") == 10
    assert len(many.captured_queries) == len(one.captured_queries)


def test_addresses_and_secrets_are_stored_sealed(world):
    delivery.save_channels(world.clerk_a, email=ADDRESS, robot="dingtalk", webhook="https://oapi.dingtalk.com/robot/send?access_token=abcdef987654", secret="SECtopsecret42")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM kernel_notificationchannels")
        stored = " ".join(str(value) for value in cursor.fetchone())
    for clear in (ADDRESS, "li.clerk", "abcdef987654", "SECtopsecret42", "topsecret"):
        assert clear not in stored
    row = NotificationChannels.objects.get(user=world.clerk_a)
    assert row.email_masked == "l***@jiazhen.example.gov.cn"
    assert row.webhook_masked == "https://oapi.dingtalk.com/…7654"


def test_the_api_names_each_messages_kind(client, world):
    task = make_task(world)
    notify_users([world.clerk_a], "系统维护通知")
    items = Api(client).as_("clerk_a").get("/api/notifications").json()["items"]
    assert [(item["kind"], item["case_id"]) for item in items] == [("system", None), ("new_work", task.case_id)]
