"""The database refuses to delete journal entries on SQLite as well as PostgreSQL (issue 12
item 5; 等保 8.1.4.3 c "避免受到未预期的删除、修改或覆盖").

0002 refused UPDATE on both databases and DELETE on PostgreSQL only, because Django's test
framework empties SQLite tables with DELETE; the test suite now lifts the guard around that one
flush (zhenjie/conftest.py), so production SQLite gets the trigger too. PostgreSQL also refuses
TRUNCATE, which row triggers do not see. On SQLite a migration that rebuilds
kernel_journalentry (Django copies the table for most column changes) drops its triggers: such a
migration must run SQLITE_UP again (the tests that delete and update through the ORM would fail
otherwise)."""

from django.db import migrations

POSTGRES_UP = [
    # kernel_journal_append_only() (0002) raises for any TG_OP, so it serves a statement trigger too.
    """CREATE TRIGGER kernel_journal_no_truncate BEFORE TRUNCATE ON kernel_journalentry
    FOR EACH STATEMENT EXECUTE FUNCTION kernel_journal_append_only()""",
]
POSTGRES_DOWN = ["DROP TRIGGER IF EXISTS kernel_journal_no_truncate ON kernel_journalentry"]
SQLITE_UP = [
    "DROP TRIGGER IF EXISTS kernel_journal_append_only",
    """CREATE TRIGGER kernel_journal_append_only BEFORE UPDATE ON kernel_journalentry
    BEGIN
        SELECT RAISE(ABORT, 'kernel_journalentry is append-only (UPDATE refused)');
    END""",
    """CREATE TRIGGER kernel_journal_no_delete BEFORE DELETE ON kernel_journalentry
    BEGIN
        SELECT RAISE(ABORT, 'kernel_journalentry is append-only (DELETE refused)');
    END""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS kernel_journal_no_delete"]
# What a test that plays the attacker (or empties the database) lifts; see zhenjie.testing.
SQLITE_TRIGGERS = ["kernel_journal_append_only", "kernel_journal_no_delete"]


def _run(sql_by_vendor):
    def run(apps, schema_editor):
        for statement in sql_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, None)

    return run


class Migration(migrations.Migration):
    dependencies = [("kernel", "0016_journal_keyed_heads")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP}),
            _run({"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}),
        )
    ]
