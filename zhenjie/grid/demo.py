"""The grid's share of the demo county: who covers which grid (with some history and workers who
cover two grids), registers in every grid, key populations of every kind with a year of visits
(some now overdue), and patrols with tracks inside their grids.

Everything goes through the grid's actions, as a township would enter it: the dispatcher sets
the leads, each lead worker registers their grid and keeps its ledgers (paper ledgers of the
past year entered with import_visits, the latest visit recorded one by one, some with a photo).
Each step is idempotent and skipped when its rows exist. Every ID number and credit code is
fictional (address code 990121, province 99) and passes its checksum."""

import io
import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from zhenjie.accounts.models import Coverage, User
from zhenjie.areas import geo
from zhenjie.areas.models import Area
from zhenjie.demo import county as plan
from zhenjie.kernel.pii import CREDIT_CODE_CHARACTERS, citizen_id_check_character, credit_code_check_character
from zhenjie.kernel.scoping import unscoped

from . import actions
from .models import KeyPerson, Patrol, Resident, Visit
from .populations import Kind
from .rules import current_rules

SEED = 20261124
DEMO = "the demo builds the whole county"  # why its reads cross every jurisdiction (kernel.scoping.unscoped)


def build_grid(progress) -> None:
    rng = random.Random(SEED)
    townships = list(Area.objects.filter(level="township", code__startswith=plan.COUNTY_CODE).order_by("path"))
    if not townships:
        return
    users = {u.username: u for u in User.objects.filter(username__contains=".")}
    build_coverage(progress, townships, users)
    build_registers(progress, rng)
    build_ledgers(progress, rng)
    build_visits(progress, rng)
    build_visit_tasks(progress)
    build_patrols(progress, rng)


def _slug(township: Area) -> str:
    return next(t.slug for t in plan.TOWNSHIPS if township.code.startswith(f"{plan.COUNTY_CODE}{t.segment}"))


def _grids_of(township: Area) -> list[Area]:
    return list(Area.objects.filter(level="grid", path__startswith=township.path).select_related("parent").order_by("path"))


