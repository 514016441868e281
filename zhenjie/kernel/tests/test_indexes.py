"""A database built by today's migrations has every index the models declare.

On SQLite, Django rebuilds a table to change it and keeps only the indexes the model declares:
an index created in plain SQL, or lost in a rebuild, leaves a list sorting every row it may show
(issue 11 found the event list's order index gone this way). Checked on the database the suite
runs on, SQLite or PostgreSQL."""

import pytest
from django.apps import apps
from django.db import connection

pytestmark = pytest.mark.django_db


def _indexes_of(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {name for name, info in connection.introspection.get_constraints(cursor, table).items() if info["index"]}


def test_every_declared_index_exists_in_the_migrated_database():
    missing = []
    for model in apps.get_models():
        if not model.__module__.startswith("zhenjie.") or not model._meta.managed:
            continue
        present = _indexes_of(model._meta.db_table)
        missing += [f"{model._meta.db_table}.{index.name}" for index in model._meta.indexes if index.name not in present]
    assert missing == []
