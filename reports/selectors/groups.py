"""Every group of a report (totals, platforms, machines, categories, size classes, regions,
months) from two PostgreSQL statements over one scan of the period's bookings.

Hand-written because the ORM has no ``GROUPING SETS``: one scan instead of one aggregate query
per group, which kept the funder's report within 1.5× of a single query at national scale
(docs/PERFORMANCE.md). The bookings' query itself is the ORM's; the statements around it are
composed with ``psycopg.sql``.
"""

from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from psycopg import sql

from bookings.models import BookingStatus

from .frame import SME_SIZES, duration

GROUPS = {
    "totals": (),
    "machine": ("machine_id",),
    "platform": ("machine__platform_id",),
    "category": ("machine__category",),
    "size": ("company__size_class",),
    "region": ("company__region",),
    "month": ("report_month",),
    "machine_month": ("machine_id", "report_month"),
}

# The column each grouping field is selected as.
_SET_COLUMNS = {
    "machine_id": "g_machine",
    "machine__platform_id": "g_platform",
    "machine__category": "g_category",
    "company__size_class": "g_size",
    "company__region": "g_region",
    "report_month": "g_month",
}

_SUMS = """
    WITH booked AS MATERIALIZED ({booked})
    SELECT {groupings}, {columns},
        SUM(g_booked) FILTER (WHERE g_status IN ({held})) AS hours_booked,
        SUM(g_used) FILTER (WHERE g_status = {completed}) AS hours_used,
        SUM(g_used) FILTER (WHERE g_status = {completed} AND g_measured) AS hours_measured,
        SUM(g_price) FILTER (WHERE g_status IN ({charged})) AS revenue,
        COUNT(*) FILTER (WHERE g_status = {pending}) AS n_pending,
        COUNT(*) FILTER (WHERE g_status = {confirmed}) AS n_confirmed,
        COUNT(*) FILTER (WHERE g_status = {completed}) AS n_completed,
        COUNT(*) FILTER (WHERE g_status = {cancelled} AND NOT g_late) AS n_cancelled,
        COUNT(*) FILTER (WHERE g_status = {cancelled} AND g_late) AS n_late_cancelled,
        COUNT(*) FILTER (WHERE g_status = {no_show}) AS n_no_show,
        COUNT(*) FILTER (WHERE g_status = {rejected}) AS n_rejected
    FROM booked
    GROUP BY GROUPING SETS ({sets})
"""

_SERVED = """
    WITH served AS MATERIALIZED (
        SELECT DISTINCT {columns}, g_siren FROM ({booked}) AS booked
        WHERE g_status = {completed}
    )
    {counts}
"""

_SERVED_COUNT = (
    "SELECT {group} AS grp, {figure} AS figure, {key} AS key, COUNT(*) AS n "
    "FROM (SELECT DISTINCT {listed} FROM served {where}) AS one {grouped}"
)


def _key(values: tuple[Any, ...]) -> Any:
    return values[0] if len(values) == 1 else values


def _list(items: Any) -> sql.Composed:
    return sql.SQL(", ").join(items)


def _literals(*values: str) -> sql.Composed:
    return _list(sql.Literal(str(value)) for value in values)


