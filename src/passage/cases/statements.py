"""List queries compiled to SQL once per set of inputs, then run as that SQL.

Django builds a query's SQL anew on every call. On the 2-core benchmark host that takes 0.5–2 ms
per query, ten to a hundred times what SQLite or PostgreSQL take to answer it (the reminders of
the dashboard: 1.5 ms in the ORM, 0.02 ms in SQLite), and it was most of what the dashboard and
the overdue list cost beyond the bare view.

A ``PreparedQuery`` wraps a builder: a function from a few plain, hashable inputs (a ``Viewer``,
today's date, a knowledge-base version) to a queryset, written with the same access helpers as
every other query. The first call with given inputs compiles the queryset as Django would; later
calls with equal inputs run that SQL again, parameters still bound by the database driver, and
convert the rows with the converters Django chose. Only statements are kept, never rows: every
call asks the database.

Why equal inputs give equal SQL: the builder sees nothing but its arguments and constants, and a
``Viewer`` holds exactly what the access rules read of a user (id, role, active). A role change
is a new key, so it takes effect on the next request, as it did before.

Questions that do not wait for each other's answers can be asked together (``fetch_together``,
``asked_together``, ``PreparedPages.ask_window``): on PostgreSQL their statements share one round
trip (``passage.round_trips``); on SQLite they run one after another, as before.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable
from contextlib import nullcontext
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, ValuesIterable, get_related_populators

from passage.round_trips import Asked, joined_round_trips
from passage.web.kept import Kept, KeptInfo

__all__ = ["Asked", "PreparedPages", "PreparedQuery", "PreparedRecords", "asked_together", "fetch_together"]

# Enough for every staff member's pages for a few days (each inputs' statement is a few KB).
CACHE_SIZE = 256


_Converters = tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]


def _built_on(connection: BaseDatabaseWrapper, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if queryset.db != connection.alias:
        raise ValueError(f"a prepared query runs on {connection.alias!r}, not {queryset.db!r}")
    return queryset


def _converters(compiler: Any, fields: list[Any]) -> _Converters:
    """The converters Django would apply to these columns, by position."""
    return tuple(
        (position, tuple(functions), expression)
        for position, (functions, expression) in compiler.get_converters(fields).items()
    )


def _rows_together(connection: BaseDatabaseWrapper, statements: list[tuple[str, list[Any]]]) -> list[list[Any]]:
    """Each statement's raw rows; on PostgreSQL all sent at once, answered in one round trip."""
    # A pipeline around one statement (or none) would only add its own work.
    joined = joined_round_trips(connection) if len(statements) > 1 else nullcontext()
    cursors = [connection.cursor() for _ in statements]
    try:
        with joined:
            for cursor, (sql, params) in zip(cursors, statements, strict=True):
                cursor.execute(sql, params)
            return [cursor.fetchall() for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()


def _converted(
    connection: BaseDatabaseWrapper, fetched: list[Any], width: int, converters: _Converters
) -> list[list[Any]]:
    rows = []
    for raw in fetched:
        row = list(raw[:width])
        for position, functions, expression in converters:
            for convert in functions:
                row[position] = convert(row[position], expression, connection)
        rows.append(row)
    return rows


def asked_together(*asks: Asked) -> list[Any]:
    """Each question's answer; on PostgreSQL every statement travels in one round trip."""
    connection = connections[DEFAULT_DB_ALIAS]
    raw = iter(_rows_together(connection, [statement for ask in asks for statement in ask.statements]))
    return [ask.answer([next(raw) for _statement in ask.statements]) for ask in asks]


@dataclass(frozen=True)
class _Rows:
    """A compiled ``values()`` query: its SQL (None when nothing can match) and how to read its rows."""

    sql: str | None
    params: tuple[Any, ...]
    names: tuple[str, ...]
    converters: _Converters


@dataclass(frozen=True)
class _Count:
    sql: str | None  # None: Django answered 0 without asking (an empty queryset)
    params: tuple[Any, ...]


def _count_asked(statements: tuple[_Count, ...]) -> Asked:
    """The first count less the others (statements without SQL count 0)."""
    asked = tuple((str(item.sql), list(item.params)) for item in statements if item.sql is not None)
    signs = [1 if position == 0 else -1 for position, item in enumerate(statements) if item.sql is not None]

    def answer(raw: list[list[Any]]) -> int:
        return sum(sign * int(rows[0][0]) for sign, rows in zip(signs, raw, strict=True))

    return Asked(asked, answer)


class PreparedQuery:
    """A list query whose SQL is compiled once per set of inputs.

    Args:
        build: ``build(*inputs) -> QuerySet``; it must depend on nothing but its inputs, which
            must be hashable (``Viewer``, dates, strings, numbers).
        columns: when given, ``rows()`` returns mappings of these columns (``values(*columns)``)
            while ``count()`` still counts on the plain queryset, so that the joins the columns
            need stay out of the count. Without it, ``build`` returns a ``values()`` queryset.
        count_parts: ``count_parts(*inputs, *count_inputs) -> (QuerySet, QuerySet | None)``
            whose counts' difference is the plain query's count (``access.visible_count_parts``):
            counted instead of the plain query, both in one round trip. ``count_inputs`` are
            what only the count needs (``count(*inputs, count_inputs=...)``).
    """

    def __init__(
        self,
        build: Callable[..., QuerySet[Any]],
        columns: tuple[str, ...] = (),
        count_parts: Callable[..., tuple[QuerySet[Any], QuerySet[Any] | None]] | None = None,
    ) -> None:
        self._build = build
        self._columns = columns
        self._count_parts = count_parts
        self._rows: Kept[_Rows] = Kept(CACHE_SIZE)
        self._counts: Kept[tuple[_Count, ...]] = Kept(CACHE_SIZE)

    def rows(self, *inputs: Hashable, window: tuple[int, int] | None = None) -> list[dict[str, Any]]:
        """The query's rows as mappings of column name to value, ``window`` = (start, stop) if given."""
        rows: list[dict[str, Any]] = asked_together(self.rows_ask(*inputs, window=window))[0]
        return rows

    def rows_ask(self, *inputs: Hashable, window: tuple[int, int] | None = None) -> Asked:
        """``rows()`` as a question for ``asked_together``."""
        connection = connections[DEFAULT_DB_ALIAS]
        key = (connection, inputs, window)
        statement = self._rows.get(key)
        if statement is None:
            statement = self._compile_rows(connection, inputs, window)
            self._rows.put(key, statement)
        if statement.sql is None:
            return Asked((), lambda _raw: [])
        names, width, converters = statement.names, len(statement.names), statement.converters

        def answer(raw: list[list[Any]]) -> list[dict[str, Any]]:
            return [dict(zip(names, row, strict=True)) for row in _converted(connection, raw[0], width, converters)]

        return Asked(((statement.sql, list(statement.params)),), answer)

    def count_ask(self, *inputs: Hashable, count_inputs: tuple[Hashable, ...] = ()) -> Asked:
        """``count()`` as a question for ``asked_together``."""
        statements, counted = self._count_statements(inputs, count_inputs)
        if counted is not None:  # Django asked it while it was compiled: nothing left to ask
            return Asked((), lambda _raw: counted)
        return _count_asked(statements)

    def count(self, *inputs: Hashable, count_inputs: tuple[Hashable, ...] = ()) -> int:
        """How many rows the plain query has."""
        statements, counted = self._count_statements(inputs, count_inputs)
        if counted is not None:
            return counted  # Django asked it while it was compiled
        return int(asked_together(_count_asked(statements))[0])

    def _count_statements(
        self, inputs: tuple[Hashable, ...], count_inputs: tuple[Hashable, ...]
    ) -> tuple[tuple[_Count, ...], int | None]:
        """The count's statements, and the count itself when they were compiled (and run) just now."""
        connection = connections[DEFAULT_DB_ALIAS]
        key = (connection, inputs, count_inputs)
        statements = self._counts.get(key)
        if statements is not None:
            return statements, None
        statements, counted = self._compile_counts(connection, inputs, count_inputs)
        self._counts.put(key, statements)
        return statements, counted

    def cache_info(self) -> tuple[KeptInfo, KeptInfo]:
        """The statement caches' hits, misses and sizes: (rows, count)."""
        return self._rows.info(), self._counts.info()

    def _compile_rows(
        self, connection: BaseDatabaseWrapper, inputs: tuple[Hashable, ...], window: tuple[int, int] | None
    ) -> _Rows:
        queryset = _built_on(connection, self._build(*inputs))
        if self._columns:
            queryset = queryset.values(*self._columns)
        if window is not None:
            queryset = queryset[window[0] : window[1]]
        if queryset._iterable_class is not ValuesIterable:
            raise TypeError("a prepared query's rows come from values(): pass columns or build a values() queryset")
        query = queryset.query
        # The names and the order in which Django's ValuesIterable reads the columns.
        names = tuple(query.selected or (*query.extra_select, *query.values_select, *query.annotation_select))
        compiler = query.get_compiler(connection=connection)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return _Rows(None, (), names, ())
        fields = [selected[0] for selected in compiler.select[: compiler.col_count]]
        if compiler.has_composite_fields(fields) or len(fields) != len(names):
            raise TypeError("a prepared query reads plain columns, one per name")
        return _Rows(sql, tuple(params), names, _converters(compiler, fields))

    def _compile_counts(
        self, connection: BaseDatabaseWrapper, inputs: tuple[Hashable, ...], count_inputs: tuple[Hashable, ...]
    ) -> tuple[tuple[_Count, ...], int]:
        """The count's statements and, as this first call's answer, the count Django made with them."""
        if self._count_parts is None:
            if count_inputs:
                raise TypeError("count inputs are for a query counted in parts")
            parts: tuple[QuerySet[Any], ...] = (self._build(*inputs),)
        else:
            whole, less = self._count_parts(*inputs, *count_inputs)
            parts = (whole,) if less is None else (whole, less)
        compiled = [self._compile_count(connection, _built_on(connection, part)) for part in parts]
        return tuple(statement for statement, _counted in compiled), compiled[0][1] - sum(n for _s, n in compiled[1:])

    @staticmethod
    def _compile_count(connection: BaseDatabaseWrapper, queryset: QuerySet[Any]) -> tuple[_Count, int]:
        # Django builds a count's aggregate inside count() and runs it at once: the statement is
        # noted on its way to the driver.
        seen: list[_Count] = []

        def note(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
            seen.append(_Count(sql, tuple(params or ())))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(note):
            counted = queryset.count()
        if not seen:
            return _Count(None, ()), counted  # Django answered without asking: an empty queryset
        if len(seen) != 1:
            raise RuntimeError(f"counting a prepared query took {len(seen)} statements, not one")
        return seen[0], counted


class PreparedPages:
    """A prepared query with its inputs, as a ``Paginator``'s object list: counted and sliced in SQL."""

    def __init__(self, query: PreparedQuery, *inputs: Hashable, count_inputs: tuple[Hashable, ...] = ()) -> None:
        self._query = query
        self._inputs = inputs
        self._count_inputs = count_inputs
        self._asked: tuple[int, tuple[int, int], list[dict[str, Any]]] | None = None

    def ask_window(self, window: tuple[int, int], *others: Asked) -> list[Any]:
        """Ask the count and the rows of ``window`` — with ``others``, in one round trip on
        PostgreSQL — and keep them for the paginator; returns the answers to ``others``."""
        count, rows, *answers = asked_together(
            self._query.count_ask(*self._inputs, count_inputs=self._count_inputs),
            self._query.rows_ask(*self._inputs, window=window),
            *others,
        )
        self._asked = (count, window, rows)
        return answers

    def count(self) -> int:
        if self._asked is not None:
            return self._asked[0]
        return self._query.count(*self._inputs, count_inputs=self._count_inputs)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, bounds: slice) -> list[dict[str, Any]]:
        if not isinstance(bounds, slice) or bounds.step is not None:
            raise TypeError("a page of a prepared query is a plain slice")
        start = bounds.start or 0
        stop = bounds.stop if bounds.stop is not None else start + 10_000
        if self._asked is not None:
            _count, (asked_start, asked_stop), rows = self._asked
            if start == asked_start and stop <= asked_stop:  # the asked window holds this slice
                return rows[: stop - start]
        return self._query.rows(*self._inputs, window=(start, stop))


# Two ids no record can have (version 0; every id Passage makes is a version 4 UUID): compiling
# a query with each shows which parameters are the record's id and that nothing else changes.
_PROBES = (uuid.UUID("00000000-0000-0000-8000-00000000a11a"), uuid.UUID("00000000-0000-0000-8000-00000000b22b"))


@dataclass(frozen=True)
class _Records:
    """A compiled model query with the record's id left as parameters (None: nothing can match)."""

    sql: str | None
    params: tuple[Any, ...]
    id_positions: tuple[int, ...]
    id_as_hex: bool  # the backend stores UUIDs as 32 hex characters (SQLite), not natively
    width: int
    converters: _Converters
    model: type[Model] | None
    init_list: tuple[str, ...]
    model_columns: slice
    related: tuple[Any, ...]  # Django's populators of select_related() objects, stateless


@dataclass(frozen=True)
class _Bound:
    statement: _Records
    params: list[Any]

    def ask(self, connection: BaseDatabaseWrapper) -> Asked:
        """This query as a question for ``asked_together``; no statement when nothing can match."""
        if self.statement.sql is None:
            return Asked((), lambda _raw: [])
        return Asked(((str(self.statement.sql), self.params),), lambda raw: self.instances(connection, raw[0]))

    def instances(self, connection: BaseDatabaseWrapper, fetched: list[Any]) -> list[Any]:
        statement = self.statement
        if statement.model is None:
            return []
        found = []
        for row in _converted(connection, fetched, statement.width, statement.converters):
            instance = statement.model.from_db(connection.alias, statement.init_list, row[statement.model_columns])
            for populator in statement.related:
                populator.populate(row, instance)
            found.append(instance)
        return found


def fetch_together(*asks: tuple[PreparedRecords, uuid.UUID], also: tuple[Asked, ...] = ()) -> list[Any]:
    """The instances of several prepared record queries, each asked as ``(query, record_id)``,
    then the answers to the questions ``also`` asked with them.

    On PostgreSQL every statement travels together, one round trip for all (see ``_rows_together``).
    The instances are what each query's ``fetch`` gives, in the order asked.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    return asked_together(
        *(query._bound(connection, record_id, ()).ask(connection) for query, record_id in asks), *also
    )


class PreparedRecords:
    """A model query about one record (a case and what belongs to it), compiled once per inputs.

    Unlike ``PreparedQuery``, one statement serves every record: the builder is compiled with two
    probe ids, the parameters that differ are the record's id, and every other parameter and the
    SQL must come out the same, or compiling fails. Each call puts the record's id in those
    places, as the driver's bound parameters.

    Args:
        build: ``build(*inputs, record_id) -> QuerySet`` of model instances (``select_related``
            allowed; no annotations, ``prefetch_related`` or related-manager querysets).
    """

    def __init__(self, build: Callable[..., QuerySet[Any]]) -> None:
        self._build = build
        self._statements: Kept[_Records] = Kept(CACHE_SIZE)

    def fetch(self, record_id: uuid.UUID, *inputs: Hashable) -> list[Any]:
        """The instances the builder's queryset gives for this record."""
        connection = connections[DEFAULT_DB_ALIAS]
        return asked_together(self._bound(connection, record_id, inputs).ask(connection))[0]

    def _bound(self, connection: BaseDatabaseWrapper, record_id: uuid.UUID, inputs: tuple[Hashable, ...]) -> _Bound:
        """The statement for these inputs with this record's id in its places."""
        if not isinstance(record_id, uuid.UUID):
            raise TypeError("a record id is a UUID")
        key = (connection, inputs)
        statement = self._statements.get(key)
        if statement is None:
            statement = self._compile(connection, inputs)
            self._statements.put(key, statement)
        params = list(statement.params)
        for position in statement.id_positions:
            params[position] = record_id.hex if statement.id_as_hex else record_id
        return _Bound(statement, params)

    def cache_info(self) -> KeptInfo:
        return self._statements.info()

    def _compile(self, connection: BaseDatabaseWrapper, inputs: tuple[Hashable, ...]) -> _Records:
        compiled = [self._compile_with(connection, inputs, probe) for probe in _PROBES]
        (sql, first, statement), (other_sql, second, _other) = compiled
        if sql is None or other_sql is None:
            if sql != other_sql:
                raise RuntimeError("a prepared record query is empty for one id and not for another")
            return statement
        if sql != other_sql or len(first) != len(second):
            raise RuntimeError("a prepared record query's SQL depends on the record's id")
        positions, as_hex = [], set()
        for position, (one, two) in enumerate(zip(first, second, strict=True)):
            if one == two:
                continue
            if (one, two) == _PROBES:
                as_hex.add(False)
            elif (one, two) == (_PROBES[0].hex, _PROBES[1].hex):
                as_hex.add(True)
            else:
                raise RuntimeError("a prepared record query has a parameter that is not the record's id")
            positions.append(position)
        if not positions or len(as_hex) != 1:
            raise RuntimeError("a prepared record query must ask for its record's id")
        return replace(statement, id_positions=tuple(positions), id_as_hex=as_hex.pop())

    def _compile_with(
        self, connection: BaseDatabaseWrapper, inputs: tuple[Hashable, ...], probe: uuid.UUID
    ) -> tuple[str | None, tuple[Any, ...], _Records]:
        queryset = _built_on(connection, self._build(*inputs, probe))
        if (
            queryset._iterable_class is not ModelIterable
            or queryset._prefetch_related_lookups
            or queryset._known_related_objects
        ):
            raise TypeError("a prepared record query gives plain model instances (select_related at most)")
        compiler = queryset.query.get_compiler(connection=connection)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            empty = _Records(None, (), (), False, 0, (), None, (), slice(0), ())
            return None, (), empty
        if compiler.annotation_col_map:
            raise TypeError("a prepared record query has no annotations")
        select, klass_info = compiler.select, compiler.klass_info
        columns = klass_info["select_fields"]
        fields = [selected[0] for selected in select[: compiler.col_count]]
        statement = _Records(
            sql=sql,
            params=tuple(params),
            id_positions=(),
            id_as_hex=False,
            width=compiler.col_count,
            converters=_converters(compiler, fields),
            model=klass_info["model"],
            init_list=tuple(selected[0].target.attname for selected in select[columns[0] : columns[-1] + 1]),
            model_columns=slice(columns[0], columns[-1] + 1),
            related=tuple(get_related_populators(klass_info, select, connection.alias)),
        )
        return sql, tuple(params), statement
