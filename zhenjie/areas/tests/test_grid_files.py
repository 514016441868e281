"""Grid boundary files (issue 13, item 2b): GeoJSON and zipped Shapefiles read, converted to
longitude/latitude, checked against the villages, and imported all or nothing."""

import io
import zipfile

import pytest
from pyproj import Geod

from zhenjie.areas import boundaries
from zhenjie.areas.actions import import_grids
from zhenjie.areas.boundaries import grids_geojson, plan_grids, read_grid_file
from zhenjie.areas.models import Area, GridBoundary
from zhenjie.kernel.errors import Forbidden, Rejected
from zhenjie.kernel.models import JournalEntry
from zhenjie.testing import make_other_county, square

from .grid_files import geojson_file, shapefile_zip

pytestmark = pytest.mark.django_db

# make_world's 甲一村 is the square 116.0–116.1 E, 35.0–35.1 N; its grid 001 the south-west quarter.
NEW_GRIDS = [
    ("990199101201002", "甲一村第2网格", square(116.05, 35.0, 0.05)),
    ("990199101201003", "甲一村第3网格", square(116.0, 35.05, 0.05)),
]


def plan_of(data: bytes, world, filename="grids.geojson"):
    return plan_grids(read_grid_file(data, filename, county=world.county), world.county)


def test_a_geojson_file_previews_its_new_grids_and_imports_them_with_history_and_journal(world):
    plan = plan_of(geojson_file(NEW_GRIDS), world)

    assert not plan.refused
    assert [(g.feature.code, g.status) for g in plan.grids] == [("990199101201002", "new"), ("990199101201003", "new")]
    assert [a.code for a in plan.absent] == ["990199101201001"]  # kept, not removed

    written = import_grids(world.county_admin, plan)

    assert written == {"new": 2, "changed": 0}
    grid = Area.objects.get(code="990199101201003")
    assert (grid.name, grid.level, grid.parent, grid.path) == ("甲一村第3网格", "grid", world.village_a, "990199101201003")
    assert grid.boundary["coordinates"][0][0] == [116.0, 35.05]
    assert GridBoundary.objects.get(grid=grid, valid_until__isnull=True).boundary == grid.boundary
    assert JournalEntry.objects.filter(verb="area.import_grids", actor=world.county_admin).count() == 1


def test_a_zipped_shapefile_in_cgcs2000_gauss_kruger_zone_39_lands_at_the_right_longitude_and_latitude(world):
    data = shapefile_zip(NEW_GRIDS, epsg=4527)

    grid_file = read_grid_file(data, "网格.zip", county=world.county)

    assert grid_file.source == "Shapefile" and "EPSG:4527" in grid_file.crs_name
    assert [f.code for f in grid_file.features] == ["990199101201002", "990199101201003"]
    geod = Geod(ellps="WGS84")
    for feature, (_, _, expected) in zip(grid_file.features, NEW_GRIDS):
        got = sorted(feature.shape.exterior.coords[:-1])
        want = sorted(tuple(p) for p in expected["coordinates"][0][:-1])
        for (lng, lat), (want_lng, want_lat) in zip(got, want):
            _, _, metres = geod.inv(lng, lat, want_lng, want_lat)
            assert metres < 0.5
    assert not plan_grids(grid_file, world.county).refused


def test_a_shapefile_in_the_zone_without_prefix_and_in_cgcs2000_geographic_is_read_too(world):
    for epsg in (4548, 4490):  # CGCS2000 / 3-degree GK CM 117E; CGCS2000 longitude/latitude
        grid_file = read_grid_file(shapefile_zip(NEW_GRIDS, epsg=epsg), "grids.zip", county=world.county)
        (west, south, _, _) = grid_file.features[0].shape.bounds
        assert (round(west, 6), round(south, 6)) == (116.05, 35.0)


def test_a_gbk_dbf_with_chinese_field_names_and_no_cpg_is_read(world):
    data = shapefile_zip(NEW_GRIDS, encoding="gbk", fields=("网格编码", "网格名称"), omit=("cpg",))

    grid_file = read_grid_file(data, "grids.zip", county=world.county)

    assert grid_file.problems == []
    assert [(f.code, f.name) for f in grid_file.features] == [(code, name) for code, name, _ in NEW_GRIDS]


