import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_script_prefix
from django.urls import reverse
from openpyxl import load_workbook

from zhenjie.tasks.actions import acknowledge_task, assign_task
from zhenjie.testing import make_task

pytestmark = pytest.mark.django_db


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(queries)


def test_pages_need_a_login(client, world):
    for name in ("workbench:home", "workbench:inbox", "tasks:list", "workbench:units", "workbench:areas"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_workbench_shows_counts_inbox_posts_and_jurisdiction(client, world):
    make_task(world, title="排查燃气隐患")
    client.force_login(world.clerk_a)
    page = client.get(reverse("workbench:home")).content.decode()
    assert 'data-testid="count-pending">1<' in page
    assert "排查燃气隐患" in page and "签收" in page
    assert "甲镇社会治理办公室" in page and "辖区：甲镇" in page


def test_the_inbox_of_township_b_holds_none_of_township_as_work(client, world):
    make_task(world, title="甲镇的活")
    client.force_login(world.dispatcher_b)
    assert "甲镇的活" not in client.get(reverse("workbench:inbox")).content.decode()
    assert 'data-testid="count-pending">0<' in client.get(reverse("workbench:home")).content.decode()


def test_another_townships_task_is_404_by_url(client, world):
    task = make_task(world)
    client.force_login(world.dispatcher_b)
    assert client.get(reverse("tasks:detail", args=[task.case_id])).status_code == 404
    assert client.post(reverse("tasks:act", args=[task.case_id, "cancel"]), {"reason": "x"}).status_code == 404
    client.force_login(world.leader_a)
    assert client.get(reverse("tasks:detail", args=[task.case_id])).status_code == 200


def test_the_inbox_exports_to_excel_with_only_the_users_rows(client, world):
    make_task(world, title="甲镇一号")
    assign_task(world.leader_b, title="乙镇一号", description="x", assignee_unit=world.gov_b, working_days=3)
    client.force_login(world.clerk_a)
    response = client.get(reverse("workbench:inbox") + "?format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("类型", "编号", "标题")
    assert [row[2] for row in rows[1:]] == ["甲镇一号"]


def test_the_task_list_and_its_export_are_scoped(client, world):
    make_task(world, title="甲镇一号")
    assign_task(world.leader_b, title="乙镇一号", description="x", assignee_unit=world.gov_b, working_days=3)
    client.force_login(world.leader_b)
    page = client.get(reverse("tasks:list")).content.decode()
    assert "乙镇一号" in page and "甲镇一号" not in page
    sheet = load_workbook(io.BytesIO(client.get(reverse("tasks:list") + "?format=xlsx").content)).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["乙镇一号"]


def test_the_area_pages_and_map_data_stay_inside_the_jurisdiction(client, world):
    client.force_login(world.dispatcher_a)
    assert client.get(reverse("workbench:area", args=[world.b.pk])).status_code == 404
    features = client.get(reverse("workbench:areas_geojson")).json()["features"]
    assert {f["properties"]["name"] for f in features} == {"甲一村"}
    assert client.get(reverse("workbench:areas_geojson") + f"?parent={world.b.pk}").status_code == 404


def test_a_leader_assigns_a_task_through_the_form(client, world):
    client.force_login(world.leader_a)
    response = client.post(
        reverse("tasks:new"),
        {"title": "清理河道", "assignee_unit": world.office_a.pk, "working_days": 3, "description": "清理杂物"},
    )
    assert response.status_code == 302
    client.force_login(world.clerk_a)
    assert "清理河道" in client.get(reverse("workbench:inbox")).content.decode()


def test_the_task_form_explains_bad_input_and_saves_nothing(client, world):
    from zhenjie.tasks.models import Task

    client.force_login(world.leader_a)
    response = client.post(reverse("tasks:new"), {"title": "", "assignee_unit": world.gov_b.pk, "working_days": "abc", "description": "x" * 6000})
    page = response.content.decode()
    assert response.status_code == 200 and not Task.objects.exists()
    assert "这个字段是必填项。" in page and "选择一个有效的选项" in page and "输入整数" in page


def test_a_transition_out_of_turn_shows_why(client, world):
    task = make_task(world)
    acknowledge_task(world.clerk_a, task)
    client.force_login(world.clerk_a)
    response = client.post(reverse("tasks:act", args=[task.case_id, "acknowledge"]), HTTP_HX_REQUEST="true")
    assert "不能「签收」" in response.content.decode()


@pytest.mark.parametrize("url_name", ["workbench:home", "workbench:inbox", "tasks:list", "workbench:units", "workbench:notifications"])
def test_list_pages_run_the_same_number_of_queries_at_3_and_30_rows(client, world, url_name):
    for index in range(3):
        make_task(world, title=f"任务{index}")
    client.force_login(world.clerk_a)
    client.get(reverse(url_name))  # warm the session and caches
    small = count_queries(client, reverse(url_name))
    for index in range(27):
        make_task(world, title=f"更多任务{index}")
    assert count_queries(client, reverse(url_name)) == small


def test_healthz_answers_200_when_the_database_answers(client):
    assert client.get("/healthz").json()["status"] == "ok"


def test_healthz_answers_503_when_the_database_does_not(tmp_path):
    """A real unreachable database, in a process of its own so the suite's connection is untouched."""
    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz'); print(r.status_code, r.json()['status'])"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "zhenjie.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path}/missing-dir/zhenjie.sqlite3",
        "ZHENJIE_VAR_DIR": str(tmp_path),
        "ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=settings.BASE_DIR, timeout=60)
    assert result.stdout.split() == ["503", "unavailable"], result.stderr[-2000:]


def test_the_menu_follows_the_path_prefix_a_proxy_serves_it_under(client, world):
    """The menu's links are worked out once per process (workbench.navigation), per prefix: a
    site served under /zhenjie/ and at the root by the same process links each to its own."""
    client.force_login(world.clerk_a)
    inbox, tasks = reverse("workbench:inbox"), reverse("tasks:list")
    at_root = client.get(inbox).content.decode()
    with override_script_prefix("/zhenjie/"):  # what the WSGI handler sets from SCRIPT_NAME
        under_prefix = client.get(inbox).content.decode()
    assert f'href="{tasks}"' in at_root and 'href="/zhenjie/' not in at_root
    assert f'href="/zhenjie{tasks}"' in under_prefix
    assert f'href="{tasks}"' in client.get(inbox).content.decode()  # and the root's again
