"""A database built by today's migrations has every index the models declare.

On SQLite, Django rebuilds a table to change it and keeps only the indexes the model declares:
an index created in plain SQL, or lost in a rebuild, leaves a list sorting every row it may show
(issue 11 found the event list's order index gone this way). Checked on the database the suite
runs on, SQLite or PostgreSQL."""

import pytest
from django.apps import apps

from zhenjie.testing import index_shapes

pytestmark = pytest.mark.django_db


def test_every_declared_index_exists_in_the_migrated_database():
    missing = []
    for model in apps.get_models():
        if not model.__module__.startswith("zhenjie.") or not model._meta.managed:
            continue
        present = set(index_shapes(model._meta.db_table))
        missing += [f"{model._meta.db_table}.{index.name}" for index in model._meta.indexes if index.name not in present]
    assert missing == []


# The indexes the lists walk (issue 11; their plans in docs/PERFORMANCE.md, "Query plans and
# budgets as tests"): name → (columns, orders), checked by what they hold, not only by name.
LIST_INDEXES = {
    "kernel_case": {
        "case_kind_opened": (["kind", "opened_at", "id"], ["ASC", "DESC", "DESC"]),  # tasks_for, calls_for
        "case_kind_state_opened": (["kind", "state", "opened_at", "id"], ["ASC", "ASC", "DESC", "DESC"]),  # a phase of a kind
        # The command screen's (kernel.scoping.jurisdiction_cases): the area leads, or SQLite walks
        # them for the list's badges, which name only the kind (docs/PERFORMANCE.md).
        "case_area_kind_opened": (["area_id", "kind", "opened_at"], ["ASC", "ASC", "ASC"]),
        "case_area_kind_closed": (["area_id", "kind", "closed_at", "opened_at", "state"], ["ASC"] * 5),
        # The open-work badges and figures, counted from the index (partial: open cases only).
        "case_open_figures": (["area_id", "kind", "closed_at", "state", "opened_at", "due_at", "paused_at", "id"], ["ASC"] * 8),
        # The map's newest open cases (partial: open cases only).
        "case_open_newest": (["kind", "opened_at", "id", "area_id"], ["ASC", "DESC", "DESC", "ASC"]),
    },
    # Every list's reach (kernel.scoping.reach_of) reads whom the user stands in for today (AB岗).
    "accounts_standin": {"standin_current": (["stand_in_id", "ends_on"], ["ASC", "ASC"])},
    "kernel_assignment": {  # the inbox's heads, one per branch (partial: open only)
        "assignment_open_unit_due": (["unit_id", "due_at"], ["ASC", "ASC"]),
        "assignment_open_user_due": (["user_id", "due_at"], ["ASC", "ASC"]),
    },
}


@pytest.mark.parametrize("table", sorted(LIST_INDEXES))
def test_a_migrated_database_has_the_indexes_the_lists_walk(table):
    shapes = index_shapes(table)
    assert {name: shapes.get(name) for name in LIST_INDEXES[table]} == LIST_INDEXES[table]


def test_the_cases_sent_outside_are_found_by_unit_in_a_migrated_database():
    """The tab badges' second part (kernel.scoping.counting_parts) reads kernel_sentoutside by the
    user's units: the unique (unit, case) index answers it, and keeps each case once per unit."""
    from django.db import connection

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "kernel_sentoutside")
    assert any(c["unique"] and c["columns"] == ["unit_id", "case_id"] for c in constraints.values()), constraints
