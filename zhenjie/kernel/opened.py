"""What opening a case wrote, kept on the case object for the request that opened it: its journal
entries, its open work, the parties linked and the files attached while it was opened. A create
answers from these instead of reading the new case back (issue 11: the re-read was a third of
`POST /api/events`). workflow.open_case starts the record; journal.append, assignments.add,
parties.link_party and attachments.store add to it when their case object carries one; any step
(workflow.perform) drops it, and any other read of the case is a fresh object without one."""

from dataclasses import dataclass, field

ATTRIBUTE = "_zhenjie_opened"


@dataclass
class Opened:
    entries: list = field(default_factory=list)
    open_work: list = field(default_factory=list)
    parties: list = field(default_factory=list)
    attachments: list = field(default_factory=list)


def start(case) -> None:
    setattr(case, ATTRIBUTE, Opened())


def of(case) -> Opened | None:
    """The record, when `case` is the object open_case returned in this request; else None."""
    return getattr(case, ATTRIBUTE, None) if case is not None else None


def note(case, part: str, row) -> None:
    if (opened := of(case)) is not None:
        getattr(opened, part).append(row)


def forget(case) -> None:
    case.__dict__.pop(ATTRIBUTE, None)
