"""Intake (受理): how a case of any kind comes in, whatever the channel (INTAKE.md). A kind checks
what is its own (an event's category, photos) and calls `take_in`, which holds what every kind
shares: the kind's channels, the one rule for the place, first-contact ownership, the reporter and
whoever acts for them, and the sealed phone a kind keeps for call-backs."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from zhenjie.accounts.roles import RoleCode
from zhenjie.areas.models import Area
from zhenjie.units.models import Unit

from . import parties, pii, workflow
from .assignments import Assign
from .errors import Rejected
from .models import Case, CaseParty
from .scoping import place_of_report, reach_of, unscoped


class NumberTaken(Rejected):
    """The outside number is one the kind's case of that channel already has (take_in). A sender
    whose push raced another of the same number meets it past its own check for an earlier one
    (integrations.receive answers with the case that won)."""


@dataclass(kw_only=True)
class Intake:
    """What a channel brings about any case: where, who, and when."""

    channel: str
    lng: float | None = None
    lat: float | None = None
    area: Area | None = None  # when there is no position (a hotline order naming a village)
    reporter_name: str = ""
    reporter_phone: str = ""
    agent_name: str = ""  # someone who came in on the reporter's behalf (代理人)
    agent_phone: str = ""
    external_id: str = ""  # the sender's number (12345 order, video alarm): one case per kind and channel
    reported_at: datetime | None = None


@dataclass(frozen=True)
class Reception:
    """Who takes a kind's cases in: the unit for a place (`route`; None when the township has
    none), its first step and who does it; and the channels whose taker owns the case instead."""

    route: Callable[[Area], Unit | None]
    step: str = "register"
    role: str = RoleCode.DISPATCHER
    within: timedelta = timedelta(hours=2)
    first_contact: frozenset[str] = frozenset()  # 首问负责 (seed 002): the taker's unit owns it
    own_step: str = "own"

    def first(self, channel: str, receiver: Unit, at: datetime, *, taker=None, taker_unit: Unit | None = None) -> tuple[Unit, Assign]:
        """The unit that owns a case coming in on `channel` at `at`, and its first step: the
        taker's own on a first-contact channel (when they hold a post), else the receiver's.
        Live intake and the bulk loading of past cases (events/demo.py) both ask here."""
        due_at = at + self.within
        if channel in self.first_contact and taker_unit is not None:
            return taker_unit, Assign(taker_unit, self.own_step, due_at=due_at, user=taker)
        return receiver, Assign(receiver, self.step, due_at=due_at, role=self.role)


@dataclass(frozen=True)
class Received:
    """Where a case coming in lies and who takes it in: what intake reads before it writes."""

    area: Area
    receiver: Unit
    owner: Unit
    first: Assign
    reported_at: datetime


def receive(actor, intake: Intake, *, kind: str, channels: Iterable[str], reception: Reception, county: Area | None) -> Received:
    """Its channel one of the kind's, its place by kernel.scoping.place_of_report, the unit that
    takes it in and its first step (the taker's own on a first-contact channel, else the routed
    unit's). Reads only: a kind calls it before its write transaction, which on SQLite holds the
    database's one writer lock from its first statement (issue 11: creates from many phones)."""
    if intake.channel not in set(channels):
        raise Rejected(f"{kind}.channel_invalid", "渠道不正确", field="channel")
    area = place_of_report(actor, lng=intake.lng, lat=intake.lat, area=intake.area, county=county, kind=kind)
    receiver = reception.route(area)
    if receiver is None:
        raise Rejected(f"{kind}.no_command_centre", f"{area.name}所在乡镇尚未设置指挥中心", field="area")
    reported_at = intake.reported_at or timezone.now()
    taker_unit = taker_unit_of(actor) if intake.channel in reception.first_contact else None
    owner, first = reception.first(intake.channel, receiver, reported_at, taker=actor, taker_unit=taker_unit)
    return Received(area, receiver, owner, first, reported_at)


@transaction.atomic
def take_in(
    actor,
    intake: Intake,
    *,
    kind: str,
    channels: Iterable[str],
    reception: Reception,
    county: Area | None,
    title: str,
    data: dict | None = None,
    received: Received | None = None,
) -> Case:
    """Open a case of `kind` as `intake` brings it (`received`, or receive() now): an outside
    number not taken before by the kind's case of that channel in any county
    (`case_external_unique` holds it for two pushes at once; the caller turns its IntegrityError
    into a Conflict), its reporter (and the agent acting for them) named as parties."""
    received = received or receive(actor, intake, kind=kind, channels=channels, reception=reception, county=county)
    external_id = (intake.external_id or "")[:64]
    if external_id and unscoped(Case, why="an outside number makes one case, in whatever county").filter(
        kind=kind, channel=intake.channel, external_id=external_id
    ).exists():
        raise NumberTaken(f"{kind}.duplicate_external_id", f"编号 {external_id} 已经导入过", field="external_id")
    case = workflow.open_case(
        actor, kind=kind, title=title, area=received.area, owner_unit=received.owner, channel=intake.channel,
        external_id=external_id, number_unit=received.receiver, opened_at=received.reported_at, assign=[received.first], data=data,
    )
    principal = parties.record_reporter(actor, case, intake.reporter_name, intake.reporter_phone)
    if intake.agent_name or intake.agent_phone:
        if principal is None:  # an agent acts for someone named (PARTIES.md); rolled back with the case
            raise Rejected(f"{kind}.principal_required", "代为反映的，须写明所代的当事人", field="reporter_name")
        parties.record_reporter(actor, case, intake.agent_name, intake.agent_phone, role=CaseParty.Role.AGENT, acting_for=principal)
    return case


def taker_unit_of(actor) -> Unit | None:
    """The unit of the staff member who took a report in person (their first unit); None for
    whoever holds no post (a citizen, an outside system)."""
    reach = reach_of(actor)
    return Unit.objects.filter(pk__in=reach.unit_ids).order_by("pk").first() if reach.unit_ids else None


def sealed_phone(phone: str, context: str) -> pii.Sealed:
    """A reporter's number as a kind keeps it on its own row for call-backs: a mobile encrypted
    and masked, a landline (the hotline's callers) masked only, never refused
    (kernel.parties.seal_contact_phone)."""
    return parties.seal_contact_phone(phone, context, strict=False)
