"""The kernel's input checks (kernel/inputs.py) as grid actions name their refusals
(`grid.<field>_<problem>`), and the journal line each grid change writes."""

from functools import partial

from zhenjie.areas.models import Area
from zhenjie.areas.paths import township_path
from zhenjie.kernel import inputs, journal

text = partial(inputs.text, code="grid")
choice = partial(inputs.choice, code="grid")
integer = partial(inputs.integer, code="grid")
past_date = partial(inputs.past_date, code="grid")


def record(actor, grid: Area, verb: str, subject: str, summary: str, data: dict | None = None):
    """One journal line in the grid's township chain. Never put personal data in `data`: the
    journal is append-only and cannot be corrected or erased later."""
    return journal.record(actor=actor, verb=verb, subject=subject, chain=township_path(grid.path), summary=summary, data=data)
