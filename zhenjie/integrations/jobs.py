"""Background jobs of the integrations (Huey): imports too large to run inside a request."""

from huey.contrib.djhuey import db_task


@db_task()
def run_hotline_import(import_id: int) -> str:
    from .hotline_import import run

    return run(import_id)
