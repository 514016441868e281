"""Actors who are not users: an outside system (integrations.auth.IntegrationActor), a citizen
without an account (CitizenActor below). The kernel names them on the timeline by their
`display_name` (journal.record keeps no user for them), scoping gives them no reach, and an
action decides on its own what such an actor may do."""

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

    @property
    def display_name(self) -> str:
        return f"群众{('：' + self.name) if self.name else ''}"[:64]
