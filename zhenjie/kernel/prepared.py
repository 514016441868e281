"""Reads whose SQL is compiled once (issue 11). The few queries that nearly every request runs —
the user's reach, who an assignment reaches — cost Django more to build and compile each time
(0.3–0.7 ms apiece on this machine) than the database takes to answer them (0.02–0.05 ms on
SQLite at a million events). A `Prepared` read is written as an ordinary queryset; Django
compiles it once per process and database, with stand-in values, and each call binds the real
values where the stand-ins were.

Only exact parameters can be bound: a value compared with =, <=, >= or IN, which Django passes
through unchanged. A value Django transforms into the SQL (a LIKE pattern, None turned into IS
NULL) is refused when the read is first compiled, naming the value, so a read that would bind
wrongly never runs. A list (of ints or of strings) is bound by its length: each length compiles
once.

Whatever varies from call to call must be one of the values: anything `build` works out for
itself (the time, today's date, a setting) is fixed at the first call, so pass it in.

The SQL depends only on the code and the database's vendor, so nothing needs invalidating.

On PostgreSQL the read is also a prepared statement of the connection (when
`DATABASES["default"]["OPTIONS"]["prepare_threshold"]` is set, as settings.py does unless
DB_PREPARED_STATEMENTS=0): the server parses and plans it once per connection instead of on
every call — about as long as the answer itself for these point reads. Only these reads go
that way: Django's own cursors bind on the client and are never prepared, so a query whose plan
depends on its values (a LIKE prefix, a skewed filter) is never held to one plan."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators

INTS = "ints"  # a list of ints, compiled once per length
STRS = "strs"  # a list of strings, likewise
LISTS = (INTS, STRS)
_KINDS = (int, str, date, datetime, *LISTS)


def _stand_in(kind, index: int, length: int = 0):
    # Values no constant in a query could equal: a read that uses one as a constant is refused.
    if kind is int:
        return -(9 * 10**17) - index
    if kind is str:
        return f"\x1fprepared-{index}\x1f"
    if kind is date:
        return date(1111, 1, 1) + timedelta(days=index)
    if kind is datetime:
        return datetime(1111, 1, 1, 11, 11, 11, tzinfo=UTC) + timedelta(days=index)
    if kind == STRS:
        return [f"\x1fprepared-{index}-{position}\x1f" for position in range(length)]
    return [-(9 * 10**17) - 1000 * (index + 1) - position for position in range(length)]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    slots: tuple[tuple[int, str, int | None], ...]  # (position, value's name, index in its list)
    converters: tuple
    model: type | None  # set when the read gives model instances
    attnames: tuple[str, ...] = ()
    model_columns: slice | None = None  # the model's own columns in a row
    klass_info: dict | None = None  # with select_related: how the related rows are built
    select: tuple = ()


class Prepared:
    """`build(**values)` returns the queryset: `.values_list(...)` (rows as tuples) or the model's
    rows (instances, with what select_related names). `kinds` names each value's kind: int,
    str, date, datetime, INTS or STRS. A queryset's slice is part of its SQL: `[:1]` for `.first()`."""

    def __init__(self, build: Callable[..., QuerySet], **kinds):
        if unknown := [name for name, kind in kinds.items() if kind not in _KINDS]:
            raise ImproperlyConfigured(f"Prepared: unknown kind for {unknown}")
        self.build = build
        self.kinds = kinds
        self._compiled: dict[tuple, _Compiled] = {}

    def __call__(self, using: str = "default", **values) -> list:
        if set(values) != set(self.kinds) or any(value is None for value in values.values()):
            raise TypeError(f"Prepared read takes exactly {sorted(self.kinds)}, none of them None")
        shape = tuple(len(values[name]) if kind in LISTS else 0 for name, kind in self.kinds.items())
        if any(not values[name] for name, kind in self.kinds.items() if kind in LISTS):
            return list(self.build(**values).using(using))  # an empty IN is Django's to fold away
        compiled = self._compiled.get((using, shape)) or self._compile(using, shape)
        connection = connections[using]
        params = list(compiled.params)
        for position, name, item in compiled.slots:
            value = values[name] if item is None else values[name][item]
            params[position] = _adapted(connection, self.kinds[name], value)
        with _cursor(connection) as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = [self._convert(row, compiled.converters, connection) for row in rows]
        if compiled.model is None:
            return [tuple(row) for row in rows]
        related = get_related_populators(compiled.klass_info, compiled.select, using) if compiled.klass_info else ()
        instances = []
        for row in rows:
            instance = compiled.model.from_db(using, compiled.attnames, row[compiled.model_columns])
            for populator in related:
                populator.populate(row, instance)
            instances.append(instance)
        return instances

    def first(self, using: str = "default", **values):
        """The answer's first row, or None (a read sliced `[:1]` asks for no more)."""
        found = self(using, **values)
        return found[0] if found else None

    @staticmethod
    def _convert(row, converters, connection) -> list:
        row = list(row)
        for position, functions, expression in converters:
            value = row[position]
            for function in functions:
                value = function(value, expression, connection)
            row[position] = value
        return row

    def _compile(self, using: str, shape: tuple) -> _Compiled:
        connection = connections[using]
        stand_ins = {name: _stand_in(kind, index, length) for index, ((name, kind), length) in enumerate(zip(self.kinds.items(), shape))}
        queryset = self.build(**stand_ins)
        if queryset._iterable_class not in (ValuesListIterable, ModelIterable) or queryset.query.annotations or queryset._known_related_objects:
            raise ImproperlyConfigured("Prepared: the read must be .values_list(...) or the model's rows (select_related allowed), without annotations")
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        wanted: dict[object, tuple[str, int | None]] = {}
        for name, kind in self.kinds.items():
            value = stand_ins[name]
            for item, element in enumerate(value) if kind in LISTS else [(None, value)]:
                wanted[(type(adapted := _adapted(connection, kind, element)), adapted)] = (name, item)
        slots, found = [], set()
        for position, param in enumerate(params):
            if (slot := wanted.get((type(param), param))) is not None:
                slots.append((position, *slot))
                found.add(slot)
            elif isinstance(param, str) and "\x1fprepared-" in param:
                raise ImproperlyConfigured(f"Prepared: a value is transformed into the SQL ({param!r}), not bound as it is")
        if missing := set(wanted.values()) - found:
            raise ImproperlyConfigured(f"Prepared: {sorted({name for name, _ in missing})} not found as plain parameters")
        if "\x1fprepared-" in sql or str(_stand_in(int, 0))[:8] in sql:
            raise ImproperlyConfigured("Prepared: a value was written into the SQL itself")
        fields = [column for column, _, _ in compiler.select[: compiler.col_count]]
        converters = tuple((position, tuple(functions), expression) for position, (functions, expression) in compiler.get_converters(fields).items())
        if queryset._iterable_class is ValuesListIterable:
            compiled = _Compiled(sql, tuple(params), tuple(slots), converters, None)
        else:
            klass_info = compiler.klass_info
            first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            attnames = tuple(column.target.attname for column, _, _ in compiler.select[first:last])
            compiled = _Compiled(sql, tuple(params), tuple(slots), converters, klass_info["model"], attnames, slice(first, last),
                                 klass_info if klass_info.get("related_klass_infos") else None, tuple(compiler.select))
        self._compiled[(using, shape)] = compiled
        return compiled


