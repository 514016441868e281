"""Coverage moved from the grid app to accounts (grid.0002, accounts.0003) by changing Django's
picture of the models only: rows written before the move are read after it, unchanged."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from zhenjie.accounts.models import Coverage


@pytest.mark.django_db(transaction=True)
def test_coverage_written_before_the_move_is_read_after_it(world):
    call_command("migrate", "grid", "0001", verbosity=0)
    try:
        old = MigrationExecutor(connection).loader.project_state([("grid", "0001_initial"), ("accounts", "0002_stationed_officer_role")]).apps
        OldCoverage = old.get_model("grid", "Coverage")
        assert OldCoverage._meta.db_table == Coverage._meta.db_table == "grid_coverage"
        row = OldCoverage.objects.create(grid_id=world.grid_a.pk, worker_id=world.grid_worker_a.pk, is_lead=True, note="迁移前")
    finally:
        call_command("migrate", verbosity=0)
    moved = Coverage.objects.get(pk=row.pk)
    assert (moved.grid, moved.worker, moved.is_lead, moved.note, moved.ended_at) == (world.grid_a, world.grid_worker_a, True, "迁移前", None)
