"""A year of the demo county's applications (issue 15 item 9): about 3,000 across every
township's published service guide, taken in at each township's service centre window, by home
visit, and at every village agent point (the guide's village items), each living its life —
checked, told once what is missing (some notices late, some applications counted as accepted for
want of one), supplemented, refused acceptance, accepted with papers deferred (容缺, some late),
paused for an excluded period (Art. 45), extended (Art. 42), decided (some late, some refused) by
the unit routing names — the township's back office, a county department for an item the
township only takes in, several units for a joint item, each giving its opinion before the lead
decides — handed over at the window, by post or at the agent point, and rated, poor ratings
followed up. Six of today's applications go through the real actions instead and carry their
numbered PDFs (demo_papers.py).

As events/demo.py does, each life is drawn whole from its receipt and cut at the present moment,
so the last days' applications are still open in whichever state they have reached; the lives go
into the kernel through kernel.history.replay (the workflow's own transitions, deadlines,
numbering and hash-chained journal, in bulk), and the window's rows (application, materials, the
applicant's link, follow-ups) are set by the steps that happened. Applicants are fictional
parties, registered once and reused (citizen IDs with the division code 99…, which no real
province has, and a valid GB 11643 check character).

Deterministic for a seed and moment; idempotent: skipped when the county has applications."""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from zhenjie.accounts.models import Post, User
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.models import Area
from zhenjie.demo import county as plan
from zhenjie.kernel import deadlines, history
from zhenjie.kernel.assignments import Assign
from zhenjie.kernel.calendar import current_calendar
from zhenjie.kernel.deadlines import Limit
from zhenjie.kernel.history import PastCase, Step
from zhenjie.kernel.models import Case, CaseParty, Extension, FollowUp, Party
from zhenjie.kernel.parties import register_party
from zhenjie.kernel.pii import citizen_id_check_character
from zhenjie.kernel.rating import GRADES
from zhenjie.kernel.scoping import unscoped
from zhenjie.lists.models import ListKind, ListSeries, MaterialRequirement, ServiceItem, ServiceMaterial
from zhenjie.lists.queries import version_in_force
from zhenjie.units.models import Unit

from . import demo_papers, routing
from .models import (Application, ApplicationMaterial, Channel, Decision, DecisionRoute, DeliveryMethod, ExcludedPeriod, MaterialStatus,
                     Opinion)
from .routing import Decider
from .workflow import KIND

SEED = 20261206
DEMO = "the demo builds the whole county"  # why its reads cross every jurisdiction (kernel.scoping.unscoped)
DEFAULT_APPLICATIONS = 3_000
CHUNK = 500
APPLICANTS_PER_APPLICATION = 0.3  # about three applications per applicant over the year: parties are reused
NOTICE_LIMIT = Limit(5)  # 行政许可法 Art. 32(4): the one-time notice within 5 working days
EXTENSION_DAYS = 10  # Art. 42: +10 working days with the head's approval
DEFERRAL_DAYS = 5  # working days a deferred paper (容缺) is given
FOLLOW_UP_DAYS = 5  # working days to follow up a poor rating (好差评 rectification)
TOWNSHIP_WEIGHTS = {"chengguan": 34, "liuwan": 30, "dongxi": 20, "shiqiao": 16}
CHANNEL_WEIGHTS = {Channel.WINDOW: 70, Channel.AGENT_POINT: 22, Channel.HOME_VISIT: 4, Channel.ONLINE: 4}

NOTICE_PROBLEMS = ["复印件不清晰，请提供清晰复印件", "缺少本人签字", "证明材料已过有效期", "未提供原件核验"]
NOT_ACCEPTED_REASONS = ["申请事项不属于本机关职权范围，已告知向县民政局申请", "申请人不符合受理条件(户籍不在本辖区)", "补正后的材料仍不符合法定形式"]
REFUSE_REASONS = ["经审查，申请人家庭收入超过本县最低生活保障标准", "经入户核查，申报情况与实际不符", "不符合相关政策规定的条件"]
EXCLUDE_REASONS = [("expert_review", "组织专家评审，所需时间不计入审批期限"), ("appraisal", "委托第三方鉴定，所需时间不计入审批期限"),
                   ("hearing", "依法举行听证，所需时间不计入审批期限")]
