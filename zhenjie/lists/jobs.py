"""Background jobs of the lists (Huey): large Excel imports, checked with progress."""

from huey.contrib.djhuey import db_task


@db_task()
def run_import_job(job_id: int) -> None:
    from .actions.imports import run_import

    run_import(job_id)
