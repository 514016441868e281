"""The fictional demo county, 青禾县: names, codes and a map whose polygons tile each other.

Codes use the province segment 99, which no real province has, so the county can never be
mistaken for a real one. The map is a jittered lattice of 12 × 8 cells: each cell is a grid,
villages are blocks of cells, townships blocks of villages, so every level tiles the one above."""

import random
from dataclasses import dataclass

COUNTY_CODE = "990121"
COUNTY_NAME = "青禾县"
WEST, SOUTH, CELL = 117.00, 35.20, 0.05
COLUMNS, ROWS = 12, 8

# Village blocks inside a township block of 6 × 4 cells: (column, row, width, height).
PATTERN_SEVEN = [(0, 0, 2, 2), (2, 0, 2, 2), (4, 0, 2, 2), (0, 2, 2, 2), (2, 2, 2, 1), (2, 3, 2, 1), (4, 2, 2, 2)]
PATTERN_EIGHT = [(0, 0, 2, 2), (2, 0, 2, 1), (2, 1, 2, 1), (4, 0, 2, 2), (0, 2, 2, 2), (2, 2, 2, 2), (4, 2, 2, 1), (4, 3, 2, 1)]


@dataclass(frozen=True)
class TownshipPlan:
    slug: str  # used in demo usernames
    segment: str  # 3-digit township code segment: 0xx 街道, 1xx 镇, 2xx 乡
    name: str
    kind: str  # town / township / subdistrict
    is_developed: bool
    origin: tuple[int, int]  # lattice cell of its south-west corner
    pattern: list
    villages: list[tuple[str, str, str]]  # (segment, name, village kind)


TOWNSHIPS = [
    TownshipPlan(
        "chengguan", "001", "城关街道", "subdistrict", False, (0, 4), PATTERN_EIGHT,
        [("001", "东关社区", "community"), ("002", "西关社区", "community"), ("003", "南关社区", "community"),
         ("004", "北关社区", "community"), ("005", "文化路社区", "community"), ("006", "人民路社区", "community"),
         ("007", "建设路社区", "community"), ("008", "滨河社区", "community")],
    ),
    TownshipPlan(
        "liuwan", "101", "柳湾镇", "town", True, (6, 4), PATTERN_EIGHT,
        [("001", "柳湾社区", "community"), ("002", "新华社区", "community"), ("201", "前柳村", "village"),
         ("202", "后柳村", "village"), ("203", "王家庄村", "village"), ("204", "李家洼村", "village"),
         ("205", "河口村", "village"), ("206", "张庄村", "village")],
    ),
    TownshipPlan(
        "dongxi", "102", "东溪镇", "town", False, (6, 0), PATTERN_SEVEN,
        [("001", "东溪社区", "community"), ("201", "上溪村", "village"), ("202", "下溪村", "village"),
         ("203", "马坊村", "village"), ("204", "杨树屯村", "village"), ("205", "石门村", "village"),
         ("206", "青山村", "village")],
    ),
    TownshipPlan(
        "shiqiao", "201", "石桥乡", "township", False, (0, 0), PATTERN_SEVEN,
        [("201", "石桥村", "village"), ("202", "大营村", "village"), ("203", "小营村", "village"),
         ("204", "南岭村", "village"), ("205", "北岭村", "village"), ("206", "沙河村", "village"),
         ("207", "桃园村", "village")],
    ),
]

# County departments: (slug, name, short name). Seed 003 §五 and 001 (二)2 name the ones stationed
# in townships (公安、司法、市场监管) and those townships call on most.
DEPARTMENTS = [
    ("gov-office", "县人民政府办公室", "县政府办"),
    ("bianban", "县委机构编制委员会办公室", "县委编办"),
    ("police", "县公安局", "公安局"),
    ("justice", "县司法局", "司法局"),
    ("finance", "县财政局", "财政局"),
    ("hrss", "县人力资源和社会保障局", "人社局"),
    ("natural-resources", "县自然资源和规划局", "自然资源局"),
    ("environment", "市生态环境局青禾分局", "生态环境分局"),
    ("housing", "县住房和城乡建设局", "住建局"),
    ("transport", "县交通运输局", "交通运输局"),
    ("water", "县水务局", "水务局"),
    ("agriculture", "县农业农村局", "农业农村局"),
    ("health", "县卫生健康局", "卫健局"),
    ("emergency", "县应急管理局", "应急局"),
    ("market", "县市场监督管理局", "市场监管局"),
    ("enforcement", "县综合行政执法局", "综合执法局"),
    ("civil-affairs", "县民政局", "民政局"),
    ("petition", "县信访局", "信访局"),
    ("data", "县政务服务和大数据管理局", "大数据局"),
]

# Stationed units in every township: (suffix, home department slug).
STATIONED = [("派出所", "police"), ("司法所", "justice"), ("市场监管所", "market"), ("自然资源所", "natural-resources")]

# Township offices and centres, within the limits of seed 000 三(一): 5–7 offices and 4–5 centres,
# for a developed town up to 8 and 6 (六(四)); seed 001 (一)1 names the offices every township keeps.
OFFICES = ["党政办公室", "农业农村办公室", "社会事务办公室", "经济发展办公室", "社会治理办公室"]
SUBDISTRICT_OFFICES = ["党政办公室", "社区建设办公室", "社会事务办公室", "经济发展办公室", "社会治理办公室", "城市管理办公室"]
DEVELOPED_OFFICES = OFFICES + ["政务服务局", "综合行政执法局"]
CENTRES = ["便民服务中心", "综合执法队", "社会治理综合指挥中心", "农业综合服务中心", "和为贵社会治理服务中心"]
DEVELOPED_CENTRES = ["党群服务中心", "社会治理综合指挥中心", "农业综合服务中心", "和为贵社会治理服务中心", "文化旅游服务中心"]
# The units that run the one-window hall (kind service_centre): in the developed town its
# 政务服务局, the "专门审批服务机构" of seed 001 (一)2, takes the 便民服务中心's place.
SERVICE_CENTRES = {"便民服务中心", "政务服务局"}


class Lattice:
    """Lattice points with a fixed jitter, shared by neighbouring cells so polygons tile."""

    def __init__(self, seed: int = 20261123):
        rng = random.Random(seed)
        self.points = {
            (i, j): (
                round(WEST + i * CELL + rng.uniform(-0.3, 0.3) * CELL, 6),
                round(SOUTH + j * CELL + rng.uniform(-0.3, 0.3) * CELL, 6),
            )
            for i in range(COLUMNS + 1)
            for j in range(ROWS + 1)
        }

    def block(self, column: int, row: int, width: int, height: int) -> dict:
        """The polygon around a block of cells, counter-clockwise (GeoJSON right-hand rule)."""
        ring = [self.points[(i, row)] for i in range(column, column + width)]
        ring += [self.points[(column + width, j)] for j in range(row, row + height)]
        ring += [self.points[(i, row + height)] for i in range(column + width, column, -1)]
        ring += [self.points[(column, j)] for j in range(row + height, row, -1)]
        ring.append(ring[0])
        return {"type": "Polygon", "coordinates": [[list(point) for point in ring]]}


SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强海燕红梅玉兰晓东春燕立新宏伟文博子涵浩然欣怡雨桐宇轩梓萱一鸣思远嘉怡俊杰佳琪"


def person_name(index: int) -> str:
    surname = SURNAMES[(index * 7) % len(SURNAMES)]
    first = GIVEN[(index * 13) % len(GIVEN)]
    second = GIVEN[(index * 29 + 3) % len(GIVEN)] if index % 3 else ""
    return surname + first + second