OPINION_REASONS = ["经审查，符合本部门职权范围内的审批条件，同意", "经现场踏勘，选址符合国土空间规划，同意"]
CO_REFUSE_REASONS = ["经现场踏勘，拟建房选址占用永久基本农田，不同意"]
EXTEND_REASONS = ["需提请镇(街道)审批联席会议研究，经负责人批准延长10个工作日"]
WITHDRAW_REASONS = ["申请人主动撤回申请", "申请人已通过其他渠道办结"]
LEGAL_BASIS = "《中华人民共和国行政许可法》第三十八条；本事项办事指南所列设定依据"
RATE_COMMENTS = {5: "窗口服务热情，一次办好", 4: "办理顺利", 3: "基本满意", 2: "等待时间较长", 1: "跑了好几趟，不满意"}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董"
# Lives whose fate is an open state stop at the step that began it (an empty tuple: at receipt).
# The last days' applications take these fates, so however small the year, every state is open
# somewhere; FATES are the turns a small year must also show, spread over it.
OPEN_FATES = {"received": (), "notified": ("notify",), "reviewing": ("accept",), "excluded": ("exclude",), "decided": ("approve", "refuse"),
              "joint_waiting": ("accept",), "joint_opinions_in": ("co_decide",)}
RECENT = {"received": timedelta(minutes=15), "notified": timedelta(days=1), "reviewing": timedelta(days=2), "excluded": timedelta(days=20),
          "decided": timedelta(days=40), "joint_waiting": timedelta(days=3), "joint_opinions_in": timedelta(days=8)}
FATES = ("not_accepted", "withdrawn", "not_accepted_after_notice", "notice_late", "deemed", "deferred", "excluded", "extended", "late",
         "refused", "poor", "post", "agent_point", "online", "notified", "department", "joint", "department_slow")
# Fates that need an item the township only takes in (window/routing.py): decided by a county
# department, or — the homestead item outside the town it was delegated to — by two departments
# jointly (行政许可法 Art. 26 para. 2); "department_slow" also has an excluded period that ended
# and an extension its department approved. Value: whether the fate needs a joint item.
ROUTED_FATES = {"department": False, "department_slow": False, "joint": True, "joint_waiting": True, "joint_opinions_in": True}
GIVEN = "秀英桂兰建华志强丽娟海燕国庆玉梅春生红梅立新文斌晓东美玲德明淑珍"


@dataclass
class AgentPoint:
    unit: Unit  # the village committee whose agent point it is
    agent: User


@dataclass
class Township:
    area: Area
    slug: str
    centre: Unit
    government: Unit  # its leader approves extensions
    clerk: User
    backoffice: User
    leader: User
    points: list[AgentPoint]
    items: list[ServiceItem]  # the guide in force
    village_items: list[ServiceItem]  # those the guide lets agent points take


@dataclass
class Life:
    past: PastCase
    application: Application
    materials: list[ApplicationMaterial]
    applicant: Party
    filer: User | None
    rated: tuple[int, datetime] | None = None
    extension: tuple[Extension, datetime, User] | None = None
    follow_up: FollowUp | None = None
    routes: list[Decider] | None = None  # set by the acceptance, when it happened
    opinions: list[Opinion] | None = None
    excluded: ExcludedPeriod | None = None


