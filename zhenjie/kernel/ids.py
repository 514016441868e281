"""Record ids that come from outside — a URL's path, a query string, a form or JSON field — read
in one place, with one bound.

Database ids are 64-bit signed integers: a number beyond 2**63 - 1 is no id, and a query with it
fails in the database (OverflowError on SQLite, NumericValueOutOfRange on PostgreSQL) as a 500.
So ids are bounded before any query: `<id:…>` in every URL pattern (IdConverter, registered once
in KernelConfig.ready) answers 404 for anything else before a view runs; `parse_id` reads ids
from query strings and forms; the API's `RecordId` and `MAX_ID` (api/schemas.py) are this bound.
(等保 8.1.4.4 入侵防范 / ASVS 5.0 V2 validation: refuse what is not well-formed, at the edge.)"""

MAX_ID = 2**63 - 1
# At most 19 digits (MAX_ID has 19); leading zeros are not an id's spelling.
ID_PATTERN = "[1-9][0-9]{0,18}"


def parse_id(value) -> int | None:
    """The id `value` spells (a str of digits or an int, 1 … MAX_ID), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip()[:20])
    else:
        return None
    return number if 1 <= number <= MAX_ID else None


def parse_ids(values) -> list[int]:
    """The ids among `values` (a form's list of checkboxes); the rest dropped."""
    return [number for value in values if (number := parse_id(value)) is not None]


class IdConverter:
    """`<id:case_id>`: a record id in a URL path, or no match (404) — never an int the database
    cannot hold."""

    regex = ID_PATTERN

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(value)  # the resolver takes this as "no match"
        return number

    def to_url(self, value) -> str:
        return str(int(value))
