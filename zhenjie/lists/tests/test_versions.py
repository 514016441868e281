"""Drafts, publication, versions and the diff, through the actions a county administrator uses."""

from datetime import date

import pytest

from zhenjie.kernel import journal
from zhenjie.kernel.errors import Conflict, Forbidden, Rejected
from zhenjie.kernel.models import JournalEntry
from zhenjie.lists import actions, queries
from zhenjie.lists.diffs import diff_versions
from zhenjie.lists.models import ListKind, ListVersion, PowerItem

from .builders import power_row, service_row, township_power_list

pytestmark = pytest.mark.django_db


def test_publishing_makes_a_new_version_keeps_the_old_one_and_the_diff_is_exact(world):
    # given: version 1 of 甲镇's power list, with three items
    first = township_power_list(world)
    draft = actions.start_draft(world.county_admin, first.series)
    assert draft.number == 2 and queries.item_count(draft) == 3

    # when: one item is changed, one removed, one added, and the draft is published
    items = {i.code: i for i in queries.items_of(draft)}
    changed = power_row("CF001", "对违法建设行为的行政处罚1", world.gov_a, basis="《中华人民共和国城乡规划法》第六十四条")
    actions.change_item(world.county_admin, draft, items["CF001"], changed)
    actions.remove_item(world.county_admin, draft, items["CF002"])
    actions.add_item(world.county_admin, draft, power_row("JC001", "对农村村民建房的行政检查", world.gov_a, power_type="行政检查"))
    second = actions.publish_version(world.county_admin, draft, effective_from=date(2026, 7, 1), note="第二批调整")

    # then: version 1 is still readable as it was
    first.refresh_from_db()
    assert first.state == ListVersion.State.PUBLISHED
    assert [i.code for i in queries.items_of(first)] == ["CF001", "CF002", "CF003"]
    assert queries.items_of(first).get(code="CF001").legal_basis == "《中华人民共和国城乡规划法》第六十五条"
    # and the diff names exactly what changed
    diff = diff_versions(first, second)
    assert [(a.code, a.name) for a in diff.added] == [("JC001", "对农村村民建房的行政检查")]
    assert [r.code for r in diff.removed] == ["CF002"]
    assert [(c.code, [(f.label, f.before, f.after) for f in c.fields]) for c in diff.changed] == [
        ("CF001", [("设定依据", "《中华人民共和国城乡规划法》第六十五条", "《中华人民共和国城乡规划法》第六十四条")])
    ]
    # and the journal says who published, on the rules chain
    entry = JournalEntry.objects.filter(verb="list.publish", subject=f"list:{first.series_id}").latest("seq")
    assert entry.chain == journal.RULES_CHAIN and entry.actor == world.county_admin
    assert entry.actor_name == "county_admin" and "第2版" in entry.summary and entry.data["added"] == 1
    assert second.published_by == world.county_admin and second.published_at is not None
    assert journal.verify() == []


def test_the_version_in_force_follows_the_effective_dates(world):
    first = township_power_list(world, effective_from=date(2026, 1, 1))
    draft = actions.start_draft(world.county_admin, first.series)
    second = actions.publish_version(world.county_admin, draft, effective_from=date(2026, 7, 1))
    assert queries.version_in_force(first.series, date(2025, 12, 31)) is None
    assert queries.version_in_force(first.series, date(2026, 6, 30)) == first
    assert queries.version_in_force(first.series, date(2026, 7, 1)) == second


def test_a_published_version_cannot_be_edited(world):
    version = township_power_list(world)
    item = queries.items_of(version).first()
    with pytest.raises(Conflict) as error:
        actions.change_item(world.county_admin, version, item, power_row("CF001", "改名", world.gov_a))
    assert error.value.code == "list.not_draft"
    with pytest.raises(Conflict):
        actions.remove_item(world.county_admin, version, item)
    assert PowerItem.objects.get(pk=item.pk).name == "对违法建设行为的行政处罚1"


