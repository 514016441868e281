"""Tracking codes and the public timeline (办理进度查询): a citizen without an account follows
their case by its number and a code shown to them once, for any kind of case. See
CASE_SERVICES.md beside this file.

Only a keyed digest of the code is kept (`Case.tracking_digest`). A wrong number and a wrong code
get the same answer, so neither can be probed; the pages that take them limit how often one
address may try (events.portal_views). What a citizen reads is decided here and by the kind —
the states and, per state, what it chooses to tell — never by the staff scoping rules: no staff
names, no internal notes."""

import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.utils.crypto import salted_hmac

from . import journal
from .errors import NotFound
from .models import Case
from .rating import GRADES
from .scoping import unscoped
from .workflow import workflow_for

# Codes people read off a screen and type on a phone: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8  # 31^8 ≈ 8.5e11 codes; with the pages' lookup limits, not guessable
NUMBER_MAX = 40
# The key's salt names where codes were first issued (the events portal). Changing it would
# invalidate every code already given to a citizen.
_SALT = "zhenjie.events.portal.tracking"


def _digest(code: str) -> str:
    return salted_hmac(_SALT, code.upper()).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def issue_code(case: Case) -> str:
    """A new tracking code for `case`, returned to be shown once; only its digest is kept, and
    issuing again makes the earlier code stop working. Call inside the action that opens the case."""
    code = new_code()
    case.tracking_digest = _digest(code)
    Case.objects.filter(pk=case.pk).update(tracking_digest=case.tracking_digest)
    return code


def find_by_code(number: str, code: str, *, kinds: Iterable[str]) -> Case:
    """The case of one of `kinds` with this number whose code matches; the same answer for a
    wrong number and a wrong code."""
    number, code = (number or "").strip()[:NUMBER_MAX], (code or "").strip().upper()[: CODE_LENGTH * 2]
    # Matched on both: numbers are unique per unit's series, not county-wide (two townships whose
    # names start alike number alike), and the digest is keyed, so comparing it in the database
    # reveals nothing.
    case = (
        unscoped(Case, why="the citizen holds the number and its tracking code")
        .filter(number=number, kind__in=list(kinds), tracking_digest=_digest(code)).select_related("area").first()
        if code and number else None
    )  # fmt: skip
    if case is None:
        raise NotFound("tracking.not_found", "编号或查询码不正确，请核对后重试")
    return case


@dataclass(frozen=True)
class Step:
    at: datetime
    label: str
    note: str = ""


def public_timeline(case: Case, *, notes: Mapping[str, Callable[[Case], str]] | None = None, opened: str = "已受理",
                    verbs: Mapping[str, tuple[str, str]] | None = None) -> list[Step]:
    """The case's states as the citizen sees them, oldest first: `opened` for its opening, the
    workflow's label for every change of state with what the kind tells at that state (`notes`:
    state → what to say, read from the case), and their own rating. `verbs` names steps told by
    what was done rather than the state reached: verb → (label, note), e.g. a reopened case."""
    notes, verbs = notes or {}, verbs or {}
    workflow = workflow_for(case.kind)
    steps = []
    for entry in journal.entries_for_case(case):
        if entry.verb == "open":
            steps.append(Step(entry.created_at, opened))
        elif entry.verb == "rate":
            steps.append(Step(entry.created_at, "您已评价", GRADES.get(entry.data.get("rating"), "")))
        elif entry.verb in verbs:
            steps.append(Step(entry.created_at, *verbs[entry.verb]))
        elif entry.to_state and entry.to_state != entry.from_state:
            tell = notes.get(entry.to_state)
            steps.append(Step(entry.created_at, workflow.state_label(entry.to_state), tell(case) if tell else ""))
    return steps
