"""A year of the demo county's events (issue 5 item 10): about 20,000 from every channel and
category, each living the life the command centre gives it — registered or rejected, merged when
it repeats one nearby, dispatched where the lists say, acknowledged, handled (some paused, some
late, some with more time approved by a leader), checked on the spot (some failing once), closed
and rated — with 乡呼县应 calls to county departments, some answered late.

Each life is drawn in full from its report onwards and cut at the present moment, so the events
of the last hours and days are still open in whichever state they have reached, as they would
be; a few older ones stalled and are now overdue. The lives go into the kernel through
kernel.history.replay (the workflow's own transitions, assignments, deadlines, numbering and
hash-chained journal, in bulk). Routing reads the demo lists exactly as dispatch_event does. Then
the supervision sweep and the early warning run over what is open, as they would have.

Deterministic for a given seed and moment; idempotent: skipped when the county has events."""

import io
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from zhenjie.accounts.models import Post, User
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas import geo
from zhenjie.areas.models import Area
from zhenjie.areas.paths import township_path
from zhenjie.calls.models import Call
from zhenjie.calls.workflow import CALL
from zhenjie.demo import county as plan
from zhenjie.kernel import attachments, deadlines, history, intake, supervision
from zhenjie.kernel.assignments import Assign
from zhenjie.kernel.deadlines import Limit
from zhenjie.kernel.history import PastCase, Step
from zhenjie.kernel.models import Case, DeadlineUnit, Extension
from zhenjie.kernel.rating import GRADES
from zhenjie.kernel.scoping import unscoped
from zhenjie.units.models import Unit

from . import daily, early_warning, routing
from .intake import RECEPTION, REPORTER_PHONE_CONTEXT, command_unit_for
from .models import Category, Channel, EarlyWarning, Event
from .workflow import EVENT, EventState

SEED = 20261125
DEMO = "the demo builds the whole county"  # why its reads cross every jurisdiction (kernel.scoping.unscoped)
DEFAULT_EVENTS = 20_000
CHUNK = 1000
TO_DISPATCH = timedelta(hours=2)  # as actions._to_dispatchers gives the command centre
REPEAT_SHARE = 0.04  # reports that repeat the one before (same grid, same category): merge candidates
WAITING_TO_BE_SIGNED = timedelta(hours=4)  # dispatched reports younger than this are not acknowledged yet

CHANNEL_WEIGHTS = {Channel.GRID: 46, Channel.HOTLINE: 24, Channel.CITIZEN: 12, Channel.VIDEO: 6, Channel.WALK_IN: 6, Channel.DEPARTMENT: 4, Channel.OPEN311: 2}
TOWNSHIP_WEIGHTS = {"chengguan": 32, "liuwan": 30, "dongxi": 22, "shiqiao": 16}

# Category weight by month (1–12): fires and straw burning in the dry seasons, rivers in the
# flood season, noise and vending in summer evenings.
SEASONS = {
    "forest_fire": [9, 9, 10, 12, 3, 1, 1, 1, 2, 6, 9, 10],
    "straw_burning": [1, 1, 2, 3, 3, 12, 4, 1, 3, 10, 6, 1],
    "river_lake": [2, 2, 3, 4, 6, 9, 12, 12, 6, 3, 2, 2],
    "noise": [3, 3, 4, 5, 6, 8, 9, 9, 6, 4, 3, 3],
    "street_vending": [5, 5, 7, 8, 9, 10, 10, 10, 9, 8, 6, 5],
    "gas_safety": [6, 5, 3, 2, 1, 1, 1, 1, 1, 2, 5, 6],
}
BASE_WEIGHTS = {
    "sanitation": 18, "illegal_construction": 9, "street_vending": 8, "safety_hazard": 7, "gas_safety": 3, "dispute": 9,
    "road_facility": 8, "river_lake": 5, "forest_fire": 3, "noise": 5, "pollution": 4, "food_safety": 3,
    "public_security": 4, "farmland": 4, "straw_burning": 2, "other": 5,
}