class World:
    """Every township's centre, its staff, its agent points and guide, read once."""

    def __init__(self, county: Area):
        self.county = county
        users = {u.username: u for u in User.objects.filter(username__contains=".")}
        agents = {
            post.user.username: post.unit
            for post in Post.objects.filter(is_active=True, roles__code=R.VILLAGE_AGENT).select_related("user", "unit__area")
        }
        self.townships = []
        for t in plan.TOWNSHIPS:
            area = Area.objects.get(code=f"{plan.COUNTY_CODE}{t.segment}000")
            clerk = users[f"{t.slug}.window"]
            series = ListSeries.objects.filter(kind=ListKind.SERVICE, area=area).first()
            version = version_in_force(series, timezone.localdate()) if series else None
            items = list(ServiceItem.objects.filter(version=version).order_by("position", "code")) if version else []
            points = [AgentPoint(agents[name], users[name]) for name in sorted(agents) if name.startswith(f"{t.slug}.agent")]
            self.townships.append(Township(
                area, t.slug, Post.objects.filter(user=clerk, is_active=True).select_related("unit__area").first().unit,
                Unit.objects.get(area=area, kind=Unit.Kind.TOWNSHIP_GOVERNMENT), clerk,
                users[f"{t.slug}.backoffice"], users[f"{t.slug}.leader"], points, items, [i for i in items if i.agent_point],
            ))  # fmt: skip
        # Who acts for a deciding unit: the centre's back office, a department's liaison.
        self.people = {t.centre.pk: t.backoffice for t in self.townships}
        for post in Post.objects.filter(is_active=True, roles__code=R.DEPARTMENT_LIAISON, unit__kind=Unit.Kind.DEPARTMENT).select_related("user"):
            self.people.setdefault(post.unit_id, post.user)
        self.routes: dict[tuple, list[Decider]] = {}
        self.materials: dict[int, list[ServiceMaterial]] = {}
        item_ids = [item.pk for t in self.townships for item in t.items]
        for material in ServiceMaterial.objects.filter(item_id__in=item_ids).order_by("item_id", "position"):
            self.materials.setdefault(material.item_id, []).append(material)

    def deciders(self, township: Township, item: ServiceItem, on: date) -> list[Decider]:
        """Who decides the item accepted on `on` (window/routing.py, the rule acceptance applies).
        Items without a power code are decided by the township whatever the day, so one answer
        serves them all; a power code's answer can change with a delegation's date."""
        key = (township.slug, item.power_code, item.joint_power_codes, item.handling_level, on if item.power_code else None)
        if key not in self.routes:
            self.routes[key] = routing.route(Application(service_item=item, intake_unit=township.centre), on)
        return self.routes[key]


