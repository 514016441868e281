"""The movein pages: upload → preview → confirm, refused files, and who may reach them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhenjie.areas.models import Area
from zhenjie.movein.models import ImportRun

from .builders import AREA_HEADERS, county_tree, rows_of, xlsx

pytestmark = pytest.mark.django_db


def upload(client, content, name="区划.xlsx", kind="areas"):
    return client.post(reverse("movein:kind", args=[kind]), {"file": SimpleUploadedFile(name, content)})


def test_the_county_administrator_previews_then_confirms_and_is_taken_to_the_tree(client, world):
    client.force_login(world.county_admin)
    response = upload(client, county_tree())
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response.url == reverse("movein:run", args=[run.pk])
    page = client.get(response.url).content.decode()
    assert "城关街道(990199001000)" in page and "确认导入" in page
    assert not Area.objects.filter(code="990199001000").exists()

    response = client.post(reverse("movein:run", args=[run.pk]), {})
    assert response.url == reverse("workbench:area", args=[world.county.pk])
    assert "城关街道" in client.get(response.url).content.decode()
    assert client.post(reverse("movein:run", args=[run.pk]), {}).status_code == 200  # a second confirm is refused, not a 500
    assert Area.objects.filter(code="990199001000").count() == 1


def test_a_refused_file_shows_every_error_and_offers_the_report(client, world):
    client.force_login(world.county_admin)
    upload(client, xlsx(AREA_HEADERS, [["990199009000", "九镇", "乡", "", "", ""], ["abc", "", "镇", "990199000000", "", ""]]))
    run = ImportRun.objects.get()
    page = client.get(reverse("movein:run", args=[run.pk])).content.decode()
    assert "发现3处错误，整个文件未导入" in page
    report = client.get(reverse("movein:errors", args=[run.pk]))
    assert [row[:2] for row in rows_of(report.content)[1:]] == [["2", "上级区划代码"], ["3", "区划代码"], ["3", "名称"]]


def test_a_file_that_is_not_a_workbook_is_refused_with_a_message(client, world):
    client.force_login(world.county_admin)
    upload(client, b"not a spreadsheet at all", name="区划.xlsx")
    assert "无法读取该文件" in ImportRun.objects.get().errors[0]["reason"]
    response = upload(client, county_tree(), name="区划.csv")
    assert response.status_code == 200 and "请上传.xlsx文件" in response.content.decode()


def test_the_data_changing_between_preview_and_confirm_refuses_the_import(client, world):
    client.force_login(world.county_admin)
    upload(client, county_tree(rename_b="乙乡"))
    run = ImportRun.objects.get()
    Area.objects.filter(code="990199102000").update(name="乙镇(已改)")
    response = client.post(reverse("movein:run", args=[run.pk]), {}, follow=True)
    assert "预览之后系统中的数据已有变化" in response.content.decode()
    assert not Area.objects.filter(code="990199001000").exists()


def test_others_may_not_import_or_see_someone_elses_upload(client, world):
    client.force_login(world.county_admin)
    upload(client, county_tree())
    run = ImportRun.objects.get()
    client.force_login(world.dispatcher_a)
    assert client.get(reverse("movein:home")).status_code == 403
    assert client.get(reverse("movein:kind", args=["areas"])).status_code == 403
    assert client.get(reverse("movein:export", args=["areas"])).status_code == 403
    assert client.get(reverse("movein:run", args=[run.pk])).status_code == 404
    assert client.post(reverse("movein:run", args=[run.pk]), {}).status_code == 404
    assert not Area.objects.filter(code="990199001000").exists()


def test_the_blank_template_has_the_headers_and_one_example_row(client, world):
    client.force_login(world.county_admin)
    rows = rows_of(client.get(reverse("movein:template", args=["areas"])).content)
    assert rows[0] == AREA_HEADERS and len(rows) == 2


def test_each_administrator_sees_the_kinds_of_their_role(client, world):
    from zhenjie.accounts.roles import RoleCode as R
    from zhenjie.testing import make_user

    client.force_login(world.county_admin)
    page = client.get(reverse("movein:home")).content.decode()
    assert "movein-kind-areas" in page and "movein-kind-units" in page and "movein-kind-people" not in page
    assert client.get(reverse("movein:kind", args=["people"])).status_code == 403
    sysadmin = make_user("sysadmin", world.police, [R.SYSTEM_ADMIN], world.county)
    client.force_login(sysadmin)
    page = client.get(reverse("movein:home")).content.decode()
    assert "movein-kind-people" in page and "movein-kind-areas" not in page
    assert client.get(reverse("movein:kind", args=["nonsense"])).status_code == 404


def test_the_system_administrator_imports_people_through_the_page_and_sees_only_masks(client, world):
    from zhenjie.accounts.models import User
    from zhenjie.accounts.roles import RoleCode as R
    from zhenjie.testing import make_user

    from .builders import PEOPLE_HEADERS, citizen_id, people_rows

    sysadmin = make_user("sysadmin", world.police, [R.SYSTEM_ADMIN], world.county)
    client.force_login(sysadmin)
    response = upload(client, xlsx(PEOPLE_HEADERS, people_rows()), name="人员.xlsx", kind="people")
    preview = client.get(response.url).content.decode()
    assert "王一(13900000001)" in preview and citizen_id(1) not in preview and "990199********" in preview
    response = client.post(response.url, {})
    assert response.url == reverse("workbench:users")
    assert User.objects.filter(username="li_er").exists()
    exported = client.get(reverse("movein:export", args=["people"]))
    assert citizen_id(1) not in str(rows_of(exported.content))