DESCRIPTIONS = {
    "sanitation": ["{p}垃圾桶满溢多日未清运，周边有异味", "{p}路边堆放建筑垃圾和生活垃圾", "{p}公厕损坏无人保洁", "{p}沟渠内漂浮大量垃圾"],
    "illegal_construction": ["{p}有农户未经审批加盖二层彩钢房", "{p}院外私搭乱建简易棚", "{p}疑似在耕地上新建房屋地基", "{p}沿街商户违规搭建雨棚"],
    "street_vending": ["{p}流动摊贩占用人行道经营", "{p}早市摊位占道至机动车道", "{p}水果摊占道经营影响通行", "{p}夜市烧烤摊占道经营"],
    "safety_hazard": ["{p}电线杆倾斜，电线下垂", "{p}废弃厂房围墙开裂有倒塌危险", "{p}路边窨井盖缺失", "{p}民房屋顶瓦片松动，临街有坠落风险"],
    "gas_safety": ["{p}餐馆液化气瓶放置在后厨通道", "{p}居民反映楼道有燃气异味", "{p}小吃店未安装燃气泄漏报警器"],
    "dispute": ["{p}两户村民因宅基地界址发生争执", "{p}邻里因排水问题多次争吵", "{p}租户与房东因押金退还发生纠纷", "{p}村民反映土地流转费用未按时兑付"],
    "road_facility": ["{p}路面塌陷形成大坑", "{p}路灯连续多晚不亮", "{p}桥梁护栏损坏", "{p}交通标志牌被撞倒"],
    "river_lake": ["{p}河道内有人私自采砂", "{p}河边倾倒垃圾", "{p}坑塘水面漂浮死鱼", "{p}河道堤坡有垮塌迹象"],
    "forest_fire": ["{p}林地边有人焚烧杂草", "{p}山脚坟地有上坟烧纸现象", "{p}林区发现烟点"],
    "noise": ["{p}广场舞音响音量过大持续到深夜", "{p}工地夜间施工噪声扰民", "{p}商户门口大功率音箱招揽顾客"],
    "pollution": ["{p}小作坊向沟渠排放污水", "{p}露天焚烧废旧轮胎冒黑烟", "{p}养殖场粪污直排"],
    "food_safety": ["{p}小饭馆后厨卫生条件差", "{p}流动摊点销售无标签散装食品", "{p}学校周边小卖部出售过期食品"],
    "public_security": ["{p}夜间有可疑人员在车辆旁徘徊", "{p}出租屋人员频繁更换未登记", "{p}路口监控损坏"],
    "farmland": ["{p}耕地内堆放砂石料", "{p}有人在基本农田挖塘", "{p}耕地撂荒面积较大"],
    "straw_burning": ["{p}田间焚烧秸秆", "{p}地头发现秸秆焚烧痕迹"],
    "other": ["{p}村民咨询养老保险补缴政策", "{p}流浪犬伤人隐患", "{p}公共健身器材损坏"],
}
RESULTS = [
    "已到现场处置，问题已整改到位，拍照留存。", "已责令当事人限期整改，复查已整改完毕。", "已协调相关单位清理完毕，建立长效管护机制。",
    "已约谈当事人，当场整改，纳入日常巡查。", "经现场核实并处理，已向反映人反馈处理结果。",
]
REJECT_REASONS = ["经核实，该问题不属于政府职责范围，已告知反映人通过司法途径解决", "反映内容不具体，无法核实，已电话告知反映人补充", "经核实，问题已自行解决"]
RETURN_REASONS = ["该问题不属于本单位职责，请重新派遣", "事发地点不在本单位辖区，请核实后改派"]
PAUSE_REASONS = ["等待供电公司抢修", "当事人外出，待其返回后处理", "等待第三方鉴定结论"]
FAIL_NOTES = ["现场核查发现问题仍未彻底整改，请继续处置", "垃圾已清运但周边仍有残留，请再次清理"]
PASS_NOTES = ["现场核查已整改到位", "经回访群众满意，核查通过"]
RATE_COMMENTS = {5: "处理及时，非常满意", 4: "问题解决了，满意", 3: "基本解决", 2: "处理时间太长", 1: "问题没有解决"}
CALL_DEPARTMENTS = {
    "illegal_construction": ["natural-resources", "housing", "enforcement"], "farmland": ["natural-resources", "agriculture"],
    "forest_fire": ["emergency", "natural-resources"], "food_safety": ["market", "health"], "public_security": ["police"],
    "dispute": ["justice", "petition"], "other": ["civil-affairs", "transport", "water"],
}
CALL_REQUESTS = ["请派员到现场联合执法，依法处置", "请提供专业技术支持并出具处理意见", "请依职责立案查处并反馈结果", "请协助调查取证，明确责任主体"]
CALL_RESULTS = ["已派员到场联合处置，已依法立案查处", "已出具专业意见并指导乡镇落实整改", "已完成调查，责任主体已明确并责令整改"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董"


@dataclass
class Township:
    area: Area
    slug: str
    command: Unit
    government: Unit
    dispatcher: User
    leader: User
    window: User
    window_unit: Unit
    grids: list[Area]


@dataclass
class Life:
    """One event's drawn life: the past case, its Event row, and what hangs on it."""

    past: PastCase
    event: Event
    merge_into: "Life | None" = None
    calls: list[tuple[PastCase, Call]] = field(default_factory=list)
    extension: tuple[Extension, datetime, User] | None = None  # the request, when it was decided and by whom
    on_grid: bool = False  # placed by a position inside a grid (else a hotline order naming a village)


class World:
    """Everyone and everything a life draws on, read once."""

    def __init__(self, county: Area):
        self.county = county
        users = {u.username: u for u in User.objects.filter(username__contains=".")}
        self.citizen = User.objects.filter(username="citizen.demo").first()
        self.townships = []
        for t in plan.TOWNSHIPS:
            area = Area.objects.get(code=f"{plan.COUNTY_CODE}{t.segment}000")
            window = users[f"{t.slug}.window"]
            self.townships.append(Township(
                area, t.slug, command_unit_for(area), Unit.objects.get(area=area, kind=Unit.Kind.TOWNSHIP_GOVERNMENT),
                users[f"{t.slug}.dispatcher"], users[f"{t.slug}.leader"], window,
                Post.objects.filter(user=window, is_active=True).select_related("unit").first().unit,
                list(Area.objects.filter(level="grid", path__startswith=area.path).select_related("parent").order_by("path")),
            ))
        self.categories = {c.code: c for c in Category.objects.filter(is_active=True)}
        self.departments = {slug: Unit.objects.get(area=county, name=name) for slug, name, _ in plan.DEPARTMENTS}
        self.liaisons = {slug: users.get(f"dept.{slug}") for slug in self.departments}
        self.grid_workers = {
            post.jurisdiction_id: (post.user, post.unit)
            for post in Post.objects.filter(is_active=True, roles__code=R.GRID_WORKER, jurisdiction__level="grid").select_related("user", "unit")
        }
        self.village_units = {u.area_id: u for u in Unit.objects.filter(kind=Unit.Kind.VILLAGE_COMMITTEE, area__path__startswith=county.path)}
        self._routes: dict = {}
        self._staff: dict = {}

    def route(self, category: Category, township: Township):
        key = (category.code, township.slug)
        if key not in self._routes:
            self._routes[key] = routing.route(category, township.area)
        return self._routes[key]

    def someone_in(self, unit: Unit) -> User | None:
        if unit.pk not in self._staff:
            self._staff[unit.pk] = User.objects.filter(posts__unit=unit, posts__is_active=True).order_by("pk").first()
        return self._staff[unit.pk]


class Drawer:
    """Draws lives. `now` cuts them; `rng` makes them the same on every run."""

    def __init__(self, world: World, rng: random.Random, now: datetime):
        self.world, self.rng, self.now = world, rng, now
        self.recent: dict[tuple, Life] = {}  # (grid, category) → its latest life, for duplicates
        self.latest: tuple | None = None  # (township, grid, category) of the last report drawn
        self.hotline_serial = 0

    # ---- the report -----------------------------------------------------------------------

    def moments(self, count: int) -> list[datetime]:
        """Report times over the past year: fewer at weekends and at night."""
        rng, start = self.rng, self.now - timedelta(days=365)
        found = []
        while len(found) < count:
            at = start + timedelta(seconds=rng.uniform(0, 365 * 86400))
            local = timezone.localtime(at)
            weight = (0.65 if local.weekday() >= 5 else 1.0) * (1.0 if 7 <= local.hour < 21 else 0.15)
            if rng.random() < weight:
                found.append(at)
        found = sorted(found)
        # Whatever the hour the demo is built, the command centre has the last hours' reports
        # still waiting at their first steps.
        fresh = [self.now - timedelta(minutes=m) for m in (6, 18, 35, 55, 80, 130, 200)]
        return sorted(found[: max(0, count - len(fresh))] + fresh[: count])

    def category(self, at: datetime) -> Category:
        month = timezone.localtime(at).month
        codes = [code for code in BASE_WEIGHTS if code in self.world.categories]
        weights = [BASE_WEIGHTS[code] * SEASONS.get(code, [5] * 12)[month - 1] / 5 for code in codes]
        return self.world.categories[self.rng.choices(codes, weights)[0]]

    def draw(self, at: datetime) -> Life | None:
        rng, world = self.rng, self.world
        if self.latest is not None and rng.random() < REPEAT_SHARE:
            # A neighbour reports what was just reported: the command centre merges such repeats,
            # and every demo size, however small, has some to merge.
            township, grid, category = self.latest
        else:
            township = rng.choices(world.townships, [TOWNSHIP_WEIGHTS.get(t.slug, 10) for t in world.townships])[0]
            grid = rng.choice(township.grids)
            category = self.category(at)
        self.latest = (township, grid, category)
        village = grid.parent
        channel = rng.choices(list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values()))[0]
        worker, worker_unit = world.grid_workers.get(grid.pk, (None, None))
        if channel == Channel.GRID and worker is None:
            channel = Channel.CITIZEN
        lng, lat = geo.random_point_in(grid.boundary, rng)
        area = grid
        place = f"{village.name}{int(grid.code[-3:])}组" if village.village_kind == Area.VillageKind.VILLAGE else f"{village.name}{grid.name[-4:]}"
        if channel == Channel.HOTLINE and rng.random() < 0.5:
            lng = lat = None  # a hotline order names the village, not a point
            area = village
        reporter, reporter_name, phone, external_id = None, "", "", ""
        if channel == Channel.GRID:
            reporter, reporter_name = worker, worker.display_name
        elif channel == Channel.CITIZEN:
            reporter = world.citizen if rng.random() < 0.03 else None
            reporter_name = reporter.display_name if reporter else rng.choice(SURNAMES) + rng.choice("先生女士")
            phone = self.phone()
        elif channel == Channel.HOTLINE:
            self.hotline_serial += 1
            reporter = township.dispatcher  # the dispatcher who imported the work order
            reporter_name, phone = rng.choice(SURNAMES) + rng.choice(["先生", "女士"]), self.phone()
            external_id = f"QH12345-{timezone.localtime(at):%Y%m%d}-{self.hotline_serial:05d}"
        elif channel == Channel.VIDEO:
            reporter_name, external_id = "视频监控告警平台", f"VA{int(at.timestamp())}{rng.randrange(1000):03d}"
        elif channel == Channel.DEPARTMENT:
            slug = rng.choice(["police", "market", "environment", "water"])
            reporter, reporter_name = world.liaisons[slug], world.departments[slug].name
        elif channel == Channel.WALK_IN:
            reporter, reporter_name, phone = township.window, rng.choice(SURNAMES) + rng.choice(["先生", "女士"]), self.phone()
        else:  # Open311 client
            reporter_name = "随手拍"
        description = rng.choice(DESCRIPTIONS.get(category.code, DESCRIPTIONS["other"])).format(p=place)
        owner, first = RECEPTION.first(channel, township.command, at, taker=township.window, taker_unit=township.window_unit)
        case = Case(kind=EVENT, title=f"{category.name}：{description[:40]}", area=area, channel=channel, external_id=external_id, opened_at=at,
                    owner_unit=owner, created_by=reporter)
        past = PastCase(case, township.command, assign=[first],
                        data={"category": category.code, "channel": channel, "lng": lng, "lat": lat})
        sealed = intake.sealed_phone(phone, REPORTER_PHONE_CONTEXT)  # as intake keeps it: staff can show a mobile to call back
        event = Event(category=category, channel=channel, description=description, address=place, lng=lng, lat=lat,
                      reporter=reporter, reporter_name=reporter_name[:32], reporter_phone_masked=sealed.masked, reporter_phone_cipher=sealed.cipher,
                      reported_at=at)
        life = Life(past, event, on_grid=lng is not None)
        self.live(life, township, grid, worker, worker_unit)
        self.recent[(grid.pk, category.pk)] = life
        return life

    def phone(self) -> str:
        return "1" + self.rng.choice("3578") + "".join(self.rng.choice("0123456789") for _ in range(9))

    # ---- the life ---------------------------------------------------------------------------

    def live(self, life: Life, township: Township, grid: Area, worker, worker_unit) -> None:
        rng, world, event = self.rng, self.world, life.event
        category = event.category
        steps: list[Step] = []
        t = event.reported_at

        def later(low_minutes: float, high_minutes: float) -> datetime:
            nonlocal t
            t = t + timedelta(minutes=rng.uniform(low_minutes, high_minutes))
            return t

        registrar = township.window if event.channel == Channel.WALK_IN else township.dispatcher
        # A repeat of a report in the same grid within two days is often the same problem, and
        # merged into it (the suggested duplicates the dispatcher sees).
        earlier = self.recent.get((grid.pk, category.pk))
        if earlier and event.reported_at - earlier.event.reported_at < timedelta(hours=48) and rng.random() < 0.5:
            target = earlier
            at = later(10, 120)
            steps.append(Step(at, township.dispatcher, "merge", summary=lambda: f"合并至{target.past.case.number}",
                              data=lambda: {"into": target.past.case.pk}))
            life.merge_into = target
            return self.finish(life, steps)
        if rng.random() < 0.04:
            reason = rng.choice(REJECT_REASONS)
            steps.append(Step(later(10, 150), registrar, "reject", note=reason, before_save=lambda case: setattr(event, "rejection_reason", reason)))
            return self.finish(life, steps)
        at = later(5, 110)
        steps.append(Step(at, registrar, "register", assign=[Assign(township.command, "dispatch", due_at=at + TO_DISPATCH, role=R.DISPATCHER)]))

        found = world.route(category, township)
        unit, reason = found.unit, ""
        if unit is None:  # nothing in the lists: the dispatcher names the village committee
            unit, reason = world.village_units[grid.parent_id], "属地管理事项清单未载明，由属地村(居)委会先行处置"
        handler = world.someone_in(unit) or township.dispatcher
        # A few events of the last months stalled and are overdue now; older ones were long since
        # chased up by supervision and closed.
        age = self.now - event.reported_at
        stall = timedelta(days=10) < age < timedelta(days=90) and rng.random() < 0.015
        if rng.random() < 0.03:  # sent back once as not theirs, then dispatched again
            steps.append(self.dispatch(later(5, 60), township, event, unit, reason, found))
            steps.append(Step(later(20, 90), handler, "return", note=rng.choice(RETURN_REASONS),
                              assign=[Assign(township.command, "dispatch", due_at=t + TO_DISPATCH, role=R.DISPATCHER)]))
            reason = reason or "经核实，仍由清单所列单位处置"
        steps.append(self.dispatch(later(5, 60), township, event, unit, reason, found))
        if age < WAITING_TO_BE_SIGNED:
            # The last hours' dispatched reports are not signed for yet, whatever the hour the
            # demo is built: the command screen always has some 已派遣 waiting on a unit.
            return self.finish(life, steps)
        ack_hours = self.hours_of(category.acknowledge_amount, category.acknowledge_unit)
        steps.append(Step(later(ack_hours * 60 * 0.1, ack_hours * 60 * (0.9 if rng.random() < 0.9 else 1.6)), handler, "acknowledge",
                          assign=[Assign(unit, "handle")]))
        if stall and rng.random() < 0.5:
            return self.finish(life, steps)
        steps.append(Step(later(5, 90), handler, "start", complete="none"))
        handle_minutes = self.hours_of(category.handle_amount, category.handle_unit) * 60
        late = rng.random() < 0.15
        if unit.kind != Unit.Kind.DEPARTMENT and category.code in CALL_DEPARTMENTS and rng.random() < 0.15:
            t = self.call(life, township, later(30, 600), rng.sample(CALL_DEPARTMENTS[category.code], k=min(2 if rng.random() < 0.25 else 1, len(CALL_DEPARTMENTS[category.code]))), steps)
        if rng.random() < 0.03:
            steps.append(Step(later(handle_minutes * 0.1, handle_minutes * 0.3), handler, "pause", note=rng.choice(PAUSE_REASONS), complete="none"))
            if stall:
                return self.finish(life, steps)
            steps.append(Step(later(60 * 20, 60 * 24 * 6), handler, "resume", complete="none"))
        elif category.handle_unit == DeadlineUnit.WORKING_DAYS and rng.random() < 0.03:
            t = self.extend(life, township, handler, steps, later(handle_minutes * 0.3, handle_minutes * 0.6))
            late = False
        if stall:
            return self.finish(life, steps)
        result = rng.choice(RESULTS)
        steps.append(self.report_back(later(handle_minutes * (1.05 if late else 0.1), handle_minutes * (1.7 if late else 0.85)),
                                      handler, life, township, worker, worker_unit, result))
        if category.needs_verification:
            verifier = worker if life.on_grid else township.dispatcher
            if rng.random() < 0.08:
                note = rng.choice(FAIL_NOTES)
                steps.append(Step(later(60, 60 * 20), verifier, "verify_fail", note=note, assign=[Assign(unit, "handle")],
                                  before_save=lambda case, n=note: setattr(event, "verification_note", n)))
                steps.append(self.report_back(later(60 * 3, 60 * 48), handler, life, township, worker, worker_unit, "已按核查意见再次整改到位。"))
            note = rng.choice(PASS_NOTES)
            steps.append(Step(later(30, 60 * 20), verifier, "verify_pass", note=note,
                              assign=[Assign(township.command, "close", due_at=t + TO_DISPATCH, role=R.DISPATCHER)],
                              before_save=lambda case, n=note: setattr(event, "verification_note", n)))
        steps.append(Step(later(10, 240), township.dispatcher, "close"))
        if event.reporter is not None and event.channel in (Channel.CITIZEN, Channel.GRID) and rng.random() < 0.6:
            rating = rng.choices([5, 4, 3, 2, 1], [55, 30, 10, 4, 1] if not late else [20, 30, 30, 15, 5])[0]
            at = later(30, 60 * 30)

            def rate(case, rating=rating, at=at):
                case.rating, case.rating_comment, case.rated_at = rating, RATE_COMMENTS[rating], at

            steps.append(Step(at, event.reporter, "rate", summary=f"评价：{GRADES[rating]}", note=RATE_COMMENTS[rating],
                              data={"rating": rating}, journal_only=True, before_save=rate))
        self.finish(life, steps)

    def finish(self, life: Life, steps: list[Step]) -> None:
        life.past.steps = [step for step in steps if step.at <= self.now]

    @staticmethod
    def hours_of(amount: int, unit: str) -> float:
        return {DeadlineUnit.HOURS: 1, DeadlineUnit.WORKING_DAYS: 24 * 1.4, DeadlineUnit.NATURAL_DAYS: 24}[unit] * amount

    def dispatch(self, at, township: Township, event: Event, unit: Unit, reason: str, found) -> Step:
        category = event.category

        def start_deadline(case):
            case.owner_unit = unit
            deadlines.start(case, Limit(category.handle_amount, category.handle_unit), at)
            event.handling_unit, event.lead_department, event.duty_item_code = unit, found.lead_department, found.duty_item_code

        ack_due, _ = deadlines.due_after(at, Limit(category.acknowledge_amount, category.acknowledge_unit))
        return Step(at, township.dispatcher, "dispatch", note=reason, summary=f"派遣至{unit.name}", before_save=start_deadline,
                    assign=[Assign(unit, "acknowledge", due_at=ack_due)],
                    data={"unit": unit.pk, "listed_unit": getattr(found.unit, "pk", None), "duty_item": found.duty_item_code, "route": found.explanation})

    def report_back(self, at, handler, life: Life, township: Township, worker, worker_unit, result: str) -> Step:
        category, event = life.event.category, life.event
        verify_due, _ = deadlines.due_after(at, Limit(category.verify_amount, category.verify_unit))
        if not category.needs_verification:
            work = [Assign(township.command, "close", due_at=at + TO_DISPATCH, role=R.DISPATCHER)]
        elif life.on_grid:
            work = [Assign(worker_unit, "verify", due_at=verify_due, user=worker)]
        else:
            work = [Assign(township.command, "verify", due_at=verify_due, role=R.DISPATCHER)]
        return Step(at, handler, "report_back", assign=work, data={"result": result[:200]},
                    before_save=lambda case: setattr(event, "result", result))

    def extend(self, life: Life, township: Township, handler, steps: list[Step], at: datetime) -> datetime:
        """A request for more time and the leader's approval; returns when it was decided."""
        amount = self.rng.choice([2, 3, 5])
        reason = self.rng.choice(["需等待相关单位配合，申请延期", "整改工程量较大，申请延期"])
        request = Extension(amount=amount, reason=reason, requested_by=handler, requested_at=at, state=Extension.State.PENDING)
        steps.append(Step(at, handler, "extension_request", summary=f"申请延期{amount}工作日", note=reason, journal_only=True,
                          assign=[Assign(township.government, "approve_extension", role=R.TOWNSHIP_LEADER)]))
        decided = at + timedelta(minutes=self.rng.uniform(30, 60 * 20))
        steps.append(Step(decided, township.leader, "extend", summary=f"延期{amount}工作日", note=reason, journal_only=True,
                          complete="approve_extension", before_save=lambda case: deadlines.extend(case, amount)))
        life.extension = (request, decided, township.leader)
        return decided

    def call(self, life: Life, township: Township, at: datetime, slugs: list[str], steps: list[Step]) -> datetime:
        """A 乡呼县应 call from the event to departments; returns when the last answer was confirmed."""
        rng, world = self.rng, self.world
        departments = [world.departments[s] for s in slugs]
        request = rng.choice(CALL_REQUESTS)
        names = "、".join(d.name for d in departments)
        steps.append(Step(at, township.dispatcher, "call", summary=f"乡呼县应：呼叫{names}", note=request, journal_only=True,
                          data={"departments": [d.pk for d in departments]}))
        group = f"{rng.getrandbits(48):012x}" if len(departments) > 1 else ""
        acknowledge_due = supervision.call_acknowledge_due(township.area, at)
        ended = at
        for slug, department in zip(slugs, departments):
            liaison = world.liaisons[slug]
            days = rng.choice([3, 5, 5, 10])
            case = Case(kind=CALL, title=f"呼叫{department.short_name or department.name}：{life.past.case.title}"[:200], area=life.past.case.area,
                        owner_unit=department, channel="call", opened_at=at, created_by=township.dispatcher, parent=life.past.case)
            deadlines.start(case, Limit(days), at)
            past = PastCase(case, township.command, note=request,
                            assign=[Assign(department, "respond", due_at=acknowledge_due, role=R.DEPARTMENT_LIAISON)],
                            data=lambda department=department: {"parent": life.past.case.pk, "department": department.pk, "group": group})
            call = Call(department=department, caller_unit=township.command, group=group, request=request, acknowledge_due=acknowledge_due)
            c = at
            late_answer = rng.random() < 0.2
            c += timedelta(minutes=rng.uniform(150, 60 * 30) if late_answer else rng.uniform(10, 110))
            call_steps = [Step(c, liaison, "acknowledge", assign=[Assign(department, "handle", role=R.DEPARTMENT_LIAISON)],
                               before_save=lambda _c, c=c, call=call: setattr(call, "acknowledged_at", c))]
            limit_minutes = days * 24 * 60 * 1.4
            attempts = 2 if rng.random() < 0.08 else 1  # the township sends one answer in 12 back
            for attempt in range(attempts):
                c += timedelta(minutes=rng.uniform(0.2, 0.9) * limit_minutes if not late_answer else rng.uniform(0.7, 1.4) * limit_minutes)
                result = rng.choice(CALL_RESULTS)

                def report(_case, c=c, call=call, result=result):
                    call.result, call.reported_at = result, c

                call_steps.append(Step(c, liaison, "report_back", assign=[Assign(township.command, "confirm")], data={"result": result[:200]}, before_save=report))
                c += timedelta(minutes=rng.uniform(60, 60 * 24))
                if attempt + 1 < attempts:
                    call_steps.append(Step(c, township.dispatcher, "reject", note="办理结果不完整，请补充现场处置情况后重新反馈",
                                           assign=[Assign(department, "handle", role=R.DEPARTMENT_LIAISON)],
                                           before_save=lambda _c, call=call: setattr(call, "reported_at", None)))
            call_steps.append(Step(c, township.dispatcher, "confirm", before_save=lambda _c, c=c, call=call: setattr(call, "confirmed_at", c)))
            if rng.random() < 0.85:
                rating = rng.choices([5, 4, 3, 2, 1], [50, 30, 12, 6, 2] if not late_answer else [10, 25, 35, 20, 10])[0]
                c += timedelta(minutes=rng.uniform(5, 600))
                def rate(case, rating=rating, at=c):
                    case.rating, case.rated_at = rating, at

                call_steps.append(Step(c, township.dispatcher, "rate", summary=f"评价：{GRADES[rating]}", data={"rating": rating}, journal_only=True,
                                       before_save=rate))
            past.steps = [s for s in call_steps if s.at <= self.now]
            if at <= self.now:
                life.calls.append((past, call))
            ended = max(ended, c)
        return ended + timedelta(minutes=rng.uniform(60, 600))