def _cursor(connection):
    """Django's cursor, or on PostgreSQL with prepared statements allowed, one that binds on the
    server and prepares what it runs — wrapped as Django wraps its own, so the read is logged
    (with its values, as Django logs its own), counted and its errors translated."""
    if connection.vendor != "postgresql" or connection.settings_dict["OPTIONS"].get("prepare_threshold") is None:
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        raw = _preparing_cursor_class()(connection.connection)
    return _LoggedCursor(raw, connection) if connection.queries_logged else CursorWrapper(raw, connection)


class _LoggedCursor(CursorDebugWrapper):
    def execute(self, sql, params=None):
        # Django names a query by what the driver last sent; a prepared one sends only its name.
        with self.debug_sql(self.db.ops.compose_sql(sql, params)):
            return CursorWrapper.execute(self, sql, params)


def _preparing_cursor_class():
    global _PREPARING_CURSOR
    if _PREPARING_CURSOR is None:
        from django.db.backends.postgresql.base import ServerBindingCursor

        class PreparingCursor(ServerBindingCursor):
            def execute(self, query, params=None, *, prepare=True, binary=None):
                return super().execute(query, params, prepare=prepare, binary=binary)

        _PREPARING_CURSOR = PreparingCursor
    return _PREPARING_CURSOR


_PREPARING_CURSOR = None  # made on first use: psycopg is only imported where PostgreSQL is used


def _adapted(connection, kind, value):
    """A value as Django hands it to the database driver: dates and datetimes in the backend's
    form (SQLite's text), everything else as it is."""
    if kind is date:
        return connection.ops.adapt_datefield_value(value)
    if kind is datetime:
        return connection.ops.adapt_datetimefield_value(value)
    return value
