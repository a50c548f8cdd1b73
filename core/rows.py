"""Model instances from one hand-written statement that reads several unrelated tables.

The ORM joins only along relations and compiles every queryset anew (about half a millisecond
for a two-table ``select_related`` on the booking path). Where one round trip must read rows
that no relation joins — the machine locked, its platform, the company booking it — a statement
is written once with ``columns`` and its row turned back into instances with ``instances``,
converted exactly as the ORM converts them (``from_db_value``, SQLite's decimals and dates).
"""

from collections.abc import Sequence
from functools import cache
from typing import Any

from django.db import connections
from django.db.models import Model


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
