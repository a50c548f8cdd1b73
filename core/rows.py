"""Rows in one round trip where the ORM would take several.

The ORM joins only along relations and compiles every queryset anew (about half a millisecond
for a two-table ``select_related`` on the booking path). Where one round trip must read rows
that no relation joins — the machine locked, its platform, the company booking it — a statement
is written once with ``columns`` and its row turned back into instances with ``instance``,
converted exactly as the ORM converts them (``from_db_value``, SQLite's decimals and dates).

``insert_new`` inserts what no unique constraint already holds and says which rows it inserted,
where ``bulk_create(ignore_conflicts=True)`` cannot tell (it needs a read before and after).
"""

from collections.abc import Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import connections
from django.db.models import Field, Model
from django.db.models.constants import OnConflict

M = TypeVar("M", bound=Model)


def columns(model: type[Model], alias: str) -> str:
    """The select list of ``model``'s concrete columns, qualified by ``alias``."""
    quote = connections["default"].ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


@cache
def _converters(model: type[Model], alias: str) -> tuple[tuple[Any, ...], ...]:
    connection = connections[alias]
    found = []
    for field in model._meta.concrete_fields:
        column = field.get_col(model._meta.db_table)
        found.append(
            (
                column,
                tuple(
                    connection.ops.get_db_converters(column) + column.get_db_converters(connection)
                ),
            )
        )
    return tuple(found)


def width(model: type[Model]) -> int:
    """How many columns ``columns`` selects for ``model``."""
    return len(model._meta.concrete_fields)


def instance(model: type[Model], values: Sequence[Any], using: str = "default") -> Model:
    """An instance of ``model`` from the values ``columns(model, …)`` selected, as loaded by
    the ORM (``from_db``: not adding, its database known)."""
    connection = connections[using]
    converted = []
    for value, (column, converters) in zip(values, _converters(model, using), strict=True):
        for convert in converters:
            value = convert(value, column, connection)
        converted.append(value)
    names = [field.attname for field in model._meta.concrete_fields]
    return model.from_db(using, names, converted)


def _inserted_fields(model: type[Model], *, pk_set: bool) -> list[Field]:
    """The fields ``Model.save`` writes in a new row: not generated ones, nor the automatic
    key unless it is already set."""
    opts = model._meta
    return [
        field
        for field in opts.local_concrete_fields
        if not field.generated and (pk_set or field is not opts.auto_field)
    ]


@cache
def _insert_new_parts(
    model: type[Model], using: str, unique: str
) -> tuple[str, str, str, tuple[Field, ...]]:
    """What ``insert_new`` writes for ``model`` around its rows — the INSERT that skips a
    conflict, one row's placeholders, the suffix returning the key and ``unique`` — and the
    fields written, as the ORM's compiler composes them for ``OnConflict.IGNORE``."""
    connection = connections[using]
    ops, opts = connection.ops, model._meta
    pk, key = opts.pk, opts.get_field(unique)
    assert pk is not None and isinstance(key, Field) and key.unique
    fields = tuple(_inserted_fields(model, pk_set=False))
    assert not any(hasattr(field, "get_placeholder") for field in fields)
    columns = ", ".join(ops.quote_name(field.column) for field in fields)
    prefix = (
        f"{ops.insert_statement(on_conflict=OnConflict.IGNORE)} "
        f"{ops.quote_name(opts.db_table)} ({columns}) VALUES "
    )
    returning, _params = ops.return_insert_columns([pk, key])
    conflict = ops.on_conflict_suffix_sql(fields, OnConflict.IGNORE, None, None)
    suffix = " ".join(part for part in (conflict, returning) if part)
    return prefix, f"({', '.join(['%s'] * len(fields))})", f" {suffix}", fields