def test_every_edit_is_journaled_with_what_changed(world):
    version = township_power_list(world)
    draft = actions.start_draft(world.county_admin, version.series)
    item = queries.items_of(draft).get(code="CF003")
    actions.change_item(world.county_admin, draft, item, power_row("CF003", "对违法建设行为的行政处罚(修订)", world.gov_a))
    entry = JournalEntry.objects.filter(verb="list.item_change").get()
    assert entry.actor == world.county_admin and entry.data["code"] == "CF003"
    assert entry.data["changes"] == {"name": ["对违法建设行为的行政处罚3", "对违法建设行为的行政处罚(修订)"]}
    verbs = list(JournalEntry.objects.filter(subject=f"list:{version.series_id}").order_by("seq").values_list("verb", flat=True))
    assert verbs == ["list.create", "list.import", "list.publish", "list.draft", "list.item_change"]


def test_bad_items_are_refused_with_the_field_named_and_nothing_saved(world):
    version = township_power_list(world)
    draft = actions.start_draft(world.county_admin, version.series)
    bad = power_row("CF001", "", world.gov_b, power_type="行政命令", level="县级")
    with pytest.raises(Rejected) as error:
        actions.add_item(world.county_admin, draft, bad)
    fields = error.value.fields
    assert fields["name"] == "必填"
    assert fields["power_type"].startswith("「行政命令」不在允许的取值中")
    assert fields["code"] == "本清单已有编码为CF001的事项"
    assert set(fields) == {"name", "power_type", "code"}  # rules across fields wait until the cells are right
    with pytest.raises(Rejected) as error:
        actions.add_item(world.county_admin, draft, power_row("CF001", "重复编码", world.gov_b, level="县级"))
    assert error.value.fields == {
        "level": "本清单适用于甲镇，应为「乡镇」",
        "implementing_unit": "「乙镇人民政府」不在甲镇，不能实施本清单事项",
        "code": "本清单已有编码为CF001的事项",
    }
    assert queries.item_count(draft) == 3


def test_only_a_county_administrator_edits_and_publishes(world):
    version = township_power_list(world)
    with pytest.raises(Forbidden):
        actions.start_draft(world.leader_a, version.series)
    draft = actions.start_draft(world.county_admin, version.series)
    with pytest.raises(Forbidden):
        actions.publish_version(world.leader_a, draft, effective_from=date(2026, 8, 1))


def test_a_version_may_not_take_effect_before_the_one_it_follows(world):
    version = township_power_list(world, effective_from=date(2026, 3, 1))
    draft = actions.start_draft(world.county_admin, version.series)
    with pytest.raises(Rejected) as error:
        actions.publish_version(world.county_admin, draft, effective_from=date(2026, 2, 1))
    assert error.value.field == "effective_from" and "2026-03-01" in error.value.message
    assert ListVersion.objects.get(pk=draft.pk).state == "draft"


def test_one_draft_at_a_time_and_publishing_twice_is_a_conflict(world):
    version = township_power_list(world)
    draft = actions.start_draft(world.county_admin, version.series)
    with pytest.raises(Conflict):
        actions.start_draft(world.county_admin, version.series)
    actions.publish_version(world.county_admin, draft, effective_from=date(2026, 5, 1))
    with pytest.raises(Conflict):
        actions.publish_version(world.county_admin, draft, effective_from=date(2026, 6, 1))


def test_service_items_keep_their_materials_across_drafts_and_village_items_need_an_agent_point(world):
    series = actions.create_list(world.county_admin, kind=ListKind.SERVICE, name="甲镇政务服务事项清单", area=world.a)
    draft = series.versions.get()
    item = actions.add_item(world.county_admin, draft, service_row("S0001", "最低生活保障申请"))
    assert [(m.name, m.form, m.copies, m.requirement) for m in item.materials.all()] == [
        ("居民身份证", "original", 1, "required"), ("户口簿", "copy", 2, "deferrable")
    ]
    with pytest.raises(Rejected) as error:
        actions.add_item(world.county_admin, draft, service_row("V001", "代办养老保险参保", level="村(社区)", agent="否"))
    assert error.value.field == "agent_point"
    with pytest.raises(Rejected) as error:
        actions.add_item(world.county_admin, draft, {**service_row("S0002", "临时救助申请"), "promised_days": 30, "visits": 2})
    assert error.value.fields == {"visits": "须在0至1之间"}
    published = actions.publish_version(world.county_admin, draft, effective_from=date(2026, 1, 1))
    copy = actions.start_draft(world.county_admin, series)
    assert [m.name for m in queries.items_of(copy).get().materials.all()] == ["居民身份证", "户口簿"]
    assert diff_versions(published, copy).is_empty
