"""消息接收设置 in a real browser: a clerk goes from 消息 to the settings, enters a robot's webhook,
ticks 新待办 → 群机器人 and saves; the page shows the webhook masked; a task assigned to the
clerk's office then reaches the robot (a real HTTP receiver) once the assignment commits. No
console error: the page needs no inline script or style (CSP)."""

import pytest

from zhenjie.kernel.models import Delivery, NotificationChannels
from zhenjie.kernel.tests.receivers import robot_server
from zhenjie.testing import browser_log_in, make_task, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clerk_chooses_a_robot_for_new_work_and_the_next_task_reaches_it(chromium, live_server, artifacts):
    world = make_world()
    context = chromium.new_context(locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    with robot_server() as robot:
        browser_log_in(page, live_server, "clerk_a")
        page.goto(f"{live_server.url}/notifications/")
        page.get_by_role("link", name="消息接收设置").click()
        page.wait_for_url(f"{live_server.url}/notifications/channels/")
        page.fill("#id_email", "ftp://不是邮件")
        page.get_by_role("button", name="保存").click()
        assert "电子邮件地址格式不正确" in page.locator("[data-field-error=email]").text_content()
        page.fill("#id_email", "")
        page.select_option("#id_robot", "wecom")
        page.fill("#id_webhook", robot.url())
        page.get_by_label("新待办 群机器人").check()
        page.get_by_role("button", name="保存").click()
        page.wait_for_url(f"{live_server.url}/notifications/channels/")
        assert "…1234" in page.get_by_test_id("webhook-saved").text_content()
        assert "robot-key-1234" not in page.content()
        assert page.get_by_label("新待办 群机器人").is_checked() and not page.get_by_label("督办/催办 群机器人").is_checked()
        page.screenshot(path=str(artifacts / "notification-channels.png"), full_page=True)
        assert NotificationChannels.objects.get(user=world.clerk_a).wanted == {"new_work": ["webhook"]}

        task = make_task(world, title="排查河道隐患")  # committed at once (a transactional test)
    [post] = robot.posts
    assert post.json["msgtype"] == "text" and "排查河道隐患" in post.json["text"]["content"] and task.case.number in post.json["text"]["content"]
    assert Delivery.objects.get(notification__user=world.clerk_a).state == Delivery.State.SENT
    # The refused save answers 400 (bad input), which Chromium reports; nothing else may fail.
    assert [e for e in errors if "status of 400" not in e] == []
    context.close()
