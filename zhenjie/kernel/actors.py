"""Actors who are not users: an outside system (integrations.auth.IntegrationActor), a citizen
without an account (events.portal.CitizenActor). The kernel names them on the timeline by their
`display_name` (journal.record keeps no user for them), scoping gives them no reach, and an
action decides on its own what such an actor may do."""


class OutsideActor:
    pk = None
    is_authenticated = False
    is_active = True

    @property
    def display_name(self) -> str:  # pragma: no cover - every subclass names itself
        raise NotImplementedError
