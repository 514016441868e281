"""Gapless document and case numbers per unit, series and year, e.g. 青禾镇交〔2026〕第12号.

The counter row is locked (SELECT … FOR UPDATE) and incremented inside the caller's transaction:
if the record that uses the number rolls back, so does the number, so there are no gaps; two
requests at once queue on the row, so there are no duplicates."""

from django.db import transaction

from .models import NumberSeries


def next_number(unit, series: str, year: int) -> int:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number() must run inside the transaction that uses the number")
    NumberSeries.objects.bulk_create([NumberSeries(unit=unit, series=series, year=year, last=0)], ignore_conflicts=True)
    row = NumberSeries.objects.select_for_update().get(unit=unit, series=series, year=year)
    row.last += 1
    row.save(update_fields=["last"])
    return row.last


def format_number(prefix: str, year: int, number: int) -> str:
    return f"{prefix}〔{year}〕第{number}号"