def build_events(progress, count: int = DEFAULT_EVENTS) -> int:
    county = Area.objects.filter(level="county", code=f"{plan.COUNTY_CODE}000000").first()
    if county is None or count <= 0:
        return 0
    if unscoped(Event, why=DEMO).filter(case__area__path__startswith=county.path).exists():
        progress.step("事件(近一年)", 1).finish("已存在，跳过")
        return 0
    now = timezone.now()
    drawer = Drawer(World(county), random.Random(SEED), now)
    moments = drawer.moments(count)
    photographed: list[tuple[int, int]] = []  # (event case id, reporter id) of the latest grid reports
    with progress.step("事件(近一年)", count) as step:
        for start in range(0, count, CHUNK):
            lives = [drawer.draw(at) for at in moments[start : start + CHUNK]]
            with transaction.atomic():
                _save(lives, now)
            photographed += [(life.past.case.pk, life.event.reporter_id) for life in lives
                             if life.event.channel == Channel.GRID and life.event.reported_at > now - timedelta(days=3)]
            step.advance(len(lives))
    with progress.step("照片、预警与督办", 3) as step, transaction.atomic():
        _attach_photos(photographed[-40:])
        step.advance()
        for event in unscoped(Event, why=DEMO).filter(case__area__path__startswith=county.path, reported_at__gte=now - timedelta(days=30)).select_related("case__area", "category").order_by("reported_at"):
            early_warning.check_after_report(event)
        _judge_old_warnings(drawer.world, now)
        step.advance()
        supervision.sweep(now)
        _a_leaders_notice(drawer.world)
        step.advance()
    return count