def groups_by_sets(
    monthly: QuerySet[Any], names: list[str]
) -> dict[str, dict[Any, dict[str, Any]]]:
    """The figures of each group in ``names`` (keys of ``GROUPS``) over the bookings of
    ``monthly`` (annotated with their ``report_month``): for each group, its rows by key (None
    for the totals). The sums and counts come from ``GROUPING SETS`` (hashed: no distinct
    aggregate in it); the distinct SIRENs of completed bookings are deduplicated once and
    counted per group (hash aggregates, where ``COUNT(DISTINCT)`` would sort every group)."""
    inner = monthly.values(
        **{alias: F(column) for column, alias in _SET_COLUMNS.items() if column != "report_month"},
        g_month=F("report_month"),
        g_siren=F("company__siren"),
        g_status=F("status"),
        g_late=F("late_cancellation"),
        g_booked=duration("start", "end"),
        g_used=Coalesce(duration("actual_start", "actual_end"), duration("start", "end")),
        g_price=F("price"),
        g_measured=F("measured"),
    )
    try:
        inner_sql, params = inner.order_by().query.sql_with_params()
    except EmptyResultSet:
        # A scope with no machine at all (a new network): every group is empty.
        return {name: {} for name in names}
    booked = sql.SQL(inner_sql)
    aliases = list(_SET_COLUMNS.values())
    columns = _list(map(sql.Identifier, aliases))
    columns_of = {name: [_SET_COLUMNS[column] for column in GROUPS[name]] for name in names}
    status = BookingStatus
    sums = sql.SQL(_SUMS).format(
        booked=booked,
        groupings=_list(
            sql.SQL("GROUPING({}) AS {}").format(sql.Identifier(a), sql.Identifier(f"is_{a}"))
            for a in aliases
        ),
        columns=columns,
        held=_literals(status.CONFIRMED, status.COMPLETED, status.NO_SHOW),
        charged=_literals(status.COMPLETED, status.NO_SHOW),
        pending=sql.Literal(str(status.PENDING)),
        confirmed=sql.Literal(str(status.CONFIRMED)),
        completed=sql.Literal(str(status.COMPLETED)),
        cancelled=sql.Literal(str(status.CANCELLED)),
        no_show=sql.Literal(str(status.NO_SHOW)),
        rejected=sql.Literal(str(status.REJECTED)),
        sets=_list(
            sql.SQL("({})").format(_list(map(sql.Identifier, columns_of[name]))) for name in names
        ),
    )
    counts = []
    for name in names:
        grouped_by = [sql.Identifier(column) for column in columns_of[name]]
        for figure, only_smes in (("smes_served", True), ("companies_served", False)):
            counts.append(
                sql.SQL(_SERVED_COUNT).format(
                    group=sql.Literal(name),
                    figure=sql.Literal(figure),
                    key=sql.SQL(" || '|' || ").join(
                        sql.SQL("({})::text").format(column) for column in grouped_by
                    )
                    if grouped_by
                    else sql.Literal(""),
                    listed=_list([*grouped_by, sql.Identifier("g_siren")]),
                    where=sql.SQL("WHERE g_size IN ({})").format(_literals(*SME_SIZES))
                    if only_smes
                    else sql.SQL(""),
                    grouped=sql.SQL("GROUP BY {}").format(_list(grouped_by))
                    if grouped_by
                    else sql.SQL(""),
                )
            )
    served = sql.SQL(_SERVED).format(
        columns=columns,
        booked=booked,
        completed=sql.Literal(str(status.COMPLETED)),
        counts=sql.SQL(" UNION ALL ").join(counts),
    )
    groups: dict[str, dict[Any, dict[str, Any]]] = {name: {} for name in names}
    by_grouped = {tuple(columns_of[name]): name for name in names}
    with connection.cursor() as cursor:
        cursor.execute(sums.as_string(cursor.connection), params)
        names_of = [column.name for column in cursor.description]
        for values in cursor.fetchall():
            row = dict(zip(names_of, values, strict=True))
            in_set = tuple(alias for alias in aliases if not row[f"is_{alias}"])
            group = by_grouped[in_set]
            key = _key(tuple(row[alias] for alias in in_set)) if in_set else None
            groups[group][key] = {**row, "smes_served": 0, "companies_served": 0}
        cursor.execute(served.as_string(cursor.connection), params)
        for group, figure, text, count in cursor.fetchall():
            key = _typed_key(group, text)
            if key in groups[group]:
                groups[group][key][figure] = count
    return groups


def _typed_key(name: str, text: str) -> Any:
    """A group's key from its text in the distinct counts' union."""
    if name == "totals":
        return None
    if name in ("machine", "platform"):
        return int(text)
    if name == "machine_month":
        machine, month = text.split("|", 1)
        return (int(machine), month)
    return text
