"""消息接收设置: each person chooses, per kind of message, where it reaches them; bad input is
refused in Chinese and writes nothing; nobody sees or changes another person's settings."""

import pytest
from django.urls import reverse

from zhenjie.kernel import delivery
from zhenjie.kernel.models import NotificationChannels

URL = "workbench:notification_channels"


def post(client, **fields):
    data = {"email": "", "robot": "", "webhook": "", "secret": "", **fields}
    return client.post(reverse(URL), data)


def test_a_person_saves_their_address_and_choices_and_sees_them_masked(client, world):
    client.force_login(world.clerk_a)
    page = client.get(reverse("workbench:notifications")).content.decode()
    assert reverse(URL) in page  # reached from the messages page
    response = post(
        client, email="wang.clerk@jiazhen.example.gov.cn", robot="wecom",
        webhook="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa",
        wanted_new_work=["email", "webhook"], wanted_supervision=["webhook"],
    )
    assert response.status_code == 302
    saved = NotificationChannels.objects.get(user=world.clerk_a)
    assert saved.wanted == {"new_work": ["email", "webhook"], "supervision": ["webhook"]}
    page = client.get(reverse(URL)).content.decode()
    assert "w***@jiazhen.example.gov.cn" in page and "https://qyapi.weixin.qq.com/…5aaa" in page
    assert "wang.clerk" not in page and "693a91f6" not in page
    # Saving again with the address fields blank keeps them; unticking makes a kind in-app only.
    assert post(client, wanted_new_work=["email"]).status_code == 302
    saved.refresh_from_db()
    assert saved.wanted == {"new_work": ["email"]} and saved.email_masked and saved.webhook_masked
    # And the person can clear them.
    assert post(client, clear_email="on", clear_webhook="on").status_code == 302
    saved.refresh_from_db()
    assert (saved.email_cipher, saved.webhook_cipher, saved.wanted) == ("", "", {})


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"email": "不是邮件地址"}, "电子邮件地址格式不正确"),
        ({"email": "a" * 250 + "@example.gov.cn"}, "电子邮件地址不能超过254个字符"),
        ({"robot": "wecom", "webhook": "ftp://robot.example.gov.cn/send"}, "机器人地址须以 http:// 或 https:// 开头"),
        ({"robot": "wecom", "webhook": "javascript:alert(1)"}, "机器人地址须以 http:// 或 https:// 开头"),
        ({"robot": "wecom", "webhook": "https://robot.example.gov.cn/" + "k" * 500}, "机器人地址不能超过500个字符"),
        ({"robot": "wecom", "webhook": "https://user:pw@robot.example.gov.cn/send"}, "机器人地址格式不正确"),
        ({"webhook": "https://robot.example.gov.cn/send"}, "请选择机器人类型"),
        ({"robot": "dingtalk", "webhook": "https://oapi.dingtalk.com/robot/send", "secret": "SEC" + "x" * 200}, "加签密钥不能超过128个字符"),
        ({"robot": "weibo"}, "选择一个有效的选项"),
        ({"wanted_new_work": ["email"]}, "请先填写电子邮件地址"),
        ({"wanted_new_work": ["webhook"]}, "请先填写机器人地址"),
        ({"wanted_new_work": ["sms"]}, "接收渠道不存在"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_writes_nothing(client, world, fields, message):
    client.force_login(world.clerk_a)
    response = post(client, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not NotificationChannels.objects.filter(user=world.clerk_a).exists()


def test_a_refused_save_keeps_what_was_stored(client, world):
    delivery.save_channels(world.clerk_a, email="wang@example.gov.cn", wanted={"result": ["email"]})
    client.force_login(world.clerk_a)
    assert post(client, email="wang@", wanted_result=["email"], wanted_new_work=["email"]).status_code == 400
    saved = NotificationChannels.objects.get(user=world.clerk_a)
    assert saved.email_masked == "w***@example.gov.cn" and saved.wanted == {"result": ["email"]}


def test_one_person_cannot_see_or_change_anothers_settings(client, world):
    delivery.save_channels(world.clerk_a, email="wang@example.gov.cn", wanted={"result": ["email"]})
    client.force_login(world.dispatcher_b)
    page = client.get(reverse(URL)).content.decode()
    assert "w***@example.gov.cn" not in page
    # The page has no id to change: whatever is posted about someone else, it is the poster's own row.
    response = client.post(reverse(URL), {"user": world.clerk_a.pk, "user_id": world.clerk_a.pk, "email": "intruder@example.gov.cn", "wanted_result": []})
    assert response.status_code == 302
    mine = NotificationChannels.objects.get(user=world.dispatcher_b)
    assert mine.email_masked == "i***@example.gov.cn"
    theirs = NotificationChannels.objects.get(user=world.clerk_a)
    assert theirs.email_masked == "w***@example.gov.cn" and theirs.wanted == {"result": ["email"]}


def test_the_page_is_for_staff_who_are_logged_in(client, world):
    assert client.get(reverse(URL)).status_code == 302
    assert NotificationChannels.objects.count() == 0