def _a_leaders_notice(world: World) -> None:
    """A leader cards the most pressing open event by hand — in 柳湾 (the demo's usual login)
    when it has one — so the demo has a numbered 督办单 (a PDF) on an event page."""
    for township in sorted(world.townships, key=lambda t: t.slug != "liuwan"):
        case = (
            Case.objects.filter(kind="event", area__path__startswith=township.area.path, closed_at__isnull=True, due_at__isnull=False)
            .select_related("area").order_by("due_at", "pk").first()
        )
        if case is not None:
            supervision.issue_notice(township.leader, case, "red", "该事件请承办单位今日下班前书面反馈办理进展；已超期的，说明超期原因。")
            return


def _save(lives: list[Life], now: datetime) -> None:
    history.replay([life.past for life in lives])
    daily.forget_all()  # past days now hold more events than any count kept of them
    for life in lives:
        life.event.case = life.past.case
    Event.objects.bulk_create([life.event for life in lives], batch_size=500)
    merged = [life for life in lives if life.merge_into is not None and life.past.case.state == EventState.MERGED]
    for life in merged:
        life.event.duplicate_of = life.merge_into.event
    merged = [life.event for life in merged]
    Event.objects.bulk_update(merged, ["duplicate_of"], batch_size=500)
    calls = [(past, call, life) for life in lives for past, call in life.calls]
    if calls:
        history.replay([past for past, _, _ in calls])
        for past, call, life in calls:
            call.case = past.case
        Call.objects.bulk_create([call for _, call, _ in calls], batch_size=500)
    history.save_extensions([(life.event.case, *life.extension) for life in lives if life.extension is not None], now)


