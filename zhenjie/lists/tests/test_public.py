"""Public pages: no login, published versions only, search by name or pinyin initials."""

from datetime import date

import pytest
from django.urls import reverse

from zhenjie.lists import actions
from zhenjie.lists.models import ListKind

from .builders import duty_row, published_list, service_row, township_power_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists(world):
    world.power_a = township_power_list(world, world.a)
    world.services_a = published_list(
        world.county_admin, kind=ListKind.SERVICE, name="甲镇政务服务事项清单", area=world.a,
        rows=[service_row("S0001", "最低生活保障申请"), service_row("V001", "城乡居民养老保险参保登记(代办)", level="村(社区)", agent="是")],
    )
    world.duties = published_list(
        world.county_admin, kind=ListKind.LOCAL_DUTY, name="测试县属地管理事项清单", area=world.county,
        rows=[duty_row("SD001", "治安隐患排查整治", world.police, "public_security", domain="社会治安")],
    )
    return world


def test_the_public_index_and_township_page_need_no_login(client, lists):
    index = client.get(reverse("lists:public_index")).content.decode()
    assert "甲镇" in index and "乙镇" in index
    page = client.get(reverse("lists:public_township", args=[lists.a.code])).content.decode()
    assert "甲镇权责清单 第1版，2026-01-01起施行" in page and "测试县属地管理事项清单" in page


def test_the_power_list_duties_and_services_are_listed_and_searchable(client, lists):
    power = client.get(reverse("lists:public_section", args=[lists.a.code, "power"])).content.decode()
    assert "对违法建设行为的行政处罚1" in power and "设定依据" in power
    duties = client.get(reverse("lists:public_section", args=[lists.a.code, "duties"]) + "?q=zayh").content.decode()
    assert "治安隐患排查整治" in duties and "测试县公安局" in duties
    services = client.get(reverse("lists:public_section", args=[lists.a.code, "services"]) + "?q=cxjm").content.decode()
    assert "城乡居民养老保险参保登记(代办)" in services and "最低生活保障申请" not in services and "村级代办" in services
    nothing = client.get(reverse("lists:public_section", args=[lists.a.code, "services"]) + "?q=不存在的事项", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="item-rows")
    assert "没有找到「不存在的事项」相关的事项" in nothing.content.decode() and "<html" not in nothing.content.decode()
    by_level = client.get(reverse("lists:public_section", args=[lists.a.code, "services"]) + "?f=village").content.decode()
    assert "城乡居民养老保险参保登记(代办)" in by_level and "最低生活保障申请" not in by_level


def test_a_guide_shows_every_field(client, lists):
    page = client.get(reverse("lists:public_guide", args=[lists.a.code, "S0001"])).content.decode()
    for text in [
        "S0001", "行政给付", "乡镇(街道)", "具有本县户籍的城乡居民。", "居民身份证", "户口簿", "复印件", "2份", "容缺(可后补)", "户主页和本人页",
        "1.受理", "3.办结", "20个工作日", "5个工作日", "不收费", "1次", "可网上办理", "甲镇便民服务中心2号窗口", "工作日 上午8:30-12:00",
        "0537-8610100", "审批结果通知书", "《社会救助暂行办法》第十一条", "打印办事指南",
    ]:
        assert text in page, text


def test_drafts_and_other_kinds_of_pages_are_not_public(client, lists):
    draft = actions.start_draft(lists.county_admin, lists.services_a.series)
    actions.add_item(lists.county_admin, draft, service_row("S0099", "草稿里的新事项"))
    assert "草稿里的新事项" not in client.get(reverse("lists:public_section", args=[lists.a.code, "services"])).content.decode()
    assert client.get(reverse("lists:public_guide", args=[lists.a.code, "S0099"])).status_code == 404
    assert client.get(reverse("lists:public_section", args=[lists.a.code, "secret"])).status_code == 404
    assert client.get(reverse("lists:public_township", args=["000000000000"])).status_code == 404
    # township B has no power list of its own: its page says so, it does not borrow A's
    page = client.get(reverse("lists:public_section", args=[lists.b.code, "power"])).content.decode()
    assert "暂无公开事项" in page and "对违法建设行为的行政处罚1" not in page


def test_a_list_not_yet_in_force_is_not_shown(client, lists):
    published_list(lists.county_admin, kind=ListKind.SERVICE, name="乙镇政务服务事项清单", area=lists.b, rows=[service_row("S0001", "明年施行的事项")], effective_from=date(2099, 1, 1))
    assert "明年施行的事项" not in client.get(reverse("lists:public_section", args=[lists.b.code, "services"])).content.decode()
