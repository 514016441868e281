"""The demo county's enforcement team at work (issue 16 item 8): every township's officers hold
certificates (one about to expire), the county has discretion benchmarks for the penalty items
its teams use most, and 城关街道's team has cases in every state of the workflow — a lead, one
not registered, investigations (one returned by the legal review), a party notified, a hearing
set, a review under way, a case waiting for the leaders, decided, served and paying, closed and
archived, on-the-spot (简易程序), suspended, terminated, transferred out to the department that
holds the power (one accepted, one waiting), a department's transfer in acknowledged and
registered — with a joint operation of the team, the 派出所 and the 市场监管所. 柳湾镇 has a few, so
the two townships' officers each see their own.

Every case goes through the real actions today, as window/demo_papers.py does for its
applications: the journal, assignments, numbers and PDFs are the ones a user would have made.
Nothing is backdated: the rules that need time to pass are met as a user meets them on the day —
the party's written waiver of the 5 working days (行政处罚法 Art. 64(1)), service and payment on
the day of the decision (Art. 61, 67), a hearing set the 7 working days ahead Art. 64(2) asks
(so it is not held yet). Some leads come from the demo's events of illegal building and land
use, by their numbers.

Idempotent: skipped when the county has enforcement cases; all in one transaction."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from zhenjie.accounts.models import User
from zhenjie.areas.models import Area
from zhenjie.demo import county as plan
from zhenjie.events.models import Event
from zhenjie.kernel.models import Party
from zhenjie.kernel.pii import citizen_id_check_character
from zhenjie.kernel.scoping import unscoped
from zhenjie.lists.queries import holder_of
from zhenjie.units.models import Unit

from .actions import decision, evidence, execution, hearing, joint, lifecycle, officers, transfers
from .benchmarks import BenchmarkValues, add_benchmark
from .documents import issue_record_paper
from .models import (Certificate, ClosingOutcome, DiscretionBenchmark, EnforcementCase, EvidenceKind, PenaltyKind, ServiceMethod, Source,
                     StatementChannel, Transfer)
from .publicity import publish_decision
from .rules_hearing import earliest_hearing_day

DEMO = "the demo builds the whole county"  # why its reads cross every jurisdiction (kernel.scoping.unscoped)
ISSUER = "青禾县人民政府"
EXPIRING_IN = timedelta(days=20)  # inside the county's default 30-day warning (EnforcementPolicy.certificate_expiring_days)
STATIONED = {"派出所": "police", "市场监管所": "market"}  # the stationed units in the joint operation, and their demo staff
BENCHMARK_SOURCE = "青禾县综合行政执法裁量基准(演示)"  # a fictional county document

# (power code, circumstance, fine min, fine max, other penalties): the county's benchmarks, each
# inside the range the law itself sets.
BENCHMARKS = (
    # 大气污染防治法 Art. 118 第一款: 处五千元以上五万元以下的罚款；拒不改正的，责令停业整治.
    ("CF012", "首次违法，及时整改", "5000", "10000", "责令改正"),
    ("CF012", "拒不改正或造成周边居民投诉", "10000", "50000", "责令停业整治"),
    # 固体废物污染环境防治法 Art. 111 第二款: 个人 … 处一百元以上五百元以下的罚款.
    ("CF015", "个人，情节较轻", "100", "300", ""),
    ("CF015", "个人，情节较重", "300", "500", ""),
    # 城市道路管理条例 Art. 42: 可以处以2万元以下的罚款.
    ("CF024", "占道经营，经劝导后仍不改正", "500", "2000", "责令限期改正"),
)


@dataclass(frozen=True)
class Story:
    """One case: where, who, what, under which power, and what has happened to it by today."""

    township: str  # slug (demo/county.py)
    title: str
    place: str
    facts: str
    code: str  # the power it is (or would be) handled under
    steps: tuple[str, ...]  # Teller's methods, in order
    source: str = Source.PATROL
    event: tuple[str, ...] = ()  # event categories a lead of source "event" comes from
    party: str = ""  # "" : not known yet
    organisation: bool = False
    fine: str = ""  # the intended (and decided) fine
    kinds: tuple[str, ...] = (PenaltyKind.FINE,)
    papers: bool = False  # print the 笔录 of its inspection and interview (a PDF costs ~0.3 s: a few show them)


BUILDING = ("illegal_construction",)
LAND = ("farmland",)
STORIES = (
    Story("chengguan", "院外私搭简易棚", "城关街道", "网格员上报院外私搭乱建简易棚，待核实搭建人及审批情况。", "CF023", (),
          source=Source.EVENT, event=BUILDING),
    Story("chengguan", "南关社区楼道堆放杂物", "南关社区3号楼", "群众反映楼道堆放杂物，经查系物业公司临时堆放，已当场清理。", "CF023", ("decline",),
          source=Source.COMPLAINT, party="周建华"),
    Story("chengguan", "沿街商户违规搭建雨棚", "城关街道", "沿街商户未经批准在人行道上搭建雨棚，占用公共场地约12平方米。", "CF023",
          ("register", "inspect"), source=Source.EVENT, event=BUILDING, party="李志强", papers=True),
    Story("chengguan", "滨河路随意倾倒生活垃圾", "滨河社区滨河路", "当事人多次将生活垃圾倾倒在河堤绿化带内。", "CF015",
          ("register", "inspect", "interview", "notify", "waive", "submit_review", "review_return"), party="吴海燕", fine="300"),
    Story("chengguan", "文化路随意堆放生活垃圾", "文化路社区", "当事人将装修垃圾与生活垃圾混合堆放在小区门口公共区域。", "CF015",
          ("register", "interview", "notify", "statement"), party="郑德明", fine="200", papers=True),
    Story("chengguan", "西关餐馆油烟直排", "西关社区西关街18号", "餐馆未安装油烟净化设施，油烟直排，周边居民多次投诉。", "CF012",
          ("register", "inspect", "notify", "hearing"), source=Source.COMPLAINT, party="孙国庆", fine="20000"),
    Story("chengguan", "北关小吃店油烟扰民", "北关社区", "小吃店排放油烟未安装净化设施，经责令仍未整改。", "CF012",
          ("register", "inspect", "notify", "waive", "submit_review"), party="马丽娟", fine="8000"),
    Story("chengguan", "建设路乱倒生活垃圾", "建设路社区", "当事人在路边随意倾倒生活垃圾，经教育后已清理。", "CF015",
          ("register", "inspect", "notify", "waive", "ready"), party="胡玉梅", fine="200"),
    Story("chengguan", "东关餐饮公司油烟扰民", "东关社区商业街", "餐饮公司厨房油烟未经净化直排，拒不改正，周边居民联名投诉。", "CF012",
          ("register", "classify", "inspect", "interview", "notify", "waive", "submit_review", "review_pass", "meeting", "decide"),
          source=Source.COMPLAINT, party="青禾县东关餐饮有限公司", organisation=True, fine="30000", papers=True),
    Story("chengguan", "人民路占道经营水果摊", "人民路社区人民路", "当事人在人民路人行道摆设水果摊，经多次劝导仍占道经营。", "CF024",
          ("register", "inspect", "notify", "waive", "ready", "decide", "serve", "publish", "pay_part"), party="林春生", fine="1500"),
    Story("chengguan", "公共场地擅自搭建彩钢棚", "城关街道", "当事人未经批准在公共场地搭建彩钢棚，已责令拆除并处罚款。", "CF023",
          ("register", "inspect", "notify", "waive", "ready", "decide", "serve", "publish", "pay", "close"),
          source=Source.EVENT, event=BUILDING, party="何立新", fine="2000"),
    Story("chengguan", "早市占道经营(当场处罚)", "西关社区早市", "当事人占用人行道摆摊，经劝导后当场改正。", "CF024",
          ("summary", "pay", "close"), party="高文斌", fine="100"),
    Story("chengguan", "沿街新建房屋未取得施工许可", "城关街道", "沿街新建三层房屋，未取得建筑工程施工许可证擅自施工。", "ZJ-CF-001",
          ("transfer_out", "accept_transfer"), source=Source.EVENT, event=BUILDING, party="罗晓东"),
    Story("chengguan", "私自转让集体土地", "城关街道", "群众反映有人私自转让集体土地用于建房，涉嫌非法转让土地。", "ZRZY-CF-002",
          ("transfer_out",), source=Source.EVENT, event=LAND, party="梁淑珍"),
    Story("chengguan", "无证食品摊贩经营", "西关社区", "县市场监管局检查发现当事人未取得食品经营许可从事食品摊贩经营。", "CF053",
          ("acknowledge", "register"), source=Source.TRANSFER),
    Story("chengguan", "北关工地夜间施工噪声扰民", "北关社区", "工地夜间施工噪声扰民，当事人申请待环境监测结论。", "CF013",
          ("register", "inspect", "suspend"), party="唐国庆"),
    Story("chengguan", "东关社区乱倒垃圾", "东关社区", "个体经营者随意倾倒生活垃圾，立案后当事人因病去世。", "CF015",
          ("register", "terminate"), party="冯建华"),
    Story("liuwan", "院外私搭乱建", "柳湾镇", "网格员上报村民院外私搭简易棚。", "CF003", (), source=Source.EVENT, event=BUILDING),
    Story("liuwan", "未取得乡村建设规划许可建房", "柳湾镇", "村民未取得乡村建设规划许可证新建房屋。", "CF002",
          ("register", "inspect"), source=Source.EVENT, event=BUILDING, party="王志强"),
    Story("liuwan", "柳湾社区随意倾倒生活垃圾", "柳湾社区", "当事人将生活垃圾倾倒在路边排水沟内。", "CF015",
          ("register", "inspect", "notify", "waive", "ready"), party="陈桂兰", fine="300"),
)


@dataclass
class Team:
    area: Area
    slug: str
    officer: User  # {slug}.enforcer1: opens, records, notifies, serves
    partner: User  # {slug}.enforcer2: the second officer present (Art. 55)
    reviewer: User
    leader: User


class World:
    """The demo's people, read once."""

    def __init__(self, county: Area):
        self.county = county
        self.users = {u.username: u for u in User.objects.filter(username__contains=".")}
        self.admin = self.users["county.admin"]
        self.teams = {}
        for t in plan.TOWNSHIPS:
            area = Area.objects.get(code=f"{plan.COUNTY_CODE}{t.segment}000")
            self.teams[t.slug] = Team(area, t.slug, self.users[f"{t.slug}.enforcer1"], self.users[f"{t.slug}.enforcer2"],
                                      self.users[f"{t.slug}.legal"], self.users[f"{t.slug}.leader"])  # fmt: skip
        self._used: set[str] = set()

    def event(self, team: Team, categories: tuple[str, ...]) -> tuple[str, str, str] | None:
        """The newest event of these categories in the township not yet made a lead here: its
        number, its place (the grid's name) and what was reported."""
        found = (
            unscoped(Event, why=DEMO).filter(category__code__in=categories, case__area__path__startswith=team.area.path)
            .exclude(case__number__in=self._used).order_by("-case__opened_at").values_list("case__number", "case__area__name", "case__title")
            .first()
        )  # fmt: skip
        if found is not None:
            self._used.add(found[0])
        return found