def test_projected_coordinates_without_a_prj_are_refused_but_plain_longitude_latitude_is_read(world):
    projected = shapefile_zip(NEW_GRIDS, epsg=4527, omit=("prj",))
    grid_file = read_grid_file(projected, "grids.zip", county=world.county)
    assert grid_file.features == []
    assert "不在本县范围的经纬度内；投影坐标请附带 .prj 坐标系文件" in grid_file.problems[0].reason

    plain = read_grid_file(shapefile_zip(NEW_GRIDS, epsg=None), "grids.zip", county=world.county)
    assert plain.problems == [] and len(plain.features) == 2


def test_a_self_intersecting_grid_is_repaired_and_a_flat_one_is_refused(world):
    bowtie = {"type": "Polygon", "coordinates": [[[116.05, 35.0], [116.1, 35.05], [116.1, 35.0], [116.05, 35.05], [116.05, 35.0]]]}
    flat = {"type": "Polygon", "coordinates": [[[116.0, 35.06], [116.02, 35.06], [116.04, 35.06], [116.0, 35.06]]]}

    plan = plan_of(geojson_file([("990199101201002", "蝴蝶", bowtie), ("990199101201003", "扁", flat)]), world)

    repaired = plan.grids[0]
    assert repaired.feature.shape.is_valid and repaired.feature.shape.geom_type == "MultiPolygon"
    assert repaired.warnings == ["边界无效(边界自相交)，已自动修复"]
    assert [(p.feature, p.field) for p in plan.problems] == [(2, "geometry")]
    assert plan.problems[0].reason.startswith("边界无效且无法修复")


def test_a_grid_mostly_outside_its_village_is_refused_and_the_outside_part_is_on_the_map(world):
    astray = square(116.08, 35.0, 0.05)  # 60% of it lies east of 甲一村

    plan = plan_of(geojson_file([("990199101201002", "越界网格", astray)]), world)

    assert plan.refused
    assert plan.problems[0].reason == "网格「越界网格」仅有 40.0% 位于所属村(社区)「甲一村」内，要求不少于 80%(见预览地图中的红色部分)"
    roles = [f["properties"]["role"] for f in plan.map_features()["features"]]
    assert roles == ["village", "existing", "grid", "outside"]  # 第1网格, not in the file, for context
    with pytest.raises(Rejected):
        import_grids(world.county_admin, plan)
    assert not Area.objects.filter(code="990199101201002").exists()


def test_grids_of_one_village_that_overlap_are_flagged_with_their_overlap_area(world):
    overlapping = square(116.04, 35.0, 0.05)  # overlaps grid 001 (116.00–116.05) by 0.01° × 0.05°

    plan = plan_of(geojson_file([("990199101201002", "叠网格", overlapping)]), world)

    assert not plan.refused
    (overlap,) = plan.overlaps
    assert (overlap.first, overlap.second) == ("990199101201002", "990199101201001")
    assert 4_900_000 < overlap.area_m2 < 5_200_000  # ≈ 912 m × 5.56 km
    assert [f["properties"]["flagged"] for f in plan.map_features()["features"] if f["properties"]["role"] == "grid"] == [True]


def test_a_file_with_a_bad_cell_in_each_feature_is_refused_whole_naming_every_one(world):
    grids = [
        ("990199101201002", "好网格", square(116.05, 35.0, 0.05)),
        ("12345", "短编码", square(116.0, 35.05, 0.02)),
        ("990199101201004", "", square(116.02, 35.07, 0.02)),
        ("990199109201001", "无此村", square(116.07, 35.07, 0.02)),
        ("990199101201002", "重复", square(116.05, 35.05, 0.02)),
    ]

    plan = plan_of(geojson_file(grids), world)

    assert [(p.feature, p.field) for p in plan.problems] == [(2, "code"), (3, "name"), (4, "code"), (5, "code")]
    assert "所属村(社区) 990199109201 不在本县区划中" in plan.problems[2].reason
    assert "与第1个要素重复" in plan.problems[3].reason
    before = (Area.objects.count(), GridBoundary.objects.count(), JournalEntry.objects.count())
    with pytest.raises(Rejected) as error:
        import_grids(world.county_admin, plan)
    assert error.value.message == "文件有 4 处问题，未导入任何网格，请下载错误报告修改后重新上传"
    assert (Area.objects.count(), GridBoundary.objects.count(), JournalEntry.objects.count()) == before