def _at_noon(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


# ---- who covers which grid ----------------------------------------------------------------------


def build_coverage(progress, townships, users) -> None:
    if unscoped(Coverage, why=DEMO).exists():
        progress.step("网格员分工", 1).finish("已存在，跳过")
        return
    today = timezone.localdate()
    year_ago, half_year_ago = _at_noon(today - timedelta(days=380)), _at_noon(today - timedelta(days=180))
    grids_total = sum(len(_grids_of(t)) for t in townships)
    with progress.step("网格员分工", grids_total) as step, transaction.atomic():
        for township in townships:
            slug = _slug(township)
            dispatcher = users[f"{slug}.dispatcher"]
            grids = _grids_of(township)
            workers = [users[f"{slug}.grid{n:02d}"] for n in range(1, len(grids) + 1)]
            for index, (grid, worker) in enumerate(zip(grids, workers)):
                if index == 2:
                    # History: grid 3 was covered by grid 4's worker until its own worker came.
                    first = actions.set_lead_worker(dispatcher, grid, workers[3], expected_lead=None, at=year_ago, note="新网格员到岗前临时负责")
                    actions.set_lead_worker(dispatcher, grid, worker, expected_lead=first.pk, at=half_year_ago, note="专职网格员到岗")
                else:
                    actions.set_lead_worker(dispatcher, grid, worker, expected_lead=None, at=year_ago)
                step.advance()
            # A few workers also help a neighbouring grid: one worker, two grids.
            for helper, grid in ((0, 1), (4, 5)):
                if len(grids) > grid:
                    actions.add_helper(dispatcher, grids[grid], workers[helper], at=half_year_ago, note="相邻网格协助")


# ---- registers ----------------------------------------------------------------------------------

HOUSEHOLDS_PER_GRID = 5
HOUSEHOLD_PATTERN = [1, 2, 0, 2, 2]  # per grid: one family with children, one very old person alone, three couples
GIVEN_MALE = "建国志强海军立新宏伟文博浩然俊杰永庆德胜春生长明"
GIVEN_FEMALE = "秀英桂英玉兰春燕海燕红梅丽娟欣怡雨桐梓萱佳琪淑芬"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏"
STREETS = ["东街", "西街", "南街", "北街", "中心路", "幸福路", "和平路"]
SHOPS = [
    ("{v}便民超市", "individual", "92"), ("{v}农资经营部", "individual", "92"), ("青禾县{v}种植专业合作社", "enterprise", "93"),
    ("{v}卫生室", "medical", "52"), ("{v}幼儿园", "school", "52"), ("青禾县{v}建材有限公司", "enterprise", "91"),
    ("{v}老年幸福院", "social", "52"), ("{v}餐馆", "individual", "92"),
]


class People:
    """Fictional names and ID numbers, unique across the county (sequence numbers never repeat)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.serial = 0

    def name(self, male: bool, surname: str | None = None) -> str:
        given = GIVEN_MALE if male else GIVEN_FEMALE
        start = self.rng.randrange(0, len(given) // 2) * 2
        return (surname or self.rng.choice(SURNAMES)) + given[start : start + 2]

    def id_number(self, born: date, male: bool) -> str:
        self.serial += 1
        sequence = (self.serial * 2 + (1 if male else 0)) % 1000
        body = f"{plan.COUNTY_CODE}{born:%Y%m%d}{sequence:03d}"
        return body + citizen_id_check_character(body)

    def phone(self) -> str:
        return "1" + self.rng.choice("3578") + "".join(self.rng.choice("0123456789") for _ in range(9))


def _address(grid: Area, index: int) -> str:
    village = grid.parent
    number = int(grid.code[-3:])
    if village.village_kind == Area.VillageKind.COMMUNITY:
        return f"{village.name.removesuffix('社区')}{STREETS[(number + index) % len(STREETS)]}{10 + index * 7 + number}号"
    return f"{village.name}{number}组{index + 1}号"


def _credit_code(prefix: str, serial: int) -> str:
    body_serial = ""
    n = serial * 7919 + 104729
    for _ in range(9):
        body_serial = CREDIT_CODE_CHARACTERS[n % 31] + body_serial
        n //= 31
    body = f"{prefix}{plan.COUNTY_CODE}{body_serial}"
    return body + credit_code_check_character(body)


def _household(people: People, today: date, kind: int) -> list[dict]:
    """One household: an elderly person alone, a family with children, or a couple."""
    rng = people.rng
    surname = rng.choice(SURNAMES)
    if kind == 0:  # very old and living alone
        male = rng.random() < 0.4
        born = date(rng.randint(1934, 1944), rng.randint(1, 12), rng.randint(1, 28))
        return [{"name": people.name(male, surname), "born": born, "male": male}]
    members = []
    for male in (True, False):
        born = date(rng.randint(1968, 1992), rng.randint(1, 12), rng.randint(1, 28))
        members.append({"name": people.name(male, surname if male else None), "born": born, "male": male, "phone": people.phone()})
    if kind == 1:  # a family with children and a grandparent looking after them
        for _ in range(rng.randint(1, 2)):
            male = rng.random() < 0.5
            members.append({"name": people.name(male, surname), "born": date(rng.randint(today.year - 14, today.year - 5), rng.randint(1, 12), rng.randint(1, 28)), "male": male})
        members.append({"name": people.name(False), "born": date(rng.randint(1950, 1960), rng.randint(1, 12), rng.randint(1, 28)), "male": False})
    return members


def build_registers(progress, rng: random.Random) -> None:
    if unscoped(Resident, why=DEMO).exists():
        progress.step("网格登记", 1).finish("已存在，跳过")
        return
    today = timezone.localdate()
    people = People(rng)
    grids = list(Area.objects.filter(level="grid", code__startswith=plan.COUNTY_CODE).select_related("parent").order_by("path"))
    leads = {c.grid_id: c.worker for c in unscoped(Coverage, why=DEMO).filter(is_lead=True, ended_at__isnull=True).select_related("worker")}
    shop_serial = 0
    with progress.step("网格登记", len(grids)) as step, transaction.atomic():
        for grid in grids:
            worker = leads[grid.pk]
            spots = [geo.random_point_in(grid.boundary, rng) for _ in range(HOUSEHOLDS_PER_GRID + 1)]
            buildings = actions.import_buildings(worker, grid, [
                {
                    "address": _address(grid, i),
                    "kind": "commercial" if grid.parent.village_kind == Area.VillageKind.COMMUNITY and i % 3 else ("shop" if i == HOUSEHOLDS_PER_GRID else "self_built"),
                    "use": "business" if i == HOUSEHOLDS_PER_GRID else rng.choice(["own", "own", "own", "rented"]),
                    "floors": rng.choice([1, 2, 2, 3]) if grid.parent.village_kind == Area.VillageKind.VILLAGE else rng.choice([6, 11, 18]),
                    "safety": "dangerous" if rng.random() < 0.04 else ("hazard" if rng.random() < 0.1 else "safe"),
                    "owner_name": people.name(True),
                    "owner_phone": people.phone(),
                    "lng": spots[i][0],
                    "lat": spots[i][1],
                }
                for i in range(HOUSEHOLDS_PER_GRID + 1)
            ])
            rows = []
            for i in range(HOUSEHOLDS_PER_GRID):
                for member in _household(people, today, kind=HOUSEHOLD_PATTERN[i]):
                    rows.append({
                        "name": member["name"], "id_number": people.id_number(member["born"], member["male"]),
                        "phone": member.get("phone", ""), "residence_kind": "floating" if rng.random() < 0.08 else "registered",
                        "building": buildings[i],
                    })
            actions.import_residents(worker, grid, rows)
            organisations = []
            for j in range(2):
                name, kind, prefix = SHOPS[(shop_serial + j) % len(SHOPS)]
                shop_serial += 1
                organisations.append({
                    "name": name.format(v=grid.parent.name.removesuffix("社区").removesuffix("村")) + (f"{grid.code[-2:]}分店" if kind == "individual" else ""),
                    "kind": kind, "credit_code": _credit_code(prefix, shop_serial), "building": buildings[HOUSEHOLDS_PER_GRID] if j == 0 else None,
                    "address": "" if j == 0 else _address(grid, 20 + j), "contact_name": people.name(rng.random() < 0.5), "contact_phone": people.phone(),
                    "employees": rng.randint(1, 30), "is_key_site": kind in ("school", "social") or rng.random() < 0.15,
                })
            actions.import_organisations(worker, grid, organisations)
            step.advance()


# ---- key populations and their visits -----------------------------------------------------------

FINDINGS = {
    Kind.SUBSISTENCE: ["家庭收入无明显变化，低保金按月到账。", "了解到家中一人外出务工，提醒如实申报收入变化。", "住房漏雨，已联系村委会协助维修。"],
    Kind.EXTREME_POVERTY: ["身体状况稳定，生活物资充足，供养金按时发放。", "冬季取暖设施检查正常，已提醒注意用火安全。", "反映腿脚不便，已联系卫生室上门随访。"],
    Kind.LEFT_BEHIND_CHILD: ["祖辈监护正常，在校表现良好，与父母每周视频通话。", "学习成绩下降，已与班主任沟通加强关注。", "提醒监护人注意防溺水安全。"],
    Kind.CHILD_IN_DIFFICULTY: ["生活、就学保障到位，已落实基本生活补贴。", "康复训练按计划进行，家长反映交通不便。", "监护人身体欠佳，已报村儿童主任跟进。"],
    Kind.ELDERLY_ALONE: ["老人精神状态良好，饮食正常，室内整洁。", "老人感冒，已联系村医上门，叮嘱按时服药。", "检查燃气和电器使用安全，更换了老化插座。", "老人反映想念子女，已联系其子女增加探望。"],
    Kind.ENTITLED: ["优待抚恤金按时足额发放，生活稳定。", "走访慰问，送去慰问品，了解就医需求。"],
    Kind.DISABLED: ["两项补贴按时发放，辅具使用正常。", "反映轮椅损坏，已协助向残联申请更换。", "康复情况良好，家属照料到位。"],
}
PARTICULARS = {
    Kind.SUBSISTENCE: lambda rng, i: {"certificate_number": f"青低保{2024 + i % 2}{i:05d}", "household_size": rng.randint(1, 4), "monthly_amount": rng.choice([420, 560, 780, 960])},
    Kind.EXTREME_POVERTY: lambda rng, i: {"support_mode": rng.choice(["分散供养", "分散供养", "集中供养"]), "self_care": rng.choice(["完全自理", "部分失能"])},
    Kind.LEFT_BEHIND_CHILD: lambda rng, i: {"guardianship": "祖辈监护", "parents_working_in": rng.choice(["浙江宁波", "江苏苏州", "广东东莞", "北京"]), "school": "青禾县实验小学"},
    Kind.CHILD_IN_DIFFICULTY: lambda rng, i: {"difficulty": rng.choice(["家庭贫困", "自身残疾", "监护缺失或不当"]), "school": "青禾县第二小学"},
    Kind.ELDERLY_ALONE: lambda rng, i: {"health": rng.choice(["基本健康", "高血压", "行动不便"]), "helper": "村网格员"},
    Kind.ENTITLED: lambda rng, i: {"category": rng.choice(["在乡复员军人", "烈士遗属", "带病回乡退伍军人"]), "certificate_number": f"青优{i:05d}"},
    Kind.DISABLED: lambda rng, i: {"disability_type": rng.choice(["肢体", "视力", "听力", "智力"]), "disability_grade": rng.choice(["二级", "三级", "四级"]), "certificate_number": f"99012119{i:08d}"},
}


def _kinds_for(resident: Resident, today: date, rng: random.Random) -> list[str]:
    age = today.year - resident.birth_date.year - ((today.month, today.day) < (resident.birth_date.month, resident.birth_date.day))
    if age >= 80:
        if rng.random() < 0.5:
            return [Kind.ELDERLY_ALONE] + ([Kind.EXTREME_POVERTY] if rng.random() < 0.3 else [])
        return []
    if age < 16:
        roll = rng.random()
        return [Kind.LEFT_BEHIND_CHILD] if roll < 0.4 else ([Kind.CHILD_IN_DIFFICULTY] if roll < 0.55 else [])
    if age < 18:
        return [Kind.CHILD_IN_DIFFICULTY] if rng.random() < 0.2 else []
    roll = rng.random()
    if roll < 0.06:
        return [Kind.SUBSISTENCE]
    if roll < 0.10:
        return [Kind.DISABLED]
    if roll < 0.12 and age >= 55:
        return [Kind.ENTITLED]
    return []


def people_contact(kind: str, rng: random.Random) -> str:
    if kind in (Kind.ELDERLY_ALONE, Kind.LEFT_BEHIND_CHILD, Kind.CHILD_IN_DIFFICULTY):
        return rng.choice(SURNAMES) + rng.choice(["建国", "秀英", "海军", "桂英", "志强"])
    return ""


def build_ledgers(progress, rng: random.Random) -> None:
    if unscoped(KeyPerson, why=DEMO).exists():
        progress.step("重点人群台账", 1).finish("已存在，跳过")
        return
    today = timezone.localdate()
    leads = {c.grid_id: c.worker for c in unscoped(Coverage, why=DEMO).filter(is_lead=True, ended_at__isnull=True).select_related("worker")}
    residents = list(unscoped(Resident, why=DEMO).filter(grid__code__startswith=plan.COUNTY_CODE).select_related("grid").order_by("pk"))
    serial = 0
    with progress.step("重点人群台账", len(residents)) as step, transaction.atomic():
        for resident in residents:
            for kind in _kinds_for(resident, today, rng):
                serial += 1
                actions.add_key_person(
                    leads[resident.grid_id], resident, kind=kind, since=today - timedelta(days=rng.randint(370, 420)),
                    particulars=PARTICULARS[kind](rng, serial),
                    contact_name=people_contact(kind, rng), contact_relation="子女" if kind == Kind.ELDERLY_ALONE else ("祖母" if kind == Kind.LEFT_BEHIND_CHILD else ""),
                )
            step.advance()
        # Every kind appears at least once, whatever the dice said.
        present = set(unscoped(KeyPerson, why=DEMO).values_list("kind", flat=True))
        adults = [r for r in residents if today.year - r.birth_date.year >= 30]
        for kind in sorted(set(Kind.values) - present):
            resident = next(r for r in adults if not unscoped(KeyPerson, why=DEMO).filter(resident=r).exists())
            serial += 1
            actions.add_key_person(leads[resident.grid_id], resident, kind=kind, since=today - timedelta(days=400), particulars=PARTICULARS[kind](rng, serial))


def _photo(index: int) -> tuple[bytes, str]:
    """A small generated picture standing in for a visit photo (stored once by its hash)."""
    colours = [(190, 215, 190), (205, 190, 170), (180, 200, 225), (230, 215, 180)]
    image = Image.new("RGB", (320, 240), colours[index % len(colours)])
    draw = ImageDraw.Draw(image)
    draw.rectangle([60, 90, 260, 210], outline=(90, 90, 90), width=4)
    draw.polygon([(50, 95), (160, 30), (270, 95)], outline=(120, 60, 40), fill=(170, 90, 60))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return buffer.getvalue(), f"走访照片{index + 1}.jpg"


def build_visits(progress, rng: random.Random) -> None:
    """A year of visits at roughly each kind's interval; about one person in seven was last seen
    too long ago and is now overdue."""
    if unscoped(Visit, why=DEMO).exists():
        progress.step("走访记录", 1).finish("已存在，跳过")
        return
    today = timezone.localdate()
    now = timezone.now()
    rules = current_rules(plan.COUNTY_CODE)
    leads = {c.grid_id: c.worker for c in unscoped(Coverage, why=DEMO).filter(is_lead=True, ended_at__isnull=True).select_related("worker")}
    persons = list(unscoped(KeyPerson, why=DEMO).filter(ended_on__isnull=True).select_related("grid", "resident").order_by("pk"))
    photos = [_photo(i) for i in range(4)]
    with progress.step("走访记录", len(persons)) as step, transaction.atomic():
        for index, person in enumerate(persons):
            worker = leads[person.grid_id]
            interval = rules[person.kind].visit_interval_days
            lapsed = rng.random() < 0.15
            stop = today - timedelta(days=interval + rng.randint(3, 40)) if lapsed else today
            days, day = [], person.since + timedelta(days=rng.randint(1, max(1, interval // 2)))
            while day <= stop:
                days.append(day)
                day += timedelta(days=max(1, interval - rng.randint(0, max(1, interval // 5))))
            if not days:
                step.advance()
                continue
            moments = [min(_at_noon(d, rng.randint(8, 17)), now - timedelta(minutes=5)) for d in days]
            texts = FINDINGS[person.kind]
            entries = [
                {"situation": "attention" if rng.random() < 0.12 else "normal", "findings": rng.choice(texts), "visited_at": moment}
                for moment in moments
            ]
            with_photo = index % 4 == 0
            if with_photo:
                # The latest visit recorded on the spot, with its photo and position.
                latest = entries.pop()
                if entries:
                    actions.import_visits(worker, person, entries)
                lng, lat = geo.random_point_in(person.grid.boundary, rng, 0.01)
                actions.record_visit(worker, person, situation=latest["situation"], findings=latest["findings"], visited_at=latest["visited_at"], lng=lng, lat=lat, photo=photos[index % 4])
            else:
                actions.import_visits(worker, person, entries)
            step.advance()


def build_visit_tasks(progress) -> None:
    """The nightly job once: the overdue people's visits in their grid workers' inboxes (issue 14
    item 5). Idempotent, like the job."""
    from .actions.visitwork import create_due_visit_tasks

    with progress.step("走访任务", 1) as step:
        create_due_visit_tasks()
        step.advance()


# ---- patrols ------------------------------------------------------------------------------------

PATROLS_PER_WORKER = 2
PATROL_NOTES = [
    ("巡查网格一遍，道路畅通，未发现异常。", []),
    ("巡查主要道路和河道，发现问题已记录。", [("村东河道有垃圾漂浮，需清理", True)]),
    ("重点查看危房和独居老人住处，情况正常。", [("一处房屋外墙开裂，已提醒住户注意", False)]),
    ("夜间巡查，路灯一处不亮。", [("中心路路灯不亮，影响夜间出行", True)]),
]


def _walk(grid: Area, rng: random.Random, steps: int) -> list[tuple[float, float]]:
    point = geo.random_point_in(grid.boundary, rng, 0.01)
    track = [point]
    for _ in range(steps):
        for _attempt in range(10):
            lng, lat = point[0] + rng.uniform(-0.0015, 0.0015), point[1] + rng.uniform(-0.0015, 0.0015)
            if geo.contains_point(grid.boundary, lng, lat):
                point = (round(lng, 6), round(lat, 6))
                break
        track.append(point)
    return track


def build_patrols(progress, rng: random.Random) -> None:
    if unscoped(Patrol, why=DEMO).exists():
        progress.step("巡查记录", 1).finish("已存在，跳过")
        return
    today = timezone.localdate()
    leads = list(unscoped(Coverage, why=DEMO).filter(is_lead=True, ended_at__isnull=True).select_related("worker", "grid").order_by("grid__path"))
    with progress.step("巡查记录", len(leads) * PATROLS_PER_WORKER) as step, transaction.atomic():
        for coverage in leads:
            worker, grid = coverage.worker, coverage.grid
            for n in range(PATROLS_PER_WORKER):
                start = _at_noon(today - timedelta(days=3 + n * 9 + rng.randint(0, 5)), rng.choice([8, 9, 14, 15, 19]))
                track = _walk(grid, rng, rng.randint(18, 30))
                minutes = rng.randint(40, 110)
                step_seconds = minutes * 60 // len(track)
                summary, findings = PATROL_NOTES[(n + int(grid.code[-3:])) % len(PATROL_NOTES)]
                mid = track[len(track) // 2]
                # Entered as a phone would upload a patrol walked without signal: one action.
                actions.upload_patrol(
                    worker, grid, started_at=start, ended_at=start + timedelta(minutes=minutes), summary=summary,
                    positions=[
                        {"lng": lng, "lat": lat, "at": start + timedelta(seconds=step_seconds * i), "accuracy": rng.choice([5, 8, 12, 20])}
                        for i, (lng, lat) in enumerate(track)
                    ],
                    findings=[{"description": text, "needs_handling": urgent, "lng": mid[0], "lat": mid[1]} for text, urgent in findings],
                )
                step.advance()
