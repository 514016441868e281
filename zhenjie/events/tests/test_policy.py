import pytest
from django.urls import reverse

from zhenjie.events.models import Category, EventPolicy
from zhenjie.events.policy import update_event_policy
from zhenjie.kernel.errors import Rejected
from zhenjie.kernel.models import JournalEntry

pytestmark = pytest.mark.django_db


def test_the_county_administrator_changes_thresholds_and_the_journal_says_who(client, world):
    client.force_login(world.county_admin)
    response = client.post(reverse("events:settings"), {
        "which": "policy", "policy-warning_threshold": 5, "policy-warning_scope": "village", "policy-warning_window_days": 3, "policy-duplicate_window_hours": 24,
        "policy-duplicate_radius_m": 100, "policy-follow_up_days": 3, "policy-follow_up_sample_percent": 10, "policy-version": 1,
    })
    assert response.status_code == 302
    policy = EventPolicy.objects.get(county=world.county)
    assert (policy.warning_threshold, policy.duplicate_radius_m) == (5, 100)
    assert JournalEntry.objects.filter(verb="settings.events", actor=world.county_admin).count() == 1


def test_the_calls_response_time_is_not_an_events_setting_any_more(client, world):
    client.force_login(world.county_admin)
    page = client.get(reverse("events:settings")).content.decode()
    assert "call_acknowledge_hours" not in page and "乡呼县应响应时限(小时)" not in page
    assert reverse("workbench:supervision") in page  # where it is now


def test_bad_thresholds_are_refused_with_the_range(client, world):
    client.force_login(world.county_admin)
    answer = client.post(reverse("events:settings"), {
        "which": "policy", "policy-warning_threshold": 1, "policy-warning_scope": "village", "policy-warning_window_days": 3, "policy-duplicate_window_hours": 24,
        "policy-duplicate_radius_m": 100, "policy-follow_up_days": 3, "policy-follow_up_sample_percent": 10, "policy-version": 1,
    })
    assert answer.status_code == 400 and "预警阈值须在2至100件之间" in answer.content.decode() and not EventPolicy.objects.exists()


POLICY = {"which": "policy", "policy-warning_threshold": 5, "policy-warning_scope": "village", "policy-warning_window_days": 3,
          "policy-duplicate_window_hours": 24, "policy-duplicate_radius_m": 100, "policy-follow_up_days": 3,
          "policy-follow_up_sample_percent": 10}  # fmt: skip


def test_a_save_over_someone_elses_newer_settings_is_refused_and_changes_nothing(client, world):
    client.force_login(world.county_admin)
    page = client.get(reverse("events:settings")).content.decode()
    assert 'name="policy-version" value="1"' in page
    assert client.post(reverse("events:settings"), POLICY | {"policy-version": 1}).status_code == 302
    page = client.get(reverse("events:settings")).content.decode()
    assert 'name="policy-version" value="2"' in page
    # A page opened before that save still says version 1.
    stale = client.post(reverse("events:settings"), POLICY | {"policy-warning_threshold": 9, "policy-version": 1})
    assert stale.status_code == 409 and "设置刚被他人修改，请刷新后重试" in stale.content.decode()
    policy = EventPolicy.objects.get(county=world.county)
    assert (policy.warning_threshold, policy.version) == (5, 2)
    assert JournalEntry.objects.filter(verb="settings.events").count() == 1


def test_a_warning_scope_outside_the_list_is_refused_by_the_action(world):
    with pytest.raises(Rejected) as refused:
        update_event_policy(world.county_admin, warning_scope="county")
    assert refused.value.message == "请选择预警范围：村(社区)或网格" and not EventPolicy.objects.exists()


def test_a_category_is_added_and_changed_but_its_code_stays(client, world):
    client.force_login(world.county_admin)
    fields = {"which": "category", "category-name": "违规停车", "category-urgency": "normal", "category-acknowledge_amount": 2,
              "category-acknowledge_unit": "hours", "category-handle_amount": 1, "category-handle_unit": "working_days",
              "category-verify_amount": 1, "category-verify_unit": "working_days", "category-is_active": "on"}
    assert client.post(reverse("events:settings"), {**fields, "category-code": "illegal_parking"}).status_code == 302
    assert client.post(reverse("events:settings") + "?edit=illegal_parking", {**fields, "category-name": "乱停乱放", "category-code": "hacked"}).status_code == 302
    category = Category.objects.get(code="illegal_parking")
    assert category.name == "乱停乱放" and not Category.objects.filter(code="hacked").exists()
    page = client.post(reverse("events:settings"), {**fields, "category-code": "Bad Code"}).content.decode()
    assert "代码须为2至40位小写字母" in page


