"""Staff pages of the lists: what each person sees, and what a county administrator does there."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from zhenjie.kernel.models import JournalEntry
from zhenjie.lists import actions, queries
from zhenjie.lists.models import Delegation, ImportJob, ListKind, ListVersion, PowerItem
from zhenjie.units.actions import create_unit
from zhenjie.units.models import Unit

from .builders import county_power_list, duty_row, power_row, published_list, township_power_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists(world):
    """A county-wide local-duty list, a power list for each township and a county power list."""
    world.duties = published_list(
        world.county_admin, kind=ListKind.LOCAL_DUTY, name="测试县属地管理事项清单", area=world.county,
        rows=[duty_row("SD001", "治安隐患排查整治", world.police, "public_security")],
    )
    world.power_a = township_power_list(world, world.a)
    world.power_b = township_power_list(world, world.b)
    world.county_powers = county_power_list(world)
    return world


def form_data(row: dict) -> dict:
    return {key: value for key, value in row.items() if value is not None}


def test_a_township_clerk_sees_the_county_lists_and_their_own_but_not_another_townships(client, lists):
    client.force_login(lists.clerk_a)
    page = client.get(reverse("lists:home")).content.decode()
    assert "测试县属地管理事项清单" in page and "甲镇权责清单" in page
    assert "乙镇权责清单" not in page
    assert client.get(reverse("lists:series", args=[lists.power_b.series_id])).status_code == 404
    assert client.get(reverse("lists:version", args=[lists.power_b.pk])).status_code == 404
    item_b = queries.items_of(lists.power_b).first()
    assert client.get(reverse("lists:item", args=[lists.power_b.pk, item_b.pk])).status_code == 404
    assert client.get(reverse("lists:version", args=[lists.power_b.pk]) + "?format=xlsx").status_code == 404
    # an item of township B's list is not reachable through township A's version either
    assert client.get(reverse("lists:item", args=[lists.power_a.pk, item_b.pk])).status_code == 404


def test_a_department_liaison_reads_the_county_lists(client, lists):
    client.force_login(lists.liaison)
    page = client.get(reverse("lists:home")).content.decode()
    assert "测试县属地管理事项清单" in page and "甲镇权责清单" not in page
    assert client.get(reverse("lists:version", args=[lists.duties.pk])).status_code == 200


def test_a_township_clerk_can_browse_but_not_edit(client, lists):
    client.force_login(lists.leader_a)
    page = client.get(reverse("lists:version", args=[lists.power_a.pk])).content.decode()
    assert "对违法建设行为的行政处罚1" in page and "新增事项" not in page and "建立新草稿" not in page
    response = client.post(reverse("lists:draft", args=[lists.power_a.series_id]), follow=True)
    assert "只有县级管理员(编办)可以修改和发布清单" in response.content.decode()
    assert not ListVersion.objects.filter(series=lists.power_a.series, state="draft").exists()


def test_the_county_administrator_adds_an_item_through_the_form_and_publishes(client, lists):
    client.force_login(lists.county_admin)
    client.post(reverse("lists:draft", args=[lists.power_a.series_id]))
    draft = ListVersion.objects.get(series=lists.power_a.series, state="draft")
    from django.utils import timezone

    # the date picker is pre-filled with today in the format <input type=date> accepts
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in client.get(reverse("lists:version", args=[draft.pk])).content.decode()
    row = power_row("JC001", "对农村村民建房的行政检查", lists.gov_a, power_type="inspection", level="township")
    response = client.post(reverse("lists:item_new", args=[draft.pk]), form_data(row))
    assert response.status_code == 302
    assert PowerItem.objects.get(version=draft, code="JC001").get_power_type_display() == "行政检查"
    response = client.post(reverse("lists:publish", args=[draft.pk]), {"effective_from": "2026-09-01", "note": "新增检查事项"}, follow=True)
    assert "已发布第2版，2026-09-01起施行" in response.content.decode()
    diff = client.get(reverse("lists:diff") + f"?other={draft.pk}").content.decode()
    assert 'data-testid="added-count">1<' in diff and "对农村村民建房的行政检查" in diff
    history = client.get(reverse("lists:series", args=[lists.power_a.series_id])).content.decode()
    assert "发布甲镇权责清单第2版(4项)，2026-09-01起施行" in history and "county_admin" in history


def test_the_item_form_names_each_bad_field_and_saves_nothing(client, lists):
    client.force_login(lists.county_admin)
    draft = actions.start_draft(lists.county_admin, lists.power_a.series)
    row = {**power_row("CF001", "", lists.gov_b), "power_type": "bogus", "level": "township"}
    response = client.post(reverse("lists:item_new", args=[draft.pk]), form_data(row))
    page = response.content.decode()
    assert response.status_code == 200
    assert "这个字段是必填项。" in page and "选择一个有效的选项" in page  # shape: name, type, unit not in the list
    row = power_row("CF001", "重复的编码", lists.gov_a, power_type="penalty", level="township")
    page = client.post(reverse("lists:item_new", args=[draft.pk]), form_data(row)).content.decode()
    assert "本清单已有编码为CF001的事项" in page
    assert queries.item_count(draft) == 3


def test_editing_an_item_keeps_its_address_and_a_published_item_cannot_be_edited(client, lists):
    client.force_login(lists.county_admin)
    item = queries.items_of(lists.power_a).get(code="CF002")
    assert client.get(reverse("lists:item_edit", args=[lists.power_a.pk, item.pk])).status_code == 403
    draft = actions.start_draft(lists.county_admin, lists.power_a.series)
    item = queries.items_of(draft).get(code="CF002")
    form = client.get(reverse("lists:item_edit", args=[draft.pk, item.pk])).content.decode()
    assert "对违法建设行为的行政处罚2" in form and 'value="甲镇人民政府" selected' in form
    row = power_row("CF002", "对违法建设行为的行政处罚(修订)", lists.gov_a, power_type="penalty", level="township")
    response = client.post(reverse("lists:item_edit", args=[draft.pk, item.pk]), form_data(row))
    assert response.status_code == 302 and response["Location"] == reverse("lists:item", args=[draft.pk, item.pk])
    assert PowerItem.objects.get(pk=item.pk).name == "对违法建设行为的行政处罚(修订)"


def test_export_import_and_error_report_through_the_pages(client, lists):
    client.force_login(lists.county_admin)
    exported = client.get(reverse("lists:version", args=[lists.power_a.pk]) + "?format=xlsx")
    assert exported["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(exported.content))["权责清单"]
    assert [c.value for c in sheet[1]][:4] == ["事项编码", "事项名称", "事项类型", "主项编码"]
    draft = actions.start_draft(lists.county_admin, lists.power_a.series)
    # a good file: accepted, the job page says so
    upload = io.BytesIO(exported.content)
    upload.name = "甲镇权责清单.xlsx"
    response = client.post(reverse("lists:import", args=[draft.pk]), {"file": upload})
    job = ImportJob.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == reverse("lists:import_job", args=[job.pk])
    assert "已导入3项" in client.get(response["Location"]).content.decode()
    # a bad file: refused, each bad cell listed, a report to download
    book = load_workbook(io.BytesIO(exported.content))
    book["权责清单"]["C3"] = "行政命令"
    bad = io.BytesIO()
    book.save(bad)
    bad.seek(0)
    bad.name = "有错误.xlsx"
    client.post(reverse("lists:import", args=[draft.pk]), {"file": bad})
    job = ImportJob.objects.latest("pk")
    page = client.get(reverse("lists:import_job", args=[job.pk])).content.decode()
    assert "发现1处错误" in page and "C3" in page and "「行政命令」不在允许的取值中" in page
    report = client.get(reverse("lists:import_errors", args=[job.pk]))
    rows = list(load_workbook(io.BytesIO(report.content)).active.iter_rows(values_only=True))
    assert rows[1][:4] == ("权责清单", 3, "事项类型", "C3")
    # an HTMX poll gets the progress fragment only
    fragment = client.get(reverse("lists:import_job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="import-status"' in fragment and "<html" not in fragment


def test_a_file_that_is_not_xlsx_is_refused_on_the_form(client, lists):
    client.force_login(lists.county_admin)
    draft = actions.start_draft(lists.county_admin, lists.power_a.series)
    upload = io.BytesIO(b"code,name\nCF1,x\n")
    upload.name = "清单.csv"
    page = client.post(reverse("lists:import", args=[draft.pk]), {"file": upload}).content.decode()
    assert "请上传 .xlsx 格式的 Excel 文件" in page and not ImportJob.objects.exists()


def test_import_jobs_of_another_township_are_404(client, lists):
    draft = actions.start_draft(lists.county_admin, lists.power_b.series)
    book = Workbook()
    book.active.append(["事项编码"])
    content = io.BytesIO()
    book.save(content)
    job = actions.start_import(lists.county_admin, draft, filename="x.xlsx", content=content.getvalue())
    client.force_login(lists.leader_a)
    assert client.get(reverse("lists:import_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("lists:import_errors", args=[job.pk])).status_code == 404


def test_search_finds_items_by_pinyin_initials_and_htmx_gets_only_the_rows(client, lists):
    client.force_login(lists.clerk_a)
    url = reverse("lists:version", args=[lists.duties.pk])
    page = client.get(url + "?q=zayh").content.decode()  # 治安隐患
    assert "治安隐患排查整治" in page
    fragment = client.get(url + "?q=xyz", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="item-rows").content.decode()
    assert "没有符合条件的事项" in fragment and "<html" not in fragment


def test_delegations_through_the_pages(client, lists):
    team = create_unit(None, name="甲镇综合执法队", kind=Unit.Kind.CENTRE, area=lists.a)
    client.force_login(lists.county_admin)
    client.post(reverse("lists:delegations"), {"batch-title": "第一批赋权", "batch-document_number": "测政发〔2026〕1号"})
    batch = lists.county.delegation_batches.get()
    response = client.post(reverse("lists:batch", args=[batch.pk]), {
        "department": lists.police.pk, "power_code": "GA-CF-003", "scope": "some", "townships": [lists.a.pk], "effective_from": "2026-07-01",
    })
    delegation = Delegation.objects.get()
    assert response["Location"] == reverse("lists:delegation", args=[delegation.pk])
    target = delegation.targets.get()
    assert target.receiving_unit == team  # an enforcement power goes to the enforcement team by default
    page = client.post(reverse("lists:delegation_act", args=[delegation.pk, "approve"]), follow=True).content.decode()
    assert "承接评估未通过，不能批准：甲镇(未评估)" in page
    client.post(reverse("lists:delegation_act", args=[delegation.pk, "assess"]), {
        "target": target.pk, f"t{target.pk}-receiving_unit": team.pk, f"t{target.pk}-trained_staff": 3, f"t{target.pk}-assessment": "已培训",
    })
    client.post(reverse("lists:delegation_act", args=[delegation.pk, "approve"]))
    client.post(reverse("lists:delegation_act", args=[delegation.pk, "in_force"]))
    assert Delegation.objects.get().state == "in_force"
    lookup = client.get(reverse("lists:lookup") + f"?unit={team.pk}&power_code=GA-CF-003&on=2026-08-01").content.decode()
    assert "可以行使" in lookup and "自2026-07-01起由甲镇行使" in lookup
    # bad input: a withdrawal without a reason is refused and changes nothing
    page = client.post(reverse("lists:delegation_act", args=[delegation.pk, "withdraw"]), {"withdraw-on": "2026-10-01", "withdraw-reason": ""}).content.decode()
    assert "这个字段是必填项" in page and Delegation.objects.get().state == "in_force"


def test_township_staff_read_delegations_but_may_not_act(client, lists):
    batch = actions.create_batch(lists.county_admin, lists.county, title="第一批赋权")
    delegation = actions.propose_delegation(
        lists.county_admin, batch, department=lists.police, power_code="GA-CF-003", scope="all", effective_from=date(2026, 7, 1)
    )
    client.force_login(lists.leader_a)
    assert "第一批赋权" in client.get(reverse("lists:delegations")).content.decode()
    page = client.get(reverse("lists:delegation", args=[delegation.pk])).content.decode()
    assert "对娱乐场所违反治安管理规定的行政处罚" in page and "收回赋权" not in page
    assert client.post(reverse("lists:batch", args=[batch.pk]), {"do": "approve_all"}).status_code == 403
    client.post(reverse("lists:delegation_act", args=[delegation.pk, "approve"]))
    assert Delegation.objects.get().state == "proposed"
    assert client.post(reverse("lists:delegation_act", args=[delegation.pk, "nonsense"])).status_code == 404


def test_the_route_lookup_names_the_lead_department_and_its_stationed_unit(client, lists):
    client.force_login(lists.dispatcher_a)
    page = client.get(reverse("lists:lookup") + f"?category=public_security&area={lists.village_a.pk}").content.decode()
    assert "测试县公安局" in page and "甲镇派出所" in page and "SD001" in page
    page = client.get(reverse("lists:lookup") + f"?category=BAD%20CODE&area={lists.village_a.pk}").content.decode()
    assert "类别代码为小写字母、数字和下划线" in page


def test_every_page_change_lands_in_the_journal_with_its_author(client, lists):
    client.force_login(lists.county_admin)
    client.post(reverse("lists:new"), {"kind": ListKind.SERVICE, "name": "甲镇政务服务事项清单", "area": lists.a.pk})
    entry = JournalEntry.objects.filter(verb="list.create").latest("seq")
    assert entry.actor == lists.county_admin and "甲镇政务服务事项清单" in entry.summary
    page = client.post(reverse("lists:new"), {"kind": ListKind.LOCAL_DUTY, "name": "甲镇属地清单", "area": lists.a.pk}).content.decode()
    assert "属地管理事项清单由县统一制定，适用区划应为县" in page
    client.force_login(lists.leader_a)
    assert client.get(reverse("lists:new")).status_code == 403


def test_township_staff_ask_whether_their_own_unit_may_exercise_a_power(client, lists):
    client.force_login(lists.clerk_a)
    page = client.get(reverse("lists:lookup") + f"?unit={lists.office_a.pk}&power_code=CF001&on=2026-03-01").content.decode()
    assert "可以行使" in page and "列入甲镇权责清单(第1版，2026-01-01起施行)" in page
    page = client.get(reverse("lists:lookup") + f"?unit={lists.office_a.pk}&power_code=CF001&on=2026-13-01").content.decode()
    assert "输入一个有效的日期" in page
    # another township's unit is not one they may ask about
    page = client.get(reverse("lists:lookup") + f"?unit={lists.gov_b.pk}&power_code=CF001&on=2026-03-01").content.decode()
    assert "选择一个有效的选项" in page and "可以行使" not in page
