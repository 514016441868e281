"""Actors who are not users: an outside system (integrations.auth.IntegrationActor), a citizen
without an account (CitizenActor below). The kernel names them on the timeline by
`journal_name` (journal.record keeps no user for them), scoping gives them no reach, and an
action decides on its own what such an actor may do.

Citizens are named in the journal by a pseudonymous reference, never by name: the journal is
append-only and cannot be erased, and a citizen's name in it could never be deleted when the
purpose ends (个人信息保护法 第四十七条; issue 12 item 3). Staff and outside systems by name."""

from dataclasses import dataclass


class OutsideActor:
    pk = None
    is_authenticated = False
    is_active = True

    @property
    def display_name(self) -> str:  # pragma: no cover - every subclass names itself
        raise NotImplementedError


@dataclass(frozen=True, eq=False)
class CitizenActor(OutsideActor):
    """A member of the public: named on the timeline, reaching no case of anyone's.

    `holds_tracking_code_of` is the case whose number and code they showed (kernel.tracking):
    the one case a kind's rule may let them act on — rate it, for events."""

    name: str = ""
    holds_tracking_code_of: int | None = None
    party_id: int | None = None  # the kernel.Party they are on the case, when known

    @property
    def display_name(self) -> str:
        """A pseudonymous reference: the party's number, which the case's parties resolve for
        whoever may see them; never the name."""
        return f"群众(当事人编号{self.party_id})" if self.party_id else "群众"


def journal_name(actor) -> str:
    """How the journal names `actor` (journal.draft): staff by name, outside systems by their key,
    citizens — a CitizenActor, or a citizen's own account — by a pseudonymous reference."""
    if actor is None:
        return "系统"
    if getattr(actor, "kind", None) == "citizen" and getattr(actor, "pk", None):
        return f"群众(用户编号{actor.pk})"
    return (getattr(actor, "display_name", "") or "系统")[:64]
