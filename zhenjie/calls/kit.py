"""Calls (乡呼县应) on the page and API kit (kernel/PAGES.md), for their export so far: the list's
columns over the API (`GET /api/calls/export`). Their steps keep their own page (calls/views.py)
and endpoints (calls/api.py) until they move onto the kit."""

from zhenjie.workbench.kit import Kind, register

from . import queries
from .workflow import CALL_WORKFLOW

CALLS = register(Kind(
    slug="calls", workflow=CALL_WORKFLOW, get=queries.get_call_for, title="乡呼县应", steps={}, render="",
    columns=queries.COLUMNS, rows=queries.calls_for,
))  # fmt: skip