def _judge_old_warnings(world: World, now: datetime) -> None:
    """Leaders have looked at the warnings of the days before (研判); the last two days' wait."""
    leaders = {t.area.path: t.leader for t in world.townships}
    for warning in unscoped(EarlyWarning, why=DEMO).filter(acknowledged_by__isnull=True, raised_at__lt=now - timedelta(days=2)).select_related("area", "category"):
        early_warning.acknowledge_warning(leaders[township_path(warning.area.path)], warning, "已安排网格员加密巡查，相关部门联合整治")


def _attach_photos(reports: list[tuple[int, int]]) -> None:
    """The last days' grid reports carry the photo taken on the spot (a drawn stand-in)."""
    cases = unscoped(Case, why=DEMO).in_bulk([case_id for case_id, _ in reports])
    reporters = User.objects.in_bulk([user_id for _, user_id in reports])
    for index, (case_id, user_id) in enumerate(reports):
        content = _scene(index)
        attachments.store(content, f"现场照片{index % 6 + 1}.jpg", "photo", case=cases[case_id], actor=reporters.get(user_id), field="photos")


def _scene(index: int) -> bytes:
    palette = [(200, 210, 190), (215, 200, 180), (190, 205, 220), (225, 215, 190), (205, 215, 205), (220, 200, 200)]
    image = Image.new("RGB", (480, 360), palette[index % 6])
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 250, 480, 360], fill=(150, 150, 140))
    draw.ellipse([150 + index % 6 * 20, 170, 290 + index % 6 * 20, 280], fill=(110, 100, 90))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return buffer.getvalue()