def test_reimporting_the_same_file_or_the_export_changes_nothing(world):
    data = geojson_file(NEW_GRIDS)
    import_grids(world.county_admin, plan_of(data, world))
    before = (GridBoundary.objects.count(), JournalEntry.objects.exclude(verb="area.import_grids").count())

    again = plan_of(data, world)
    exported = grids_geojson(Area.objects.filter(level="grid", path__startswith=world.a.path))
    round_trip = plan_of(__import__("json").dumps(exported).encode(), world)

    assert {g.status for g in again.grids} == {"unchanged"}
    assert {g.status for g in round_trip.grids} == {"unchanged"} and len(round_trip.grids) == 3
    assert import_grids(world.county_admin, again) == {"new": 0, "changed": 0}
    assert (GridBoundary.objects.count(), JournalEntry.objects.exclude(verb="area.import_grids").count()) == before


def test_the_preview_of_a_changed_file_lists_exactly_the_changes_field_by_field(world):
    import_grids(world.county_admin, plan_of(geojson_file(NEW_GRIDS), world))
    changed = [
        ("990199101201002", "甲一村东网格", NEW_GRIDS[0][2]),  # renamed
        ("990199101201003", "甲一村第3网格", square(116.0, 35.05, 0.04)),  # redrawn smaller: the far corner moves ≈ 1.44 km
    ]

    plan = plan_of(geojson_file(changed), world)

    assert [g.changes for g in plan.grids] == [
        ["名称：甲一村第2网格 → 甲一村东网格"],
        [plan.grids[1].changes[0]],
    ]
    assert plan.grids[1].changes[0].startswith("边界：面积 25,") and "最大偏移 1,43" in plan.grids[1].changes[0]
    import_grids(world.county_admin, plan)
    assert Area.objects.get(code="990199101201002").name == "甲一村东网格"
    assert GridBoundary.objects.filter(grid__code="990199101201003").count() == 2


@pytest.mark.parametrize(
    "data, filename, message",
    [
        (b"PK\x03\x04 not really a zip", "grids.zip", "文件不是有效的 zip 压缩包"),
        (b"hello", "grids.txt", "无法识别的文件格式"),
        (b'{"type": "Feature"}', "grids.geojson", "GeoJSON 应为 FeatureCollection"),
        (b"{" + b" " * (boundaries.MAX_FILE_BYTES + 1) + b"}", "grids.geojson", "文件过大：20.0 MB，上限为 20 MB"),
    ],
)
def test_bad_files_are_refused_with_a_chinese_message(world, data, filename, message):
    with pytest.raises(Rejected) as error:
        read_grid_file(data, filename, county=world.county)
    assert message in error.value.message and error.value.field == "file"


def test_a_shapefile_zip_without_its_dbf_is_refused(world):
    with pytest.raises(Rejected) as error:
        read_grid_file(shapefile_zip(NEW_GRIDS, omit=("dbf",)), "grids.zip")
    assert error.value.message.startswith("压缩包内缺少 Shapefile 的 .dbf 文件")


def test_a_damaged_shapefile_is_refused_not_a_server_error(world):
    archive = zipfile.ZipFile(io.BytesIO(shapefile_zip(NEW_GRIDS, epsg=4527)))
    files = {info.filename: archive.read(info) for info in archive.infolist()}
    files["网格/grids.shp"] = files["网格/grids.shp"][:150]  # cut short mid-record
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as out:
        for name, content in files.items():
            out.writestr(name, content)
    with pytest.raises(Rejected) as error:
        read_grid_file(damaged.getvalue(), "grids.zip")
    assert error.value.message == "Shapefile 无法读取：文件已损坏或 .shp/.shx/.dbf 不配套"


def test_a_zip_bomb_and_a_path_leaving_the_archive_are_refused_before_anything_is_inflated_whole(world, monkeypatch):
    monkeypatch.setattr(boundaries, "MAX_UNZIPPED_BYTES", 1024 * 1024)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("grids.shp", b"\0" * (8 * 1024 * 1024))
    with pytest.raises(Rejected) as error:
        read_grid_file(bomb.getvalue(), "grids.zip")
    assert "压缩包解压后过大" in error.value.message

    escaping = io.BytesIO()
    with zipfile.ZipFile(escaping, "w") as archive:
        archive.writestr("../../etc/grids.shp", b"x")
    with pytest.raises(Rejected) as error:
        read_grid_file(escaping.getvalue(), "grids.zip")
    assert "压缩包内的文件路径不安全" in error.value.message


def test_only_the_county_administrator_of_the_county_may_import(world):
    plan = plan_of(geojson_file(NEW_GRIDS), world)
    _, other_admin = make_other_county()
    for outsider in (world.dispatcher_a, other_admin):
        with pytest.raises(Forbidden):
            import_grids(outsider, plan)
    assert not Area.objects.filter(code="990199101201002").exists()