def test_other_roles_get_403(client, world):
    for user in (world.dispatcher_a, world.leader_a, world.liaison):
        client.force_login(user)
        assert client.get(reverse("events:settings")).status_code == 403


CATEGORY = {"which": "category", "category-urgency": "normal", "category-acknowledge_amount": 2, "category-acknowledge_unit": "hours",
            "category-handle_amount": 1, "category-handle_unit": "working_days", "category-verify_amount": 1,
            "category-verify_unit": "working_days", "category-is_active": "on"}


def test_categories_form_a_two_level_tree_and_a_second_level_one_routes_with_its_parent(client, world):
    from datetime import date

    from zhenjie.events import routing
    from zhenjie.lists.models import ListKind
    from zhenjie.lists.tests.builders import duty_row, published_list

    published_list(world.county_admin, kind=ListKind.LOCAL_DUTY, name="测试县属地管理事项清单", area=world.county,
                   rows=[duty_row("SD002", "治安隐患排查整治", world.police, "public_security", domain="社会治安")],
                   effective_from=date(2026, 1, 1))  # fmt: skip
    client.force_login(world.county_admin)
    url = reverse("events:settings")
    response = client.post(url, {**CATEGORY, "category-code": "gambling", "category-name": "聚众赌博", "category-parent": "public_security"})
    assert response.status_code == 302
    gambling = Category.objects.select_related("parent").get(code="gambling")
    assert (gambling.parent.code, gambling.label) == ("public_security", "治安隐患 · 聚众赌博")
    found = routing.route(gambling, world.village_a, date(2026, 3, 1))
    assert (found.lead_department, found.duty_item_code) == (world.police, "SD002")
    table = client.get(url).content.decode().split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = [row for row in table.split("</tr>") if "治安隐患" in row or "聚众赌博" in row]
    assert len(rows) == 2 and "聚众赌博" in rows[1] and "└" in rows[1]  # listed under its parent
    assert JournalEntry.objects.get(verb="settings.category_create").data["parent"] == "public_security"
    client.force_login(world.grid_worker_a)
    assert "治安隐患 · 聚众赌博" in client.get(reverse("events:report")).content.decode()


@pytest.mark.parametrize("edit, parent, message", [
    (None, "gambling", "选择一个有效的选项"),  # a second-level category cannot be a parent
    ("public_security", "public_security", "不能作为二级类别"),  # itself
    ("public_security", "noise", "不能作为二级类别"),  # it has children
    (None, "nonexistent", "选择一个有效的选项"),
])
def test_the_tree_stays_two_levels_deep_without_loops(client, world, edit, parent, message):
    client.force_login(world.county_admin)
    url = reverse("events:settings")
    client.post(url, {**CATEGORY, "category-code": "gambling", "category-name": "聚众赌博", "category-parent": "public_security"})
    target = url + (f"?edit={edit}" if edit else "")
    page = client.post(target, {**CATEGORY, "category-code": "other_new", "category-name": "新类别", "category-parent": parent}).content.decode()
    assert message in page
    assert not Category.objects.filter(code="other_new").exists()
    assert Category.objects.get(code="public_security").parent is None and Category.objects.get(code="gambling").parent.code == "public_security"


@pytest.mark.django_db(transaction=True)
def test_saving_a_category_outside_a_test_transaction_is_one_journaled_change(client, world):
    """As in production, with no transaction around the request: the save and its journal entry
    commit together (a misplaced @transaction.atomic once left the save without its entry, and a 500)."""
    client.force_login(world.county_admin)
    response = client.post(reverse("events:settings"), {**CATEGORY, "category-code": "gambling", "category-name": "聚众赌博", "category-parent": "public_security"})
    assert response.status_code == 302
    assert Category.objects.get(code="gambling").parent.code == "public_security"
    assert JournalEntry.objects.filter(verb="settings.category_create").count() == 1
