import pytest
from django.urls import reverse

from zhenjie.events.models import Category, EventPolicy
from zhenjie.kernel.models import JournalEntry, SupervisionPolicy

pytestmark = pytest.mark.django_db


def test_the_county_administrator_changes_thresholds_and_the_journal_says_who(client, world):
    client.force_login(world.county_admin)
    response = client.post(reverse("events:settings"), {
        "which": "policy", "policy-warning_threshold": 5, "policy-warning_window_days": 3, "policy-duplicate_window_hours": 24,
        "policy-duplicate_radius_m": 100, "policy-call_acknowledge_hours": 4,
    })
    assert response.status_code == 302
    policy = EventPolicy.objects.get(county=world.county)
    assert (policy.warning_threshold, policy.call_acknowledge_hours) == (5, 4)
    client.post(reverse("events:settings"), {"which": "supervision", "supervision-yellow_hours": 48})
    assert SupervisionPolicy.objects.get(county=world.county).yellow_hours == 48
    assert JournalEntry.objects.filter(verb__startswith="settings.", actor=world.county_admin).count() == 2


def test_bad_thresholds_are_refused_with_the_range(client, world):
    client.force_login(world.county_admin)
    page = client.post(reverse("events:settings"), {
        "which": "policy", "policy-warning_threshold": 1, "policy-warning_window_days": 3, "policy-duplicate_window_hours": 24,
        "policy-duplicate_radius_m": 100, "policy-call_acknowledge_hours": 4,
    }).content.decode()
    assert "预警阈值须在2至100件之间" in page and not EventPolicy.objects.exists()


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