def _person(n: int) -> str:
    """A fictional party's ID (division 99…, a valid check character); 8 in the sequence keeps it
    apart from the window demo's applicants."""
    body = f"{plan.COUNTY_CODE}{date(1965, 3, 1) + timedelta(days=811 * n):%Y%m%d}8{n:02d}"
    return body + citizen_id_check_character(body)


class Teller:
    """Acts one story with whoever the real rules let act."""

    def __init__(self, world: World, team: Team, story: Story, case: EnforcementCase):
        self.world, self.team, self.story, self.case = world, team, story, case

    def _fresh(self) -> EnforcementCase:
        self.case = EnforcementCase.objects.select_related("case__area", "team__area", "party").get(pk=self.case.pk)
        return self.case

    def register(self) -> None:
        lifecycle.register_case(self.team.officer, self.case, self.story.code)

    def decline(self) -> None:
        lifecycle.decline_case(self.team.officer, self.case, "经核查，物品系物业公司临时堆放且已当场清理，违法事实不成立，不予立案")

    def _evidence(self, kind: str, title: str, record: dict) -> None:
        row = evidence.record_evidence(self.team.officer, self.case, kind=kind, title=title, taken_at=timezone.now(),
                                       place=self.case.place, officers=[self.team.officer, self.team.partner], record=record)  # fmt: skip
        if self.story.papers:
            issue_record_paper(self.team.officer, row)

    def inspect(self) -> None:
        self._evidence(EvidenceKind.INSPECTION_RECORD, "现场检查笔录", {
            "subject": self.story.party or self.case.place, "present": self.story.party or "社区网格员",
            "findings": self.story.facts + "现场拍照取证。"})  # fmt: skip

    def interview(self) -> None:
        self._evidence(EvidenceKind.INTERVIEW_RECORD, f"询问{self.story.party}笔录", {
            "interviewee": self.story.party, "capacity": "当事人",
            "questions": [{"q": "我们是综合行政执法队的执法人员，这是我们的执法证件，你是否看清？", "a": "看清了。"},
                          {"q": "请如实陈述有关情况。", "a": "情况属实，我愿意配合整改。"}]})  # fmt: skip

    def classify(self) -> None:
        decision.classify_case(self.team.leader, self._fresh(), True, True,
                               "拒不改正、群众联名投诉，拟处较大数额罚款，属重大执法决定且情节复杂，须法制审核并集体讨论决定")  # fmt: skip

    def _notify(self, details: str = "") -> None:
        hearing.notify_party(self.team.officer, self._fresh(), hearing.IntendedPenalty(
            kinds=list(self.story.kinds), fine_amount=self.story.fine or None, facts=self.story.facts, details=details))  # fmt: skip

    def notify(self) -> None:
        self._notify()

    def waive(self) -> None:
        # Art. 64(1)'s 5 working days end early only on the party's written waiver.
        hearing.record_waiver(self.team.officer, self._fresh(), waiver="当事人书面声明放弃陈述、申辩和要求听证的权利")

    def statement(self) -> None:
        said = hearing.record_statement(self.team.officer, self._fresh(), content="当事人称系初次违法且已自行清理，请求从轻处罚。",
                                        channel=StatementChannel.WRITTEN)  # fmt: skip
        hearing.answer_statement(self.team.officer, self._fresh(), said, adopted=True, answer="经复核，当事人已自行清理，采纳其从轻处罚的意见。")

    def hearing(self) -> None:
        hearing.request_hearing(self.team.officer, self._fresh(), channel=StatementChannel.WRITTEN)
        day = earliest_hearing_day(timezone.localdate())
        hearing.schedule_hearing(self.team.officer, self._fresh(), scheduled_at=timezone.make_aware(datetime.combine(day, time(9, 30))),
                                 place=f"{self.team.area.name}办事处第一会议室", presiding=self.team.reviewer)  # fmt: skip

    def submit_review(self) -> None:
        hearing.take_on(self.team.officer, self._fresh(), "submit_review")

    def ready(self) -> None:
        decision.ready_for_decision(self.team.officer, self._fresh())

    def _review(self, passed: bool) -> None:
        checks = dict.fromkeys(("facts_clear", "evidence_sufficient", "procedure_lawful", "basis_correct", "penalty_appropriate"), True)
        if passed:
            decision.review_pass(self.team.reviewer, self._fresh(), {**checks, "opinion": "事实清楚，证据确凿，程序合法，适用依据正确，处罚适当，同意。"})
        else:
            decision.review_return(self.team.reviewer, self._fresh(), {**checks, "evidence_sufficient": False,
                                   "opinion": "证据不足。", "reason": "缺少倾倒垃圾的现场照片及证人证言，请补充调查。"})  # fmt: skip

    def review_pass(self) -> None:
        self._review(True)

    def review_return(self) -> None:
        self._review(False)

    def meeting(self) -> None:
        attendees = [u.pk for u in decision.township_leaders(self._fresh())] + [self.team.reviewer.pk, self.team.officer.pk]
        decision.record_meeting(self.team.leader, self.case, decision.Meeting(
            held_on=timezone.localdate(), attendee_ids=attendees, minutes="承办人汇报案情，法制审核人员说明审核意见，参会人员逐一发表意见。",
            conclusion=f"同意按裁量基准罚款人民币{self.story.fine}元，并责令停业整治。"))  # fmt: skip

    def _benchmark(self) -> int | None:
        # The benchmark whose range holds the fine (actions/decision.py requires one where the
        # county has set them for the power).
        rows = DiscretionBenchmark.objects.filter(county=self.world.county, power_code=self.story.code).order_by("fine_min")
        return next((b.pk for b in rows if b.fine_min <= int(self.story.fine) <= b.fine_max), None)

    def decide(self) -> None:
        decision.decide_case(self.team.leader, self._fresh(), decision.Penalty(
            kinds=list(self.story.kinds), fine_amount=self.story.fine, benchmark_id=self._benchmark(),
            reasons="当事人违法事实清楚，证据确凿，依据权责清单所列法律规定及本县裁量基准作出处罚。"))  # fmt: skip

    def summary(self) -> None:
        decision.summary_decide(self.team.officer, self._fresh(), self.story.code, decision.Penalty(
            kinds=[PenaltyKind.FINE], fine_amount=self.story.fine, reasons="违法事实确凿，当场处罚(《行政处罚法》第五十一条)。"))  # fmt: skip

    def serve(self) -> None:
        execution.serve_decision(self.team.officer, self._fresh(), method=ServiceMethod.IN_PERSON, served_on=timezone.localdate(),
                                 received_by=self.story.party)  # fmt: skip

    def publish(self) -> None:
        publish_decision(self.team.officer, self._fresh())

    def _pay(self, amount: str, reference: str) -> None:
        execution.record_payment(self.team.officer, self._fresh(), amount=amount, paid_on=timezone.localdate(), reference=reference)

    def pay(self) -> None:
        self._pay(self.story.fine, f"FS{self.case.case_id:010d}")

    def pay_part(self) -> None:
        self._pay(str(int(self.story.fine) // 3), f"FS{self.case.case_id:010d}-1")

    def close(self) -> None:
        execution.close_enforcement(self.team.officer, self._fresh(), outcome=ClosingOutcome.PAID)

    def suspend(self) -> None:
        lifecycle.suspend_case(self.team.leader, self._fresh(), "当事人申请等待环境噪声监测结论，监测期间中止办理")

    def terminate(self) -> None:
        lifecycle.terminate_case(self.team.leader, self._fresh(), "当事人(个体经营者)已死亡，无遗产可供执行，终结本案")

    def transfer_out(self) -> None:
        # The registration would be refused for want of the power; the holder it names takes it.
        holder = holder_of(self.world.county, self.story.code, timezone.localdate())
        reason = lifecycle.transfer_offer(self.case, self.story.code, timezone.localdate())
        transfers.transfer_case(self.team.officer, self._fresh(), f"{self.team.area.name}无此职权：{reason}", holder.implementing_unit)

    def accept_transfer(self) -> None:
        transfers.accept_transfer(self.world.users[_liaison(self.case)], self._fresh())

    def acknowledge(self) -> None:
        transfers.acknowledge_transfer_in(self.team.officer, self._fresh())


def _liaison(enforcement: EnforcementCase) -> str:
    """The username of the liaison of the department a case was transferred to."""
    department = Transfer.objects.filter(enforcement=enforcement).select_related("department").latest("pk").department
    slug = next(s for s, name, _ in plan.DEPARTMENTS if name == department.name)
    return f"dept.{slug}"


def _open(world: World, team: Team, story: Story, n: int) -> EnforcementCase:
    party = {}
    if story.party:
        kind = Party.Kind.ORGANISATION if story.organisation else Party.Kind.PERSON
        party = {"party_kind": kind, "party_name": story.party, "id_number": "" if story.organisation else _person(n)}
    if story.source == Source.TRANSFER:
        enforcement = transfers.receive_transfer(world.users["dept.market"], transfers.IncomingTransfer(
            township=team.area, title=story.title, place=story.place, facts=story.facts, occurred_on=timezone.localdate() - timedelta(days=3),
            reason="该事项已赋权乡镇(街道)行使，依法移送属地综合行政执法队查处", letter_number="青市监移〔2026〕第7号", power_code=story.code,
        ))  # fmt: skip
        return enforcement  # a transfer in comes without its party (ENFORCEMENT.md part 8: not built)
    event = world.event(team, story.event) if story.event else None
    place, facts = (event[1], f"由事件{event[0]}({event[2]})转来。{story.facts}") if event else (story.place, story.facts)
    source = story.source if event or story.source != Source.EVENT else Source.PATROL
    return lifecycle.open_lead(team.officer, lifecycle.Lead(
        source=source, title=story.title, place=place, facts=facts, occurred_on=timezone.localdate() - timedelta(days=10 + n),
        event=event[0] if event else None, **party,
    ))  # fmt: skip


def _certificates(world: World) -> int:
    """Every township's two officers certified for their township (Art. 42), valid to the end of
    the year after next; one of 石桥乡's expiring within the county's warning period."""
    today = timezone.localdate()
    held = set(Certificate.objects.values_list("officer_id", flat=True))
    made = 0
    for t in plan.TOWNSHIPS:
        team = world.teams[t.slug]
        for n, officer in enumerate((team.officer, team.partner), 1):
            if officer.pk in held:
                continue
            until = today + EXPIRING_IN if (t.slug, n) == ("shiqiao", 2) else date(today.year + 2, 12, 31)
            officers.record_certificate(world.admin, officer=officer, number=f"{plan.COUNTY_CODE}{t.segment}{n:02d}", issuer=ISSUER,
                                        area=team.area, valid_from=date(today.year, 1, 1), valid_until=until, training_hours=40)  # fmt: skip
            made += 1
    return made


def _benchmarks(world: World) -> None:
    have = set(DiscretionBenchmark.objects.filter(county=world.county).values_list("power_code", "circumstance"))
    for code, circumstance, low, high, other in BENCHMARKS:
        if (code, circumstance) not in have:
            add_benchmark(world.admin, world.county, BenchmarkValues(power_code=code, circumstance=circumstance, fine_min=low, fine_max=high,
                                                                     other_penalties=other, source_document=BENCHMARK_SOURCE))  # fmt: skip


def _joint(world: World) -> None:
    """The team's joint operation with the township's 派出所 and 市场监管所 on the street it is
    investigating: planned, each part recorded by its own staff, finished."""
    team = world.teams[plan.TOWNSHIPS[0].slug]
    stationed = {kind: u for u in Unit.objects.filter(area=team.area, kind=Unit.Kind.STATIONED) for kind in STATIONED if u.name.endswith(kind)}
    case = EnforcementCase.objects.filter(case__area__path__startswith=team.area.path, case__state="investigating",
                                          power_code="CF023").order_by("pk").first()  # fmt: skip
    operation = joint.plan_operation(team.officer, joint.Plan(
        title="沿街违法搭建联合整治", planned_at=timezone.now(), place=case.place if case else team.area.name, cases=[case.case_id] if case else [],
        participants=[joint.Part(unit=stationed["派出所"], task="维护现场秩序", headcount=2),
                      joint.Part(unit=stationed["市场监管所"], task="核查沿街商户证照", headcount=2)],
    ))  # fmt: skip
    for participant in operation.participants.select_related("unit", "operation__township"):
        staff = next(f"{team.slug}.{who}" for kind, who in STATIONED.items() if participant.unit.name.endswith(kind))
        joint.record_part(world.users[staff], participant, 2,
                          f"{participant.task}，配合执法队完成沿街巡查。", "发现3处违规搭建雨棚，已告知执法队")  # fmt: skip
    joint.finish_operation(team.officer, operation, "拆除违规雨棚2处，1处已立案调查，沿街商户证照核查完毕。")


def build_enforcement(progress) -> int:
    county = Area.objects.filter(level="county", code=f"{plan.COUNTY_CODE}000000").first()
    if county is None or not User.objects.filter(username="county.admin").exists():
        return 0
    if unscoped(EnforcementCase, why=DEMO).filter(case__area__path__startswith=county.path).exists():
        progress.step("执法案件", 1).finish("已存在，跳过")
        return 0
    world = World(county)
    with progress.step("执法证与裁量基准", 2) as step, transaction.atomic():
        _certificates(world)
        step.advance()
        _benchmarks(world)
        step.advance()
    with progress.step("执法案件", len(STORIES) + 1) as step, transaction.atomic():
        for n, story in enumerate(STORIES, 1):
            team = world.teams[story.township]
            teller = Teller(world, team, story, _open(world, team, story, n))
            for name in story.steps:
                act: Callable[[], None] = getattr(teller, name)
                act()
            step.advance()
        _joint(world)
        step.advance()
    return len(STORIES)
