"""A county that is not the demo moves in: on a database with no demo data, its division tree,
units and 30 people with posts are loaded through the same functions the pages use (preview,
then confirm), and a dispatcher loaded from the roster then receives an event reported in their
township — and the other township's dispatcher does not. (Grids are the `grids` kind's.)"""

import pytest
from django.test import TestCase

from zhenjie.accounts import actions as accounts
from zhenjie.accounts.models import User
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.actions import create_area
from zhenjie.areas.models import Area
from zhenjie.events.intake import Report, report_event
from zhenjie.events.models import Category
from zhenjie.kernel.assignments import inbox_for
from zhenjie.movein import actions
from zhenjie.units.actions import create_unit
from zhenjie.units.models import Unit

from .builders import AREA_HEADERS, PEOPLE_HEADERS, UNIT_HEADERS, citizen_id, xlsx

pytestmark = pytest.mark.django_db

COUNTY = "990299000000"
TOWNSHIPS = {"990299101000": ("东湖镇", "镇"), "990299001000": ("城南街道", "街道")}


def load(user, kind, content):
    run, plan = actions.preview_import(user, kind, content, f"{kind}.xlsx")
    assert plan.errors == [], plan.errors
    actions.confirm_import(user, run, remove=False)
    return plan


def seat_administrator(username, unit, role):
    user = accounts.create_staff(None, username=username, full_name=username, password="Movein-test-2026#")
    accounts.grant_post(None, user=user, unit=unit, title="管理员", roles=[role], jurisdiction=unit.area)
    return user


def test_a_small_county_is_loaded_from_its_files_and_a_loaded_dispatcher_receives_an_event():
    assert not Area.objects.exists() and not User.objects.exists()
    # What `bootstrap` leaves: the county and its administrators, nothing else.
    county, _ = create_area(None, code=COUNTY, name="新安县", level="county")
    office = create_unit(None, name="新安县委编办", kind=Unit.Kind.DEPARTMENT, area=county)
    county_admin = seat_administrator("bianban", office, R.COUNTY_ADMIN)
    data_centre = create_unit(None, name="新安县大数据中心", kind=Unit.Kind.DEPARTMENT, area=county)
    sysadmin = seat_administrator("sysadmin", data_centre, R.SYSTEM_ADMIN)

    areas = [[COUNTY, "新安县", "县", "", "", ""]]
    for code, (name, kind) in TOWNSHIPS.items():
        areas.append([code, name, kind, COUNTY, "", ""])
        areas += [[code[:9] + "201", name[:2] + "一村", "村", code, "", ""], [code[:9] + "002", name[:2] + "社区", "社区", code, "", ""]]
    assert len(load(county_admin, "areas", xlsx(AREA_HEADERS, areas)).new) == 6

    units = [["新安县公安局", "", "县直部门", COUNTY, "", "", "", "0"]]
    for code, (name, _) in TOWNSHIPS.items():
        units += [
            [f"{name}人民政府" if name.endswith("镇") else f"{name}办事处", "", "乡镇政府(街道办事处)", code, "", "", "", "0"],
            [f"{name}综合指挥中心", "", "事业单位(中心)", code, "", "", "", "1"],
            [f"{name}党政办公室", "", "党政工作机构", code, "", "", "", "2"],
            [f"{name}派出所", "", "派驻机构", code, "", "新安县公安局", "", "3"],
            [f"{name[:2]}一村村民委员会", "", "村(居)民委员会", code[:9] + "201", "", "", "", "0"],
        ]
    load(county_admin, "units", xlsx(UNIT_HEADERS, units))
    assert Unit.objects.filter(kind=Unit.Kind.STATIONED, home_department__name="新安县公安局").count() == 2

    people, n = [], 0
    for code, (name, _) in TOWNSHIPS.items():
        for title, unit, roles, count in (("调度员", f"{name}综合指挥中心", "指挥中心调度员", 5), ("干部", f"{name}党政办公室", "后台审批人员", 6),
                                          ("民警", f"{name}派出所", "派驻机构工作人员", 3), ("村干部", f"{name[:2]}一村村民委员会", "村代办员", 1)):
            for _ in range(count):
                n += 1
                area = code[:9] + "201" if title == "村干部" else code
                people.append([f"人员{n:02d}", f"1370000{n:04d}", citizen_id(100 + n), "", unit, area, title, roles, area])
    assert len(people) == 30
    plan = load(sysadmin, "people", xlsx(PEOPLE_HEADERS, people))
    assert len([c for c in plan.new if c.key.startswith("人员:")]) == 30
    assert User.objects.filter(must_change_password=True, full_name__startswith="人员").count() == 30

    dispatcher_east, dispatcher_south = User.objects.get(full_name="人员01"), User.objects.get(full_name="人员16")
    village = Area.objects.get(code="990299101201")
    with TestCase.captureOnCommitCallbacks(execute=True):
        event = report_event(dispatcher_east, Report(channel="hotline", category=Category.objects.order_by("pk").first(),
                                                     description="村口路灯不亮", area=village))
    assert event.case.area == village
    assert event.case in {a.case for a in inbox_for(User.objects.get(full_name="人员02"))}
    assert event.case not in {a.case for a in inbox_for(dispatcher_south)}