class Drawer:
    """Draws lives; `now` cuts them; `rng` makes them the same on every run."""

    def __init__(self, world: World, rng: random.Random, now: datetime, applicants: list[Party]):
        self.world, self.rng, self.now, self.applicants = world, rng, now, applicants
        self.fate = ""

    def moments(self, count: int) -> list[datetime]:
        """Receipt times over the past year, in office hours on working days (the centre's hours),
        the last few in the last days so every state is still open somewhere."""
        rng, start, calendar = self.rng, self.now - timedelta(days=365), current_calendar()
        found = []
        while len(found) < count:
            day = (start + timedelta(days=rng.uniform(0, 365))).date()
            if not calendar.is_workday(day):
                continue
            at = timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=rng.choice([8.6, 9, 9.5, 10, 10.5, 11, 14, 14.5, 15, 16]),
                                                                                           minutes=rng.uniform(0, 25))
            if at < self.now:
                found.append(at)
        return sorted(found)

    def later(self, at: datetime, minutes_low: float, minutes_high: float) -> datetime:
        return at + timedelta(minutes=self.rng.uniform(minutes_low, minutes_high))

    def working_days_after(self, at: datetime, days: float) -> datetime:
        """About `days` working days after `at` (a fraction lands inside the last day)."""
        whole = int(days)
        due, _ = deadlines.due_after(at, Limit(max(whole, 1)))
        return at + (due - at) * (days / max(whole, 1)) if whole else at + timedelta(hours=8 * days)

    def chance(self, name: str, share: float) -> bool:
        """Whether this life takes the turn `name`: always when it is the life's fate, else by
        chance (a forced life takes no other turn by chance, so its fate shows plainly)."""
        return self.fate == name if self.fate else self.rng.random() < share

    def draw(self, at: datetime, fate: str = "") -> Life:
        rng, world = self.rng, self.world
        self.fate = fate
        township = rng.choices(world.townships, [TOWNSHIP_WEIGHTS.get(t.slug, 10) for t in world.townships])[0]
        channel = rng.choices(list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values()))[0]
        if fate in ("agent_point", "online"):
            channel = fate
        routed = self.routed_item(at, ROUTED_FATES[fate]) if fate in ROUTED_FATES else None
        if routed is not None:
            township, channel = routed[0], Channel.WINDOW
        if channel == Channel.AGENT_POINT and not (township.points and township.village_items):
            channel = Channel.WINDOW
        point = rng.choice(township.points) if channel == Channel.AGENT_POINT else None
        if point is not None:
            item = rng.choice(township.village_items)
            intake_unit, filer, area, role = point.unit, point.agent, point.unit.area, R.VILLAGE_AGENT
        else:
            item = routed[1] if routed is not None else rng.choice([i for i in township.items if not i.agent_point] or township.items)
            intake_unit, filer, area, role = township.centre, township.clerk, township.area, R.WINDOW_CLERK
            if channel == Channel.ONLINE:
                filer = None  # the applicant applied online themselves
        applicant = rng.choice(self.applicants)
        case = Case(kind=KIND, title=f"{item.name}({applicant.name})"[:200], area=area, owner_unit=intake_unit, channel=channel, opened_at=at,
                    created_by=filer or township.clerk)
        deadlines.start(case, NOTICE_LIMIT, at)  # the notice's 5 working days run from receipt
        application = Application(
            service_item=item, item_code=item.code, item_name=item.name, applicant=applicant, intake_unit=intake_unit, filed_by=filer,
            received_at=at, notice_due_at=case.due_at,
        )  # fmt: skip
        materials = [
            ApplicationMaterial(guide_material=m, position=m.position, name=m.name, status=MaterialStatus.RECEIVED, form=m.form, copies=m.copies)
            for m in world.materials.get(item.pk, [])
        ]
        past = PastCase(case, township.centre, assign=[Assign(intake_unit, "check", role=role)], data={"item": item.code, "channel": channel})
        life = Life(past, application, materials, applicant, filer)
        self.live(life, township, item, intake_unit, filer or township.clerk, role)
        return life

    def routed_item(self, at: datetime, joint: bool) -> tuple[Township, ServiceItem] | None:
        """A township and an item of its guide that county departments decide — two or more of
        them when `joint` — on the day `at`; None when no guide has one."""
        on = timezone.localtime(at).date()
        for township in self.rng.sample(self.world.townships, len(self.world.townships)):
            coded = [i for i in township.items if i.power_code and not i.agent_point]
            for item in self.rng.sample(coded, len(coded)):
                deciders = self.world.deciders(township, item, on)
                if (len(deciders) > 1) == joint and all(d.unit.kind == Unit.Kind.DEPARTMENT for d in deciders):
                    return township, item
        return None

    def live(self, life: Life, township: Township, item: ServiceItem, intake_unit: Unit, front: User, role: str) -> None:
        rng, app, steps = self.rng, life.application, []
        t = app.received_at
        notice_late = self.chance("notice_late", 0.015)
        if self.chance("notified", 0.10) or self.chance("not_accepted_after_notice", 0.0) or notice_late:
            # One thing missing or defective: told once, on the spot or — rarely — too late.
            t = self.working_days_after(t, rng.uniform(5.5, 8)) if notice_late else self.later(t, 5, 40)
            fault = rng.choice(life.materials) if life.materials else None
            if fault is not None:
                fault.status, fault.problem = rng.choice([MaterialStatus.MISSING, MaterialStatus.DEFECTIVE]), rng.choice(NOTICE_PROBLEMS)
            steps.append(Step(t, front, "notify", summary="出具一次性告知书", note=fault.problem if fault else ""))
            refuse = self.chance("not_accepted_after_notice", 0.06)
            t = self.working_days_after(t, rng.uniform(0.5, 6))

            def supplied(case, fault=fault, t=t):
                if fault is not None:
                    fault.status, fault.supplied_at = MaterialStatus.RECEIVED, t

            steps.append(Step(t, front, "supplement", summary="申请人补正材料", before_save=supplied, assign=[Assign(intake_unit, "check", role=role)]))
            if refuse:  # what was brought still does not meet the conditions
                steps.append(Step(self.later(t, 10, 60), front, "refuse_acceptance", note=NOT_ACCEPTED_REASONS[2]))
                return self.finish(life, steps)
        elif self.chance("not_accepted", 0.03):
            steps.append(Step(self.later(t, 5, 60), front, "refuse_acceptance", note=rng.choice(NOT_ACCEPTED_REASONS[:2])))
            return self.finish(life, steps)
        elif self.chance("withdrawn", 0.02):
            steps.append(Step(self.later(t, 60, 60 * 30), front, "withdraw", note=rng.choice(WITHDRAW_REASONS)))
            return self.finish(life, steps)
        deemed = not steps and self.chance("deemed", 0.015)  # no notice in 5 working days: accepted from receipt (Art. 32(4))
        t = self.working_days_after(t, rng.uniform(5.2, 7)) if deemed else self.later(t, 3, 30)
        deferrable = [m for m in life.materials if m.guide_material.requirement == MaterialRequirement.DEFERRABLE]
        if deferrable and t <= self.now and self.chance("deferred", 0.18):
            self.defer(life, rng.choice(deferrable), t)
        days = item.promised_days or item.statutory_days or 1
        start = app.received_at if deemed else t
        # Routed as acceptance routes it: the township's back office, a county department for an
        # item the township only takes in, several units for a joint item (the lead first).
        deciders = self.world.deciders(township, item, timezone.localtime(t).date())
        lead = deciders[0]
        decider = self.world.people[lead.unit.pk]

        def accept(case, t=t, start=start, days=days, deemed=deemed):
            deadlines.start(case, Limit(days), start)
            case.owner_unit = township.centre
            app.accepted_at, app.deemed_accepted, app.deciding_unit = start, deemed, lead.unit
            life.routes = deciders

        steps.append(Step(t, front, "accept", summary="逾期未告知，视为受理" if deemed else "受理", before_save=accept,
                          assign=[Assign(d.unit, routing.DECIDE, role=d.role) for d in deciders]))
        late = self.chance("late", 0.06)
        span = days * rng.uniform(1.05, 1.5) if late else days * rng.uniform(0.15, 0.9)
        if self.chance("excluded", 0.05) or self.fate == "department_slow":
            t, span = self.exclude(life, decider, steps, self.working_days_after(t, days * rng.uniform(0.1, 0.4))), span * 0.6
        if (days >= 5 or self.fate in ("extended", "department_slow")) and (self.chance("extended", 0.03) or self.fate == "department_slow"):
            t = self.extend(life, township, lead.unit, decider, steps, self.working_days_after(t, days * 0.5))
            span = days * rng.uniform(0.6, 1.3)
        decided_at = self.working_days_after(t, span)
        co_refused = self.co_decide(life, deciders, steps, t, decided_at)
        t = decided_at
        refused = co_refused or self.chance("refused", 0.07)
        reason = CO_REFUSE_REASONS[0] if co_refused else rng.choice(REFUSE_REASONS) if refused else "经审查，符合条件，准予办理"

        def decide(case, t=t, refused=refused, reason=reason):
            app.decision, app.decision_reason, app.legal_basis, app.decided_at = (
                Decision.REFUSED if refused else Decision.APPROVED, reason, LEGAL_BASIS, t)
            if len(deciders) > 1:  # the lead's own opinion, beside the others' (window/joint.py)
                life.opinions.append(Opinion(unit=lead.unit, lead=True, decision=app.decision, reason=reason, legal_basis=item.legal_basis,
                                             decided_by=decider, decided_at=t))

        steps.append(Step(t, decider, "refuse" if refused else "approve", note=reason if refused else "", before_save=decide,
                          assign=[Assign(intake_unit, "deliver", role=role)]))
        method = DeliveryMethod.AGENT_POINT if intake_unit != township.centre else DeliveryMethod.POST if self.fate == "post" else rng.choices(
            [DeliveryMethod.WINDOW, DeliveryMethod.POST], [65, 35] if app.filed_by else [20, 80])[0]
        t = self.later(t, 10, 60 * 8) if method == DeliveryMethod.WINDOW and rng.random() < 0.3 else self.working_days_after(t, rng.uniform(0.3, 4))
        tracking = f"YZ{rng.randrange(10**11, 10**12)}" if method == DeliveryMethod.POST else ""

        def deliver(case, t=t, method=method, tracking=tracking):
            app.delivery_method, app.tracking_number, app.delivered_at = method, tracking, t

        steps.append(Step(t, front, "deliver", summary=f"出件：{DeliveryMethod(method).label}", before_save=deliver))
        if self.fate == "poor" or rng.random() < 0.65:
            grade = rng.choices([5, 4, 3, 2, 1], [20, 30, 25, 15, 10] if late or app.deemed_accepted else [62, 26, 8, 3, 1])[0]
            grade = 1 if self.fate == "poor" else grade
            t = self.later(t, 5, 60 * 24 * 3)

            def rate(case, grade=grade, t=t):
                case.rating, case.rating_comment, case.rated_at = grade, RATE_COMMENTS[grade], t

            # The applicant rates on the window's rating pad; the clerk who handed over records it.
            steps.append(Step(t, front, "rate", summary=f"申请人评价：{GRADES[grade]}", note=RATE_COMMENTS[grade], data={"rating": grade},
                              journal_only=True, before_save=rate))
            if t <= self.now:
                life.rated = (grade, t)
        self.finish(life, steps)

    def defer(self, life: Life, paper: ApplicationMaterial, at: datetime) -> None:
        """The guide lets this paper come later (容缺): due in DEFERRAL_DAYS working days; most come
        by then, some late, a few never."""
        due, _ = deadlines.due_after(at, Limit(DEFERRAL_DAYS))
        paper.status, paper.due_on = MaterialStatus.DEFERRED, timezone.localtime(due).date()
        roll = self.rng.random()
        supplied = self.working_days_after(at, self.rng.uniform(0.5, 4.5)) if roll < 0.82 else (
            self.working_days_after(due, self.rng.uniform(1, 6)) if roll < 0.95 else None)
        paper.supplied_at = supplied if supplied is not None and supplied <= self.now else None

    def exclude(self, life: Life, decider: User, steps: list[Step], paused: datetime) -> datetime:
        """An excluded period (Art. 45): the clock stops while it lasts; the deciding unit's work
        stays open (actions/backoffice.exclude, resume). Returns when it ended."""
        kind, reason = self.rng.choice(EXCLUDE_REASONS)
        expected = self.rng.randint(3, 10)
        ended = self.working_days_after(paused, self.rng.uniform(2, 10))

        def begin(case):
            life.excluded = ExcludedPeriod(kind=kind, reason=reason, expected_days=expected, started_at=paused, started_by=decider)

        def end(case):
            life.excluded.ended_at, life.excluded.ended_by = ended, decider

        steps.append(Step(paused, decider, "exclude", note=reason, summary="进入特别程序", complete="none", before_save=begin))
        steps.append(Step(ended, decider, "resume", summary="特别程序结束", complete="none", before_save=end))
        return ended

    def extend(self, life: Life, township: Township, deciding_unit: Unit, decider: User, steps: list[Step], at: datetime) -> datetime:
        """The deciding unit asks for 10 more working days; its head approves (Art. 42): the
        township's leader, or for a department the department itself (actions/backoffice._approver)."""
        reason = EXTEND_REASONS[0]
        by_department = deciding_unit.kind == Unit.Kind.DEPARTMENT
        approval = Assign(deciding_unit, "approve_extension") if by_department else Assign(township.government, "approve_extension", role=R.TOWNSHIP_LEADER)
        approver = decider if by_department else township.leader
        request = Extension(amount=EXTENSION_DAYS, reason=reason, requested_by=decider, requested_at=at, state=Extension.State.PENDING)
        steps.append(Step(at, decider, "extension_request", summary=f"申请延长{EXTENSION_DAYS}个工作日", note=reason, journal_only=True,
                          assign=[approval]))
        decided = self.later(at, 60, 60 * 20)
        steps.append(Step(decided, approver, "extend", summary=f"延长{EXTENSION_DAYS}个工作日", note=reason, journal_only=True,
                          complete="approve_extension", before_save=lambda case: deadlines.extend(case, EXTENSION_DAYS)))
        life.extension = (request, decided, approver)
        return decided

    def co_decide(self, life: Life, deciders: list[Decider], steps: list[Step], since: datetime, until: datetime) -> bool:
        """A joint item's other units give their opinions before the lead decides (window/joint.py),
        each finishing only its own `decide` work; returns whether one refused."""
        life.opinions = []
        refused = False
        for n, co in enumerate(deciders[1:], 1):
            person = self.world.people[co.unit.pk]
            at = self.later(since, 30, 300) if self.fate == "joint_opinions_in" else since + (until - since) * (0.2 + 0.6 * n / len(deciders))
            no = not self.fate and self.rng.random() < 0.1
            refused = refused or no
            decision, reason = (Decision.REFUSED, CO_REFUSE_REASONS[0]) if no else (Decision.APPROVED, self.rng.choice(OPINION_REASONS))

            def opine(case, co=co, person=person, at=at, decision=decision, reason=reason):
                life.opinions.append(Opinion(unit=co.unit, decision=decision, reason=reason, legal_basis=life.application.service_item.legal_basis,
                                             decided_by=person, decided_at=at))

            steps.append(Step(at, person, "co_decide", summary=f"{co.unit.name}提出意见：{Decision(decision).label}", note=reason,
                              data={"decision": decision}, complete="actor", before_save=opine))
        return refused

    def finish(self, life: Life, steps: list[Step]) -> None:
        """The life up to now; a life whose fate is an open state stops where that state begins
        (it stalled there: the back office has it, the result waits to be collected …)."""
        stop = OPEN_FATES.get(self.fate)
        if stop is not None:
            ends = [i for i, step in enumerate(steps) if step.name in stop]
            steps = steps[: ends[0] + 1] if ends else []
        life.past.steps = [step for step in steps if step.at <= self.now]
        if life.rated is not None and not any(step.name == "rate" for step in life.past.steps):
            life.rated = None


