"""Builders for the enforcement team's tests: two townships, each with its enforcement team (综合
行政执法队), officers with certificates valid this year, township A's legal reviewer, each
township's power list in force (CF001–CF003, penalties for illegal building), and cases put in a
given state through the workflow engine.

`make_enforcement_case` opens the case directly with the engine (the registration action's own
checks — the power on that date, the limitation period — are tested in its own tests); it is
what every other part's tests start from."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from zhenjie.accounts.roles import RoleCode as R
from zhenjie.areas.models import Area
from zhenjie.kernel import deadlines, workflow
from zhenjie.kernel.assignments import Assign
from zhenjie.kernel.models import Party
from zhenjie.kernel.parties import register_party
from zhenjie.lists.models import PowerItem
from zhenjie.lists.tests.builders import township_power_list
from zhenjie.testing import World, citizen_id, make_user, make_world
from zhenjie.units.actions import create_unit
from zhenjie.units.models import Unit

from .actions.lifecycle import DECISION_LIMIT
from .models import Certificate, DiscretionBenchmark, EnforcementCase, LegalReview, PenaltyNotice, Source
from .workflow import KIND, State

THIS_YEAR = (date(2026, 1, 1), date(2028, 12, 31))
# The five questions of the legal review (行政处罚法 Art. 58), all answered yes.
REVIEW_CHECKS = dict.fromkeys(("facts_clear", "evidence_sufficient", "procedure_lawful", "basis_correct", "penalty_appropriate"), True)


@dataclass
class EnforcementWorld:
    world: World
    team_a: Unit  # 甲镇综合行政执法队
    team_b: Unit
    officer_a1: object
    officer_a2: object
    officer_b1: object
    officer_b2: object
    reviewer_a: object  # legal reviewer of A, no part in any investigation
    leader_a: object  # world.leader_a: decides
    powers_a: dict  # code → PowerItem of A's power list in force
    powers_b: dict
    reviewer_b: object = None  # legal reviewer of B


def certify(officer, area: Area, number: str, valid=THIS_YEAR) -> Certificate:
    return Certificate.objects.create(officer=officer, number=number, issuer="测试县人民政府", area=area,
                                      valid_from=valid[0], valid_until=valid[1])  # fmt: skip


def make_enforcement_world(world: World | None = None) -> EnforcementWorld:
    world = world or make_world()
    team_a = create_unit(None, name="甲镇综合行政执法队", kind=Unit.Kind.CENTRE, area=world.a)
    team_b = create_unit(None, name="乙镇综合行政执法队", kind=Unit.Kind.CENTRE, area=world.b)
    officers = {}
    for name, team, area in (("officer_a1", team_a, world.a), ("officer_a2", team_a, world.a),
                             ("officer_b1", team_b, world.b), ("officer_b2", team_b, world.b)):  # fmt: skip
        officers[name] = make_user(name, team, [R.ENFORCEMENT_OFFICER], area)
        certify(officers[name], area, f"37990{len(officers):03d}")
    powers = {}
    for township in (world.a, world.b):
        version = township_power_list(world, township)
        powers[township.pk] = {item.code: item for item in PowerItem.objects.filter(version=version)}
    return EnforcementWorld(
        world=world, team_a=team_a, team_b=team_b, **officers,
        reviewer_a=make_user("reviewer_a", team_a, [R.LEGAL_REVIEWER], world.a), leader_a=world.leader_a,
        powers_a=powers[world.a.pk], powers_b=powers[world.b.pk],
        reviewer_b=make_user("reviewer_b", team_b, [R.LEGAL_REVIEWER], world.b),
    )  # fmt: skip


def make_party(ew: EnforcementWorld, sequence: int = 1, name: str = "李建国") -> Party:
    return register_party(ew.officer_a1, ew.world.county, Party.Kind.PERSON, name, id_number=citizen_id(sequence), phone="13900139000")


def make_enforcement_case(ew: EnforcementWorld, code: str = "CF001", *, township: Area | None = None, state: str = State.LEAD,
                          party: Party | None = None, is_major: bool = False, is_serious: bool = False, fine=None,
                          decided_on: date | None = None) -> EnforcementCase:
    """A case in `state` (lead, investigating, notified, reviewing, deciding, decided), under the
    township's power `code`, opened by the team's first officer. A decided case carries `fine`
    and its decision time (`decided_on`, today by default) as the decision part records them."""
    township = township or ew.world.a
    in_a = township == ew.world.a
    officer, team = (ew.officer_a1, ew.team_a) if in_a else (ew.officer_b1, ew.team_b)
    power = (ew.powers_a if in_a else ew.powers_b)[code]
    party = party or make_party(ew)
    case = workflow.open_case(officer, kind=KIND, title=f"{power.name}案", area=township, owner_unit=team, channel=Source.PATROL,
                              number_unit=team, assign=[Assign(team, "register", role=R.ENFORCEMENT_OFFICER)])  # fmt: skip
    enforcement = EnforcementCase.objects.create(
        case=case, team=team, source=Source.PATROL, party=party, place=f"{township.name}某村", facts="未经批准擅自搭建彩钢棚。",
        occurred_on=timezone.localdate(), discovered_at=case.opened_at, is_major=is_major,
        is_serious=is_serious,
    )  # fmt: skip
    steps = {
        State.INVESTIGATING: ("register",),
        State.NOTIFIED: ("register", "notify"),
        State.REVIEWING: ("register", "notify", "submit_review"),
        State.DECIDING: ("register", "notify", "ready"),
        State.DECIDED: ("register", "notify", "ready", "decide"),
    }.get(state, ())
    if is_major and "ready" in steps:
        # Art. 58: a major case reaches the decision only through a passed review.
        steps = tuple(part for step in steps for part in (("submit_review", "review_pass") if step == "ready" else (step,)))
    leader = ew.leader_a if in_a else ew.world.leader_b
    for step in steps:
        actor = leader if step == "decide" else officer
        if step == "register":
            workflow.perform(actor, case, step, assign=[Assign(team, "investigate", role=R.ENFORCEMENT_OFFICER)],
                             before_save=lambda c: deadlines.start(c, DECISION_LIMIT))  # fmt: skip
            EnforcementCase.objects.filter(pk=enforcement.pk).update(
                registered_at=case.updated_at, power_code=power.code, power_name=power.name, legal_basis=power.legal_basis,
                power_source="power_list",
            )  # fmt: skip
        elif step == "review_pass":
            reviewer = ew.reviewer_a if in_a else ew.reviewer_b
            workflow.perform(reviewer, case, step)
            pass_review(enforcement, reviewer)
        else:
            workflow.perform(actor, case, step)
        if step == "notify":
            # Part 3's rules read the notice; past NOTIFIED the party waived their days in writing.
            add_notice(enforcement, officer, waived=state != State.NOTIFIED)
    if state == State.DECIDED:
        decided_at = timezone.make_aware(datetime.combine(decided_on, time(10))) if decided_on else timezone.now()
        EnforcementCase.objects.filter(pk=enforcement.pk).update(fine_amount=fine, decided_at=decided_at)
    enforcement.refresh_from_db()
    return enforcement


def add_notice(enforcement: EnforcementCase, officer, *, waived: bool = False, hearing_right: bool = False,
               notified_at=None) -> PenaltyNotice:  # fmt: skip
    """The notice of the intended penalty (part 3) as notify_party keeps it, without its PDF: a
    ¥5,000 fine, the 5 working days counted from `notified_at` (default now)."""
    from .rules_hearing import reply_until

    at = notified_at or timezone.now()
    return PenaltyNotice.objects.create(
        enforcement=enforcement, penalty_kinds=["fine"], fine_amount=Decimal("5000"), penalty_text="罚款人民币5000.00元",
        facts=enforcement.facts or "未经批准擅自搭建彩钢棚。", legal_basis=enforcement.legal_basis or "《测试条例》第一条",
        hearing_right=hearing_right, notified_at=at, reply_until=reply_until(at), issued_by=officer,
        waived_at=at if waived else None, waiver="当事人书面放弃陈述、申辩和听证权利" if waived else "",
    )  # fmt: skip


def waive_reply(enforcement: EnforcementCase) -> None:
    """The party waived their days in writing (part 3), so a notified case may go on at once."""
    PenaltyNotice.objects.filter(enforcement=enforcement).update(waived_at=timezone.now(), waiver="当事人书面放弃陈述、申辩和听证权利")


def pass_review(enforcement: EnforcementCase, reviewer) -> LegalReview:
    """The passed review a major case's decision rests on, as the review action records it."""
    return LegalReview.objects.create(enforcement=enforcement, reviewer=reviewer, passed=True, opinion="同意", reviewed_at=timezone.now(), **REVIEW_CHECKS)


def at(*parts) -> datetime:
    """A moment in the server's time zone: at(2026, 9, 30, 10)."""
    return timezone.make_aware(datetime(*parts))


def make_benchmark(ew: EnforcementWorld, code="CF001", circumstance="一般", low="1000", high="5000") -> DiscretionBenchmark:
    """A discretion benchmark of the county (a fine range for one power and circumstance)."""
    return DiscretionBenchmark.objects.create(county=ew.world.county, power_code=code, circumstance=circumstance, fine_min=Decimal(low),
                                              fine_max=Decimal(high), source_document="测试县行政处罚裁量基准", updated_by=ew.world.county_admin)  # fmt: skip


def serve_reminder(officer, enforcement: EnforcementCase, days_ago: int = 11):
    """The 催告书 served in person `days_ago` days ago through the action, with its default ten days
    to pay: past 10 days the court may be asked today (行政强制法 Art. 54)."""
    from .actions.execution import remind

    return remind(officer, enforcement, served_on=timezone.localdate() - timedelta(days=days_ago), method="in_person")
