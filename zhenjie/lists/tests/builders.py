"""Small builders for the lists' tests: each says what matters to the test and goes through the
same actions a county administrator uses."""

from datetime import date

from zhenjie.lists import actions
from zhenjie.lists.models import ListKind, ListVersion

RESPONSIBILITIES = "1.立案责任：对发现的违法行为予以审查，决定是否立案。\n2.调查责任：全面、客观、公正地调查收集证据。\n3.决定责任：依法作出处罚决定。"
ACCOUNTABILITY = "因不履行或不正确履行行政职责，有下列情形的，依法追究责任：\n1.没有法律和事实依据实施行政处罚的；\n2.违反法定程序实施行政处罚的。"


def power_row(code: str, name: str, unit, *, power_type="行政处罚", level="乡镇", parent_code="", basis="《中华人民共和国城乡规划法》第六十五条") -> dict:
    return {
        "code": code, "name": name, "power_type": power_type, "parent_code": parent_code, "legal_basis": basis,
        "implementing_unit": unit.name, "level": level, "responsibilities": RESPONSIBILITIES, "accountability": ACCOUNTABILITY,
        "remarks": "",
    }


def duty_row(code: str, name: str, department, categories="", domain="城乡建设") -> dict:
    return {
        "code": code, "domain": domain, "name": name, "lead_department": department.name,
        "lead_duty": "负责违法行为的认定和查处，依法作出处理决定。", "township_duty": "负责日常巡查，发现问题及时劝阻并报告，配合做好查处工作。",
        "categories": categories,
    }


def service_row(code: str, name: str, *, level="乡镇(街道)", agent="否", materials=None, service_type="行政给付", statutory_days=20,
                promised_days=5, power_code="", joint_power_codes="") -> dict:
    return {
        "code": code, "name": name, "service_type": service_type, "handling_level": level, "agent_point": agent,
        "power_code": power_code, "joint_power_codes": joint_power_codes,
        "conditions": "具有本县户籍的城乡居民。", "steps": "1.受理\n2.审核\n3.办结", "statutory_days": statutory_days, "promised_days": promised_days,
        "fee": "不收费", "fee_basis": "", "visits": 1, "online": "是", "place": "甲镇便民服务中心2号窗口",
        "hours": "工作日 上午8:30-12:00，下午14:00-17:30", "phone": "0537-8610100", "result": "审批结果通知书",
        "legal_basis": "《社会救助暂行办法》第十一条",
        "materials": materials if materials is not None else [
            {"name": "居民身份证", "form": "原件", "copies": 1, "requirement": "必需", "note": ""},
            {"name": "户口簿", "form": "复印件", "copies": 2, "requirement": "容缺(可后补)", "note": "户主页和本人页"},
        ],
    }


def published_list(actor, *, kind, name, area, rows, effective_from=date(2026, 1, 1)) -> ListVersion:
    series = actions.create_list(actor, kind=kind, name=name, area=area)
    draft = series.versions.get()
    actions.replace_items(actor, draft, [_parsed(draft, row) for row in rows], source="test")
    return actions.publish_version(actor, draft, effective_from=effective_from, note="测试发布")


def _parsed(draft, row):
    from zhenjie.lists.layouts import UnitDirectory, layout_for, parse_values

    values, errors = parse_values(layout_for(draft.series.kind), row, UnitDirectory(draft.series))
    assert not errors, errors
    return values


def township_power_list(world, township=None, count=3, effective_from=date(2026, 1, 1)) -> ListVersion:
    township = township or world.a
    government = world.gov_a if township == world.a else world.gov_b
    rows = [power_row(f"CF{i:03d}", f"对违法建设行为的行政处罚{i}", government) for i in range(1, count + 1)]
    return published_list(world.county_admin, kind=ListKind.POWER, name=f"{township.name}权责清单", area=township, rows=rows, effective_from=effective_from)


def county_power_list(world, effective_from=date(2026, 1, 1)) -> ListVersion:
    rows = [
        power_row("GA-CF-001", "对违反治安管理行为的行政处罚", world.police, level="县级", basis="《中华人民共和国治安管理处罚法》第七条"),
        power_row("GA-JC-002", "对旅馆业治安管理情况的行政检查", world.police, power_type="行政检查", level="县级", basis="《旅馆业治安管理办法》第十五条"),
        power_row("GA-CF-003", "对娱乐场所违反治安管理规定的行政处罚", world.police, level="县级", basis="《娱乐场所管理条例》第四十三条"),
    ]
    return published_list(world.county_admin, kind=ListKind.POWER, name="测试县县直部门权责清单", area=world.county, rows=rows, effective_from=effective_from)


EFFECTIVE = date(2026, 7, 1)  # a delegation's default effective date


def delegate(world, code="GA-CF-003", townships=None, *, state="in_force", effective_from=EFFECTIVE):
    """A delegation of the police's `code` to `townships` (A by default), taken up by each
    township's enforcement team (`world.team_a` / `world.team_b`), in `state`."""
    batch = actions.create_batch(world.county_admin, world.county, title="第一批赋予乡镇县级行政权力事项", document_number="测政发〔2026〕5号")
    delegation = actions.propose_delegation(
        world.county_admin, batch, department=world.police, power_code=code, scope="some",
        townships=townships or [world.a], effective_from=effective_from,
    )
    if state == "proposed":
        return delegation
    for target in delegation.targets.select_related("township"):
        team = world.team_a if target.township == world.a else world.team_b
        actions.assess_capacity(world.county_admin, target, receiving_unit=team, trained_staff=4, assessment="已完成执法资格培训")
    delegation = actions.approve_delegation(world.county_admin, delegation)
    if state == "approved":
        return delegation
    return actions.bring_into_force(world.county_admin, delegation)
