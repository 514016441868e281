"""Builds the demo county step by step. Every step is idempotent: what exists is left alone."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from zhenjie.accounts import actions as account_actions
from zhenjie.accounts.models import Post, User
from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.actions import create_area
from zhenjie.areas.models import Area
from zhenjie.units.actions import create_unit
from zhenjie.units.models import Unit

from . import county as plan

DEMO_PASSWORD = "Zhenjie@2026"


@dataclass
class AccountPlan:
    username: str
    full_name: str
    unit: Unit | None
    title: str
    roles: list[str]
    jurisdiction: Area | None
    kind: str = User.Kind.STAFF
    extra_posts: list = field(default_factory=list)


def build_areas(progress) -> Area:
    lattice = plan.Lattice()
    total = 1 + len(plan.TOWNSHIPS) + sum(len(t.villages) for t in plan.TOWNSHIPS) * 4
    with progress.step("行政区划", total) as step:
        county = _area(f"{plan.COUNTY_CODE}000000", plan.COUNTY_NAME, "county", None, boundary=lattice.block(0, 0, plan.COLUMNS, plan.ROWS))
        step.advance()
        for t_index, township in enumerate(plan.TOWNSHIPS):
            col, row = township.origin
            town = _area(
                f"{plan.COUNTY_CODE}{township.segment}000", township.name, "township", county,
                township_kind=township.kind, is_developed=township.is_developed, boundary=lattice.block(col, row, 6, 4), sort_order=t_index,
            )
            step.advance()
            for v_index, ((segment, name, kind), (dc, dr, w, h)) in enumerate(zip(township.villages, township.pattern)):
                village = _area(
                    f"{plan.COUNTY_CODE}{township.segment}{segment}", name, "village", town,
                    village_kind=kind, boundary=lattice.block(col + dc, row + dr, w, h), sort_order=v_index,
                )
                step.advance()
                number = 0
                for j in range(h):
                    for i in range(w):
                        number += 1
                        _area(
                            f"{village.code}{number:03d}", f"{name}第{number}网格", "grid", village,
                            boundary=lattice.block(col + dc + i, row + dr + j, 1, 1), sort_order=number,
                        )
                        step.advance()
        step.done = step.total
    return county


def _area(code, name, level, parent, **fields) -> Area:
    existing = Area.objects.filter(code=code).first()
    if existing:
        return existing
    area, _ = create_area(None, code=code, name=name, level=level, parent=parent, **fields)
    return area


def _unit(name, kind, area, **fields) -> Unit:
    existing = Unit.objects.filter(area=area, name=name).first()
    return existing or create_unit(None, name=name, kind=kind, area=area, **fields)


def build_units(progress, county: Area) -> dict:
    """Returns the units by role in the story: departments by slug, township units by name."""
    units: dict = {"departments": {}, "townships": {}}
    total = 1 + len(plan.DEPARTMENTS) + len(plan.TOWNSHIPS) * 22
    with progress.step("机构", total) as step:
        units["county"] = _unit("青禾县人民政府", Unit.Kind.COUNTY_LEADERSHIP, county, short_name="县政府", phone="0537-8800001")
        step.advance()
        for index, (slug, name, short) in enumerate(plan.DEPARTMENTS):
            units["departments"][slug] = _unit(name, Unit.Kind.DEPARTMENT, county, short_name=short, phone=f"0537-88{index + 10:02d}001", sort_order=index)
            step.advance()
        for township in plan.TOWNSHIPS:
            area = Area.objects.get(code=f"{plan.COUNTY_CODE}{township.segment}000")
            own: dict = {}
            government_name = f"{township.name}办事处" if township.kind == "subdistrict" else f"{township.name}人民政府"
            own["government"] = _unit(government_name, Unit.Kind.TOWNSHIP_GOVERNMENT, area, short_name=township.name, phone="0537-86" + township.segment + "00")
            if township.is_developed:
                offices, centres = plan.DEVELOPED_OFFICES, plan.DEVELOPED_CENTRES
            elif township.kind == "subdistrict":
                offices, centres = plan.SUBDISTRICT_OFFICES, plan.CENTRES
            else:
                offices, centres = plan.OFFICES, plan.CENTRES
            for index, name in enumerate(offices):
                kind = Unit.Kind.SERVICE_CENTRE if name in plan.SERVICE_CENTRES else Unit.Kind.OFFICE
                own[name] = _unit(f"{township.name}{name}", kind, area, parent=own["government"], sort_order=10 + index)
                step.advance()
            for index, name in enumerate(centres):
                kind = Unit.Kind.SERVICE_CENTRE if name in plan.SERVICE_CENTRES else Unit.Kind.CENTRE
                own[name] = _unit(f"{township.name}{name}", kind, area, parent=own["government"], sort_order=30 + index)
                step.advance()
            for index, (suffix, department) in enumerate(plan.STATIONED):
                own[suffix] = _unit(
                    f"{township.name.removesuffix('街道').removesuffix('镇').removesuffix('乡')}{suffix}", Unit.Kind.STATIONED, area,
                    home_department=units["departments"][department], sort_order=50 + index,
                )
                step.advance()
            for village in Area.objects.filter(parent=area).order_by("sort_order"):
                committee = "居民委员会" if village.village_kind == Area.VillageKind.COMMUNITY else "村民委员会"
                own[village.code] = _unit(f"{village.name}{committee}", Unit.Kind.VILLAGE_COMMITTEE, village, sort_order=village.sort_order)
                step.advance()
            units["townships"][township.slug] = own
        step.done = step.total
    return units


def account_plans(county: Area, units: dict) -> list[AccountPlan]:
    plans: list[AccountPlan] = []
    counter = iter(range(10_000))

    def add(username, unit, title, roles, jurisdiction, kind=User.Kind.STAFF):
        plans.append(AccountPlan(username, plan.person_name(next(counter)), unit, title, list(roles), jurisdiction, kind))

    data = units["departments"]
    add("county.admin", data["bianban"], "编办业务科科长", [R.COUNTY_ADMIN], county)
    add("sysadmin", data["data"], "系统管理员", [R.SYSTEM_ADMIN], county)
    add("secadmin", data["data"], "安全管理员", [R.SECURITY_ADMIN], county)
    add("auditor", data["data"], "安全审计员", [R.AUDIT_ADMIN], county)
    for slug, department in data.items():
        if slug not in ("data", "bianban"):
            add(f"dept.{slug}", department, "乡呼县应联络员", [R.DEPARTMENT_LIAISON], None)
            # Approves the extensions of the applications the department decides (行政许可法 Art. 42).
            add(f"dept.{slug}.head", department, "分管负责人", [R.DEPARTMENT_LEADER], None)
    for township in plan.TOWNSHIPS:
        own = units["townships"][township.slug]
        area = own["government"].area
        s = township.slug
        leader_title = {"subdistrict": "街道办事处主任", "township": "乡长"}.get(township.kind, "镇长")
        window_unit = own.get("便民服务中心") or own["政务服务局"]
        enforcement_unit = own.get("综合执法队") or own["综合行政执法局"]
        peace_centre = own["和为贵社会治理服务中心"]
        add(f"{s}.leader", own["government"], leader_title, [R.TOWNSHIP_LEADER], area)
        add(f"{s}.dispatcher", own["社会治理综合指挥中心"], "指挥中心调度员", [R.DISPATCHER], area)
        add(f"{s}.window", window_unit, "综合受理窗口", [R.WINDOW_CLERK], area)
        add(f"{s}.backoffice", window_unit, "后台审批", [R.BACK_OFFICE_HANDLER], area)
        add(f"{s}.enforcer1", enforcement_unit, "执法队员", [R.ENFORCEMENT_OFFICER], area)
        add(f"{s}.enforcer2", enforcement_unit, "执法队员", [R.ENFORCEMENT_OFFICER], area)
        add(f"{s}.legal", own["党政办公室"], "法制审核员", [R.LEGAL_REVIEWER], area)
        add(f"{s}.mediator", peace_centre, "人民调解员", [R.MEDIATOR], area)
        add(f"{s}.petition", peace_centre, "信访接待员", [R.PETITION_OFFICER], area)
        add(f"{s}.sifasuo", own["司法所"], "司法所调解员", [R.MEDIATOR], area)
        add(f"{s}.police", own["派出所"], "社区民警", [R.STATIONED_OFFICER], area)
        add(f"{s}.market", own["市场监管所"], "市场监管员", [R.STATIONED_OFFICER], area)
        add(f"{s}.land", own["自然资源所"], "国土资源监管员", [R.STATIONED_OFFICER], area)
        grid_number = 0
        for v_index, village in enumerate(Area.objects.filter(parent=area).order_by("sort_order")):
            add(f"{s}.agent{v_index + 1:02d}", own[village.code], "村级代办员", [R.VILLAGE_AGENT], village)
            for grid in Area.objects.filter(parent=village).order_by("sort_order"):
                grid_number += 1
                add(f"{s}.grid{grid_number:02d}", own[village.code], "专职网格员", [R.GRID_WORKER], grid)
    plans.append(AccountPlan("citizen.demo", "周晓明", None, "", [R.CITIZEN], None, User.Kind.CITIZEN))
    return plans


def build_people(progress, county: Area, units: dict) -> list[AccountPlan]:
    plans = account_plans(county, units)
    password_hash = make_password(DEMO_PASSWORD)
    with progress.step("人员与岗位", len(plans)) as step:
        for entry in plans:
            with transaction.atomic():
                user = User.objects.filter(username=entry.username).first()
                if user is None:
                    if entry.kind == User.Kind.CITIZEN:
                        user = User.objects.create(username=entry.username, full_name=entry.full_name, kind=User.Kind.CITIZEN, password=password_hash)
                    else:
                        user = account_actions.create_staff(None, username=entry.username, full_name=entry.full_name, password="", password_hash=password_hash)
                if entry.unit is not None and not Post.objects.filter(user=user, unit=entry.unit, is_active=True).exists():
                    account_actions.grant_post(None, user=user, unit=entry.unit, title=entry.title, roles=entry.roles, jurisdiction=entry.jurisdiction)
            step.advance()
    return plans


TASK_TEMPLATES = [
    ("开展汛前河道清障排查", "对辖区内河道、沟渠开展清障排查，建立问题台账，发现阻水障碍物立即清除，无法清除的报指挥中心。", 5),
    ("核查低保对象家庭收入变化", "对本村(社区)低保对象逐户入户核查家庭收入和财产变化，填写核查表，发现不符合条件的提出调整意见。", 10),
    ("冬季森林防火隐患排查", "组织对林区周边坟头、农事用火、野外用火情况开展排查，张贴防火宣传，登记重点人员。", 3),
    ("整治背街小巷环境卫生", "对背街小巷积存垃圾、乱堆乱放开展集中整治，整治前后拍照留存。", 5),
    ("排查燃气安全隐患", "配合县住建局对辖区餐饮场所燃气使用情况开展排查，督促安装燃气泄漏报警装置。", 7),
    ("走访高龄独居老人", "入户走访辖区高龄独居老人，了解生活和健康状况，落实结对帮扶人。", 5),
    ("更新实有人口信息", "对网格内新增、迁出人口信息进行核实更新，确保人、房信息一致。", 10),
    ("调处邻里宅基地纠纷", "会同司法所对反映的宅基地界址纠纷开展调解，形成调解意见。", 7),
    ("开展防范电信诈骗宣传", "组织网格员入户发放防诈宣传材料，指导群众安装国家反诈中心APP。", 5),
    ("落实秸秆禁烧巡查", "安排人员对田间地头开展秸秆禁烧巡查，发现焚烧立即制止并报告。", 2),
    ("统计农村改厕后续管护情况", "摸排已改厕农户使用和管护情况，登记问题户厕，提出维修计划。", 10),
    ("核查违规占用耕地线索", "对群众反映的违规占用耕地建房线索开展现场核查，拍照取证，形成核查报告。", 5),
]


def build_tasks(progress, units: dict) -> int:
    """Tasks in every state, some overdue, through the real actions (so the journal is real)."""
    from zhenjie.kernel.models import Case
    from zhenjie.kernel.scoping import unscoped
    from zhenjie.tasks import actions as task_actions

    if unscoped(Case, why="the demo builds the whole county").filter(kind="task").exists():
        progress.step("交办件", 1).finish("已存在，跳过")
        return 0
    now = timezone.now()
    created = 0
    townships = plan.TOWNSHIPS
    with progress.step("交办件", len(townships) * len(TASK_TEMPLATES)) as step:
        for township in townships:
            own = units["townships"][township.slug]
            leader = User.objects.get(username=f"{township.slug}.leader")
            # Village committees and the units with staff in the demo, so every task can move on.
            assignees = [unit for unit in own.values() if unit.kind != Unit.Kind.TOWNSHIP_GOVERNMENT and _someone_in(unit)]
            for index, (title, description, days) in enumerate(TASK_TEMPLATES):
                assignee = assignees[index % len(assignees)]
                opened = now - timedelta(days=(index * 3) % 17, hours=index)
                task = task_actions.assign_task(
                    leader, title=title, description=description, assignee_unit=assignee, working_days=days, opened_at=opened
                )
                worker = _someone_in(assignee)
                stage = index % 6
                if stage >= 1:
                    task_actions.acknowledge_task(worker, task)
                if stage >= 2:
                    task_actions.report_task(worker, task, "已按要求完成，情况如下：" + description[:30] + "……相关照片和台账已留存。")
                if stage >= 3 and stage != 4:
                    task_actions.close_task(leader, task)
                if stage == 4:
                    task_actions.return_task(leader, task, "台账信息不全，请补充问题清单和整改时限后重新反馈。")
                created += 1
                step.advance()
    return created


def _someone_in(unit):
    return User.objects.filter(posts__unit=unit, posts__is_active=True).order_by("pk").first()
