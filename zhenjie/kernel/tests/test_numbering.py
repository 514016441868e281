import threading

import pytest
from django.db import connection, connections, transaction

from zhenjie.kernel.models import NumberSeries
from zhenjie.kernel.numbering import format_number, next_number
from zhenjie.units.models import Unit


@pytest.mark.django_db
def test_numbers_run_per_unit_series_and_year(world):
    with transaction.atomic():
        assert [next_number(world.gov_a, "task", 2026) for _ in range(3)] == [1, 2, 3]
        assert next_number(world.gov_b, "task", 2026) == 1
        assert next_number(world.gov_a, "call", 2026) == 1
        assert next_number(world.gov_a, "task", 2027) == 1
    assert format_number("甲交", 2026, 12) == "甲交〔2026〕第12号"


@pytest.mark.django_db
def test_a_rolled_back_record_gives_its_number_back(world):
    with transaction.atomic():
        assert next_number(world.gov_a, "task", 2026) == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        next_number(world.gov_a, "task", 2026)
        raise RuntimeError("the record failed to save")
    with transaction.atomic():
        assert next_number(world.gov_a, "task", 2026) == 2


@pytest.mark.django_db(transaction=True)
def test_numbering_outside_a_transaction_is_refused():
    from zhenjie.testing import make_world

    with pytest.raises(RuntimeError):
        next_number(make_world().gov_a, "task", 2026)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_get_gapless_distinct_numbers_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite serialises writers itself")
    from zhenjie.testing import make_world

    world = make_world()
    unit_id = world.gov_a.pk
    results: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def worker():
        try:
            start.wait()
            for _ in range(10):
                with transaction.atomic():
                    number = next_number(Unit.objects.get(pk=unit_id), "task", 2026)
                results.append(number)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == list(range(1, 81))
    assert NumberSeries.objects.get(unit_id=unit_id, series="task", year=2026).last == 80
