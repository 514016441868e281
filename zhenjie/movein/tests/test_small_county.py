"""A county that is not the demo moves in (issue 13, the first "done when"): on a database with no
demo data, `bootstrap` makes the county and its three administrators; the system administrator
seats a county administrator; then the county's own files — division tree, division boundaries,
grids from GeoJSON (one township) and from a zipped Shapefile in a projected system (the other),
units, 30 people with posts — are loaded through the functions the pages use (preview, then
confirm). A grid worker from the roster reports by position: the event lands in their grid, and
a dispatcher from the roster receives it, the other township's does not."""

import json

import pytest
from django.test import TestCase

from zhenjie.accounts import actions as accounts
from zhenjie.accounts.bootstrap import bootstrap_county
from zhenjie.accounts.models import User
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.models import Area
from zhenjie.areas.tests.grid_files import geojson_file, shapefile_zip
from zhenjie.events.intake import Report, report_event
from zhenjie.events.models import Category
from zhenjie.kernel.assignments import inbox_for
from zhenjie.movein import actions
from zhenjie.testing import square
from zhenjie.units.models import Unit

from .builders import AREA_HEADERS, PEOPLE_HEADERS, UNIT_HEADERS, citizen_id, xlsx

pytestmark = pytest.mark.django_db

COUNTY = "330727000000"
# code: name, kind, the township's west edge (each township 0.2° square, its two villages 0.1°)
TOWNSHIPS = {"330727101000": ("东湖镇", "镇", 118.0), "330727001000": ("城南街道", "街道", 118.2)}


def load(user, kind, content, name=None):
    run, plan = actions.preview_import(user, kind, content, name or f"{kind}.xlsx")
    assert plan.errors == [], plan.errors
    actions.confirm_import(user, run, remove=False)
    return plan


def villages_of(code, west):
    """The township's two villages: (code, name, kind, west edge)."""
    name = TOWNSHIPS[code][0][:2]
    return [(code[:9] + "201", f"{name}一村", "村", west), (code[:9] + "002", f"{name}社区", "社区", west + 0.1)]


def test_a_small_county_is_loaded_from_its_files_and_a_loaded_dispatcher_receives_a_grid_workers_report():
    assert not Area.objects.exists() and not User.objects.exists()
    installed = bootstrap_county(county_code=COUNTY, county_name="新安县")
    sysadmin = User.objects.get(username="sysadmin")
    office = Unit.objects.create(name="新安县委编办", kind=Unit.Kind.DEPARTMENT, area=installed.county)
    county_admin = accounts.create_staff(sysadmin, username="bianban", full_name="编办管理员", password="Movein-test-2026#")
    accounts.grant_post(sysadmin, user=county_admin, unit=office, title="区划管理员", roles=[R.COUNTY_ADMIN], jurisdiction=installed.county)

    # 1. the division tree (.xlsx)
    areas = [[COUNTY, "新安县", "县", "", "", ""]]
    for code, (name, kind, west) in TOWNSHIPS.items():
        areas.append([code, name, kind, COUNTY, "", ""])
        areas += [[v, vname, vkind, code, "", ""] for v, vname, vkind, _ in villages_of(code, west)]
    assert len(load(county_admin, "areas", xlsx(AREA_HEADERS, areas)).new) == 6

    # 2. their boundaries (GeoJSON)
    drawn = [{"type": "Feature", "properties": {"区划代码": COUNTY}, "geometry": square(118.0, 30.0, 0.4)}]
    for code, (_, _, west) in TOWNSHIPS.items():
        drawn.append({"type": "Feature", "properties": {"区划代码": code}, "geometry": square(west, 30.0, 0.2)})
        drawn += [{"type": "Feature", "properties": {"区划代码": v}, "geometry": square(vwest, 30.0, 0.1)} for v, _, _, vwest in villages_of(code, west)]
    boundaries = json.dumps({"type": "FeatureCollection", "features": drawn}).encode()
    assert len(load(county_admin, "boundaries", boundaries, "区划边界.geojson").changed) == 7

    # 3. grids: two per village; 东湖镇's from GeoJSON, 城南街道's from a Shapefile in CGCS2000 GK zone 39
    for code, (name, _, west), (fmt, builder) in zip(TOWNSHIPS, TOWNSHIPS.values(), (("geojson", geojson_file), ("zip", lambda g: shapefile_zip(g, epsg=4527)))):
        grids = [(v + f"{n:03d}", f"{vname}第{n}网格", square(vwest + 0.05 * (n - 1), 30.0, 0.05))
                 for v, vname, _, vwest in villages_of(code, west) for n in (1, 2)]
        assert len(load(county_admin, "grids", builder(grids), f"{name}网格.{fmt}").new) == 4
    assert Area.objects.filter(level="grid", path__startswith=installed.county.path).count() == 8

    # 4. units (.xlsx)
    units = [["新安县公安局", "", "县直部门", COUNTY, "", "", "", "0"]]
    for code, (name, _, west) in TOWNSHIPS.items():
        village = villages_of(code, west)[0]
        units += [
            [f"{name}人民政府" if name.endswith("镇") else f"{name}办事处", "", "乡镇政府(街道办事处)", code, "", "", "", "0"],
            [f"{name}综合指挥中心", "", "事业单位(中心)", code, "", "", "", "1"],
            [f"{name}党政办公室", "", "党政工作机构", code, "", "", "", "2"],
            [f"{name}派出所", "", "派驻机构", code, "", "新安县公安局", "", "3"],
            [f"{village[1]}村民委员会", "", "村(居)民委员会", village[0], "", "", "", "0"],
        ]
    load(county_admin, "units", xlsx(UNIT_HEADERS, units))
    assert Unit.objects.filter(kind=Unit.Kind.STATIONED, home_department__name="新安县公安局").count() == 2

    # 5. 30 people with their posts (.xlsx), by the system administrator
    people, n = [], 0
    for code, (name, _, west) in TOWNSHIPS.items():
        village = villages_of(code, west)[0]
        for title, unit, roles, count, area in (
            ("调度员", f"{name}综合指挥中心", "指挥中心调度员", 5, code), ("干部", f"{name}党政办公室", "后台审批人员", 6, code),
            ("民警", f"{name}派出所", "派驻机构工作人员", 3, code), ("网格员", f"{village[1]}村民委员会", "网格员", 1, village[0] + "001"),
        ):
            for _ in range(count):
                n += 1
                people.append([f"人员{n:02d}", f"1370000{n:04d}", citizen_id(100 + n), "", unit, area if title != "网格员" else village[0], title, roles, area])
    assert len(people) == 30
    plan = load(sysadmin, "people", xlsx(PEOPLE_HEADERS, people))
    assert len([c for c in plan.new if c.key.startswith("人员:")]) == 30
    assert User.objects.filter(must_change_password=True, full_name__startswith="人员").count() == 30

    # A report by position, from the roster's grid worker of 东湖一村: placed in the grid drawn for it.
    worker, dispatcher_east, dispatcher_south = (User.objects.get(full_name=f"人员{k}") for k in ("15", "02", "16"))
    with TestCase.captureOnCommitCallbacks(execute=True):
        event = report_event(worker, Report(channel="grid", category=Category.objects.get(code="sanitation"),
                                            description="村口垃圾堆积", lng=118.01, lat=30.01))
    assert event.case.area == Area.objects.get(code="330727101201001")
    assert event.case in {a.case for a in inbox_for(dispatcher_east)}
    assert event.case not in {a.case for a in inbox_for(dispatcher_south)}