def insert_new(objs: Sequence[M], *, unique: str, using: str = "default") -> list[M]:
    """Insert ``objs`` (new, of one model), skipping each whose ``unique`` field's value is
    already recorded — also by a concurrent transaction, which PostgreSQL waits for. Returns
    the objects inserted, their primary key set. One statement, as the ORM composes it
    (``INSERT … ON CONFLICT DO NOTHING RETURNING``; ``INSERT OR IGNORE … RETURNING`` on
    SQLite), its parts composed once per model: every notification writes through here."""
    if not objs:
        return []
    model = type(objs[0])
    opts = model._meta
    pk, key = opts.pk, opts.get_field(unique)
    assert pk is not None and isinstance(key, Field)
    connection = connections[using]
    prefix, row, suffix, fields = _insert_new_parts(model, using, unique)
    params = []
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="insert_new")  # type: ignore[attr-defined]
        params += _values(obj, fields, connection)
    with connection.cursor() as cursor:
        cursor.execute(prefix + ", ".join([row] * len(objs)) + suffix, params)
        inserted = dict((value, pk_value) for pk_value, value in cursor.fetchall())
    new = []
    for obj in objs:
        value = getattr(obj, key.attname)
        if value in inserted:
            setattr(obj, pk.attname, inserted.pop(value))
            obj._state.adding, obj._state.db = False, using
            new.append(obj)
    return new


def _values(obj: Model, fields: Sequence[Field], connection: Any) -> list[Any]:
    """The values of ``obj`` for ``fields`` as ``save()`` writes them in a new row: each through
    its ``pre_save`` and ``get_db_prep_save``. Expressions are refused."""
    values = []
    for field in fields:
        value = field.pre_save(obj, add=True)
        if hasattr(value, "resolve_expression"):
            raise TypeError(f"{obj._meta.label}.{field.name}: an expression, not a value")
        values.append(field.get_db_prep_save(value, connection=connection))
    return values


@cache
def _insert_sql(
    model: type[Model],
    using: str,
    pk_set: bool,
    raw: tuple[tuple[str, str], ...],
    source: str | None,
) -> tuple[str, tuple[Field, ...]]:
    """The INSERT ``Model.save`` composes for ``model`` (the same fields, in the same order),
    RETURNING its primary key, with the fields named in ``raw`` written as SQL; and the fields
    whose values are parameters. Composed once: the compiler takes longer than the insert."""
    opts = model._meta
    quote = connections[using].ops.quote_name
    written = dict(raw)
    fields = _inserted_fields(model, pk_set=pk_set)
    assert not any(hasattr(field, "get_placeholder") for field in fields)
    values = ", ".join(written.get(field.name, "%s") for field in fields)
    returning, _params = connections[using].ops.return_insert_columns([opts.pk])
    rows = f"VALUES ({values})" if source is None else f"SELECT {values} FROM {source}"
    sql = (
        f"INSERT INTO {quote(opts.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"{rows} {returning}"
    )
    return sql, tuple(field for field in fields if field.name not in written)


def insert_statement(
    obj: Model,
    *,
    using: str = "default",
    raw: dict[str, str] | None = None,
    source: str | None = None,
) -> tuple[str, list[Any]]:
    """The INSERT of ``obj`` (new) as ``Model.save`` composes it — the same fields, each value
    through its ``pre_save`` and ``get_db_prep_save`` — RETURNING its primary key, to be run
    inside a larger statement; ``raw`` writes the named fields as SQL (a subquery) instead.
    With ``source`` (SQL after ``FROM``: a table of the enclosing ``WITH``, a condition) the
    row is written once per row of that source, ``INSERT … SELECT`` — none if it has none.
    The statement is composed once per model; values that are expressions are refused."""
    opts = type(obj)._meta
    connection = connections[using]
    obj._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
    sql, fields = _insert_sql(
        type(obj),
        using,
        obj._is_pk_set(opts),  # type: ignore[attr-defined]
        tuple(sorted((raw or {}).items())),
        source,
    )
    return sql, _values(obj, fields, connection)