def _applicants(world: World, rng: random.Random, count: int) -> list[Party]:
    """Fictional people of the county, registered once (kernel.parties: sealed ID and phone)."""
    registrar = world.townships[0].clerk
    found = []
    for n in range(count):
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 60))
        body = f"{plan.COUNTY_CODE}{born:%Y%m%d}{n % 1000:03d}"
        name = rng.choice(SURNAMES) + rng.choice([GIVEN[i : i + 2] for i in range(0, len(GIVEN), 2)])
        phone = "1" + rng.choice("3578") + "".join(rng.choice("0123456789") for _ in range(9))
        found.append(register_party(registrar, world.county, Party.Kind.PERSON, name, id_number=body + citizen_id_check_character(body), phone=phone))
    return found


def build_applications(progress, count: int = DEFAULT_APPLICATIONS) -> int:
    county = Area.objects.filter(level="county", code=f"{plan.COUNTY_CODE}000000").first()
    if county is None or count <= 0:
        return 0
    if unscoped(Application, why=DEMO).filter(case__area__path__startswith=county.path).exists():
        progress.step("办件(近一年)", 1).finish("已存在，跳过")
        return 0
    world = World(county)
    if not any(t.items for t in world.townships):
        return 0
    now, rng = timezone.now(), random.Random(SEED)
    with progress.step("办件申请人", 1) as step, transaction.atomic():
        applicants = _applicants(world, rng, max(10, int(count * APPLICANTS_PER_APPLICATION)))
        step.advance()
    drawer = Drawer(world, rng, now, applicants)
    stories = demo_papers.STORIES if count >= 2 * len(demo_papers.STORIES) else ()
    replayed = count - len(stories)
    moments, fates = _plan(drawer, replayed, now)
    with progress.step("办件(近一年)", replayed) as step:
        for start in range(0, replayed, CHUNK):
            lives = [drawer.draw(at, fates.get(i, "")) for i, at in enumerate(moments[start : start + CHUNK], start)]
            with transaction.atomic():
                _save(lives, now)
            step.advance(len(lives))
    with progress.step("办件文书(今日)", len(stories)) as step:
        for n, story in enumerate(stories):
            with transaction.atomic():
                demo_papers.tell(world, story, n, timezone.now() - timedelta(hours=len(stories) - n))
            step.advance()
    return count


