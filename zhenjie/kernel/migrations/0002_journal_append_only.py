"""Make the journal append-only in the database itself, as a second line behind the hash chain.

UPDATE is refused on every database. DELETE is refused on PostgreSQL; on SQLite it is left to the
hash chain to reveal, because SQLite has no TRUNCATE and the test framework empties tables with
DELETE. An administrator with DDL rights can still drop a trigger: that is what `journal verify`
is for."""

from django.db import migrations

POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION kernel_journal_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'kernel_journalentry is append-only (% refused)', TG_OP;
    END;
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER kernel_journal_append_only BEFORE UPDATE OR DELETE ON kernel_journalentry
    FOR EACH ROW EXECUTE FUNCTION kernel_journal_append_only()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS kernel_journal_append_only ON kernel_journalentry",
    "DROP FUNCTION IF EXISTS kernel_journal_append_only()",
]
SQLITE_UP = [
    """CREATE TRIGGER kernel_journal_append_only BEFORE UPDATE ON kernel_journalentry
    BEGIN
        SELECT RAISE(ABORT, 'kernel_journalentry is append-only (UPDATE refused)');
    END""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS kernel_journal_append_only"]


def _run(sql_by_vendor):
    def run(apps, schema_editor):
        for statement in sql_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, None)

    return run


class Migration(migrations.Migration):
    dependencies = [("kernel", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP}),
            _run({"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}),
        )
    ]
