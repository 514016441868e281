"""Gapless document and case numbers per unit, series and year, e.g. 青禾镇交〔2026〕第12号.

The counter row is incremented inside the caller's transaction, which holds its row lock (the
UPDATE's) to the end: if the record that uses the number rolls back, so does the number, so there
are no gaps; two requests at once queue on the row, so there are no duplicates."""

from django.db import transaction

from .models import NumberSeries


def next_number(unit, series: str, year: int) -> int:
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("next_number() must run inside the transaction that uses the number")
    # One statement when the series exists, as it does for all but a unit's first number of a
    # year (issue 11: three statements per case on the write path before). UPDATE … RETURNING is
    # what SQLite ≥ 3.35 and PostgreSQL share; Django's flag for RETURNING on INSERT says the same.
    if connection.features.can_return_columns_from_insert:
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(NumberSeries._meta.db_table)} SET {quote('last')} = {quote('last')} + 1"
                f" WHERE {quote('unit_id')} = %s AND {quote('series')} = %s AND {quote('year')} = %s RETURNING {quote('last')}",
                [unit.pk, series, year],
            )
            row = cursor.fetchone()
        if row is not None:
            return row[0]
    NumberSeries.objects.bulk_create([NumberSeries(unit=unit, series=series, year=year, last=0)], ignore_conflicts=True)
    row = NumberSeries.objects.select_for_update().get(unit=unit, series=series, year=year)
    row.last += 1
    row.save(update_fields=["last"])
    return row.last


def format_number(prefix: str, year: int, number: int) -> str:
    return f"{prefix}〔{year}〕第{number}号"
