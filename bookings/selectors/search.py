"""The network-wide search: every active machine with a bookable free period in a window, each
with its first free slots, soonest first.

One statement: the platforms' opening periods, the machines' buffered active bookings and
closure intervals as ``tstzmultirange``s, subtracted, clipped to each machine's notice and
horizon, aligned to its slot grid (``fablab_align``, migration ``bookings/0012``), the first
``slots_per_machine`` per machine; Python only sorts. Its answer is a machine's week's
(``availability.bookable_slots``) for every machine at once:
``tests/bookings/test_search_paths.py`` holds the two to it on random data.

A result names its machine by id, with the names it is sorted by; ``with_machines`` loads the
machines of the results a page shows, in one query.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils import timezone
from psycopg import sql

from core.datetimes import check_range
from core.intervals import Interval
from platforms.models import ClosureInterval, Machine, OpeningHours, Platform

from ..models import Booking


@dataclass(frozen=True)
class Criteria:
    """What a search asks."""

    start: datetime
    end: datetime
    now: datetime
    min_free_minutes: int
    limit: int
    category: str | None
    region: str | None
    platforms: list[int] | None
    machine_ids: list[int] | None


@dataclass
class SearchResult:
    machine_id: int
    platform_name: str
    machine_name: str
    first_free: list[Interval]
    machine: Machine | None = None

    @property
    def soonest(self) -> datetime:
        return self.first_free[0][0]

    @property
    def order(self) -> tuple[datetime, str, str]:
        return (self.soonest, self.platform_name, self.machine_name)


def machines_search(
    *,
    start: datetime,
    end: datetime,
    category: str | None = None,
    region: str | None = None,
    platforms: Iterable[int] | None = None,
    machine_ids: Iterable[int] | None = None,
    min_free_minutes: int = 0,
    slots_per_machine: int = 3,
    now: datetime | None = None,
) -> list[SearchResult]:
    """Machines of every active platform with a bookable free period in [start, end), soonest
    first, each with its first ``slots_per_machine`` bookable slots (after the notice, before
    the horizon, on the slot grid, at least ``min_free_minutes`` and the machine's minimum).

    ``machine_ids`` limits the search to those machines (a page of the catalogue). One query,
    whatever the number of machines, bookings and closures. Dates outside the years 2000–2100
    are refused (``OutOfRange``).
    """
    check_range(start, end)
    ids = None if machine_ids is None else list(machine_ids)
    if ids == []:
        return []
    results = _search_in_sql(
        Criteria(
            start=start,
            end=end,
            now=now or timezone.now(),
            min_free_minutes=min_free_minutes,
            limit=slots_per_machine,
            category=category,
            region=region,
            platforms=None if platforms is None else list(platforms),
            machine_ids=ids,
        )
    )
    results.sort(key=lambda result: result.order)
    return results


def with_machines(results: Sequence[SearchResult]) -> list[SearchResult]:
    """``results`` with their machines (and platforms) loaded, in one query at most."""
    missing = [result.machine_id for result in results if result.machine is None]
    if missing:
        loaded = Machine.objects.select_related("platform").in_bulk(missing)
        for result in results:
            if result.machine is None:
                result.machine = loaded[result.machine_id]
    return list(results)


# --- SQL (PostgreSQL) -----------------------------------------------------------------------

SEARCH_SQL = """
WITH m AS (
    SELECT m.id, m.platform_id, p.timezone AS tz, p.name AS platform_name, m.name,
           m.slot_minutes AS slot,
           make_interval(mins => m.buffer_minutes) AS buffer,
           %(now)s::timestamptz + make_interval(hours => m.min_notice_hours) AS earliest,
           %(now)s::timestamptz + make_interval(days => m.max_advance_days) AS latest,
           make_interval(mins => GREATEST(%(min_free)s, m.min_minutes)) AS needed
    FROM {machine} m JOIN {platform} p ON p.id = m.platform_id
    WHERE m.active AND p.active {filters}
),
zone_days AS MATERIALIZED (
    -- each zone's local dates the window touches, the one before (a range closing at
    -- midnight ends on the next) and the end's, with their local midnight and the next:
    -- computed once per zone, not per platform
    SELECT z.tz, d::date AS day,
           fablab_local_instant(d::date + time '00:00', z.tz) AS mid,
           fablab_local_instant(d::date + 1 + time '00:00', z.tz) AS next_mid
    FROM (SELECT DISTINCT tz FROM m) AS z
    CROSS JOIN LATERAL generate_series(
        ((%(start)s::timestamptz - interval '1 day') AT TIME ZONE z.tz)::date,
        (%(end)s::timestamptz AT TIME ZONE z.tz)::date,
        interval '1 day'
    ) AS d
),
days AS (
    SELECT p.platform_id, zd.*
    FROM (SELECT DISTINCT platform_id, tz FROM m) AS p JOIN zone_days zd USING (tz)
),
periods AS (
    -- on a day of 24 hours a wall-clock time is its midnight plus the time; a day with a
    -- clock change converts each
    SELECT days.platform_id,
           CASE WHEN days.next_mid - days.mid = interval '24 hours'
                THEN days.mid + (oh.opens - time '00:00')
                ELSE fablab_local_instant(days.day + oh.opens, days.tz)
           END AS opens,
           CASE WHEN oh.closes = time '00:00' THEN days.next_mid
                WHEN days.next_mid - days.mid = interval '24 hours'
                THEN days.mid + (oh.closes - time '00:00')
                ELSE fablab_local_instant(days.day + oh.closes, days.tz)
           END AS closes
    FROM days JOIN {opening_hours} oh
      ON oh.platform_id = days.platform_id
     AND oh.weekday = extract(isodow FROM days.day)::integer - 1
),
opening AS (
    SELECT platform_id,
           range_agg(tstzrange(opens, closes, '[)'))
             * tstzmultirange(tstzrange(%(start)s, %(end)s, '[)')) AS mr
    FROM periods
    WHERE opens < closes
    GROUP BY platform_id
),
busy AS (
    SELECT m.id AS machine_id, agg.mr
    FROM m CROSS JOIN LATERAL (
        SELECT range_agg(tstzrange(b.start - m.buffer, b."end" + m.buffer, '[)')) AS mr
        FROM {booking} b
        WHERE b.machine_id = m.id AND b.status IN ({active})
          AND b."end" > %(start)s AND b.start < %(end)s
    ) AS agg
),
closed AS (
    SELECT ci.machine_id, range_agg(tstzrange(ci.start, ci."end", '[)')) AS mr
    FROM {closure_interval} ci JOIN m ON m.id = ci.machine_id
    WHERE ci.start < %(end)s AND ci."end" > %(start)s
    GROUP BY ci.machine_id
),
zones AS (
    -- per platform, its first local midnight and the midnight that starts its first day
    -- of other than 24 hours (a clock change), if the window holds one
    SELECT platform_id, min(mid) AS first_mid,
           COALESCE(
               min(mid) FILTER (WHERE next_mid - mid <> interval '24 hours'), 'infinity'
           ) AS change
    FROM days GROUP BY platform_id
),
slots AS (
    -- each machine's free periods in order (unnest yields a multirange's ranges ascending,
    -- and WITH ORDINALITY tells the planner so: no sort, and it stops at the machine's
    -- first slots). A period may hold a slot if it ends after the notice, starts before the
    -- horizon and is long enough before alignment (an hour's margin: a clock change may
    -- lengthen it once aligned). On the slot grid: slots divide a day, so until a clock
    -- change the grid is the first midnight plus whole slots, in instants; from a change
    -- on, fablab_align converts each bound to the wall clock and back.
    SELECT m.id, m.platform_name, m.name, slot.n, slot.s, slot.e
    FROM m
    JOIN opening o ON o.platform_id = m.platform_id
    JOIN zones z ON z.platform_id = m.platform_id
    LEFT JOIN busy ON busy.machine_id = m.id
    LEFT JOIN closed ON closed.machine_id = m.id
    CROSS JOIN LATERAL (
        SELECT u.n, bounds.s, bounds.e
        FROM unnest(
            o.mr - COALESCE(busy.mr, '{{}}'::tstzmultirange)
                 - COALESCE(closed.mr, '{{}}'::tstzmultirange)
        ) WITH ORDINALITY AS u(r, n)
        CROSS JOIN LATERAL (
            SELECT GREATEST(lower(u.r), m.earliest) AS from_, upper(u.r) AS to_
        ) AS period
        CROSS JOIN LATERAL (
            SELECT CASE WHEN period.from_ < z.change
                        THEN z.first_mid + make_interval(mins => m.slot * ceil(
                            date_part('epoch', period.from_ - z.first_mid) / (60 * m.slot)
                        )::integer)
                        ELSE fablab_align(period.from_, m.tz, m.slot, true)
                   END AS s,
                   CASE WHEN period.to_ < z.change
                        THEN z.first_mid + make_interval(mins => m.slot * floor(
                            date_part('epoch', period.to_ - z.first_mid) / (60 * m.slot)
                        )::integer)
                        ELSE fablab_align(period.to_, m.tz, m.slot, false)
                   END AS e
        ) AS bounds
        WHERE period.to_ > m.earliest
          AND period.from_ <= m.latest
          AND period.to_ - period.from_ + interval '1 hour' >= m.needed
          AND bounds.e - bounds.s >= m.needed
          AND bounds.s <= m.latest
        ORDER BY u.n
        LIMIT %(limit)s
    ) AS slot
)
SELECT id, platform_name, name, s, e FROM slots ORDER BY id, n
"""


def search_statement(criteria: Criteria) -> tuple[sql.Composed, dict[str, Any]]:
    """The search's statement and its parameters (also for EXPLAIN in a benchmark)."""
    params: dict[str, Any] = {
        "start": criteria.start,
        "end": criteria.end,
        "now": criteria.now,
        "min_free": criteria.min_free_minutes,
        "limit": criteria.limit,
    }
    filters = []
    if criteria.category:
        filters.append(sql.SQL("AND m.category = %(category)s"))
        params["category"] = criteria.category
    if criteria.region:
        filters.append(sql.SQL("AND p.region = %(region)s"))
        params["region"] = criteria.region
    if criteria.platforms is not None:
        filters.append(sql.SQL("AND m.platform_id = ANY(%(platforms)s)"))
        params["platforms"] = criteria.platforms
    if criteria.machine_ids is not None:
        filters.append(sql.SQL("AND m.id = ANY(%(machine_ids)s)"))
        params["machine_ids"] = criteria.machine_ids
    statement = sql.SQL(SEARCH_SQL).format(
        machine=sql.Identifier(Machine._meta.db_table),
        platform=sql.Identifier(Platform._meta.db_table),
        opening_hours=sql.Identifier(OpeningHours._meta.db_table),
        booking=sql.Identifier(Booking._meta.db_table),
        closure_interval=sql.Identifier(ClosureInterval._meta.db_table),
        filters=sql.SQL(" ").join(filters),
        # literals, not parameters: the partial index of active bookings must match them
        active=sql.SQL(", ").join(sql.Literal(str(status)) for status in Booking.ACTIVE_STATUSES),
    )
    return statement, params


def _search_in_sql(criteria: Criteria) -> list[SearchResult]:
    statement, params = search_statement(criteria)
    results: dict[int, SearchResult] = {}
    for machine_id, platform_name, name, slot_start, slot_end in _fetch(statement, params):
        result = results.get(machine_id)
        if result is None:
            result = results[machine_id] = SearchResult(machine_id, platform_name, name, [])
        result.first_free.append((slot_start, slot_end))
    return list(results.values())


def _fetch(statement: sql.Composed, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The statement's rows, through Django's cursor (so that the query is logged and
    counted), its timestamps read by psycopg's own C loader.

    Django reads each timestamptz through a loader written in Python (to attach the session's
    zone); the search returns up to three slots for each of thousands of machines, and that
    loader cost as much as the query: the whole network's search at 5,000 machines took
    335 ms (p95 450) with it, against 210 ms (p95 350) with the C loader, which returns the
    same aware UTC datetimes (Django's sessions run in UTC). docs/PERFORMANCE.md."""
    from psycopg.types.datetime import TimestamptzLoader

    with connection.cursor() as cursor:
        # Registered on this cursor only.
        cursor.cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
        cursor.execute(statement.as_string(cursor.connection), params)
        return cursor.fetchall()