def _plan(drawer: Drawer, count: int, now: datetime) -> tuple[list[datetime], dict[int, str]]:
    """The receipt times, oldest first, and which lives have a fate: the last ones each an open
    state (received minutes ago … decided weeks ago and not collected), FATES spread over the year."""
    recent = sorted((now - ago, fate) for fate, ago in RECENT.items())[-count:]
    moments = drawer.moments(count - len(recent))
    fates = {}
    if moments:
        step = max(1, len(moments) // (len(FATES) + 1))
        fates = {min(len(moments) - 1, (n + 1) * step): fate for n, fate in enumerate(FATES) if (n + 1) * step < len(moments)}
    fates |= {len(moments) + n: fate for n, (_, fate) in enumerate(recent)}
    return moments + [at for at, _ in recent], fates


def _save(lives: list[Life], now: datetime) -> None:
    history.replay([life.past for life in lives])
    for life in lives:
        life.application.case = life.past.case
    Application.objects.bulk_create([life.application for life in lives], batch_size=500)
    materials = []
    for life in lives:
        for material in life.materials:
            material.application = life.application
            if material.supplied_at is not None and material.supplied_at > now:
                material.supplied_at = None
        materials += life.materials
    ApplicationMaterial.objects.bulk_create(materials, batch_size=1000)
    CaseParty.objects.bulk_create(
        [CaseParty(case=life.past.case, party=life.applicant, role=CaseParty.Role.APPLICANT, linked_at=life.application.received_at,
                   linked_by=life.filer) for life in lives], batch_size=1000)  # fmt: skip
    FollowUp.objects.bulk_create([f for f in (_follow_up(life, now) for life in lives) if f is not None])
    DecisionRoute.objects.bulk_create([row for life in lives if life.routes for row in routing.route_rows(life.application, life.routes)],
                                      batch_size=1000)
    opinions, excluded = [], []
    for life in lives:
        for opinion in life.opinions or ():
            opinion.application = life.application
            opinions.append(opinion)
        if life.excluded is not None:
            life.excluded.application = life.application
            excluded.append(life.excluded)
    Opinion.objects.bulk_create(opinions)
    ExcludedPeriod.objects.bulk_create(excluded)
    history.save_extensions([(life.past.case, *life.extension) for life in lives if life.extension is not None], now)


def _follow_up(life: Life, now: datetime) -> FollowUp | None:
    """A poor rating's follow-up (kernel/followups.py: 差评 opens one): most closed by its day,
    some late, the latest still open."""
    if life.rated is None or life.rated[0] not in (1, 2):
        return None
    grade, at = life.rated
    due, _ = deadlines.due_after(at, Limit(FOLLOW_UP_DAYS))
    follow_up = FollowUp(case=life.past.case, reason=FollowUp.Reason.DISSATISFIED, rating=grade, opened_at=at, due_at=due)
    done = at + (due - at) * (0.3 + 0.6 * (life.past.case.pk % 10) / 10) if life.past.case.pk % 7 else due + timedelta(days=2)
    if done <= now:
        follow_up.state, follow_up.done_at, follow_up.done_by = FollowUp.State.DONE, done, life.filer
        follow_up.called, follow_up.reached, follow_up.outcome = True, True, FollowUp.Outcome.CLOSED
        follow_up.note = "已向申请人说明情况并致歉，整改措施已落实"
    return follow_up
