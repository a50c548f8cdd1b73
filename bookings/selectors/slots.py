"""The state of a slot for the booking rules: opening range, closures, overlap, quotas."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection

from core.intervals import Interval
from platforms.models import (
    ClosureInterval,
    Machine,
    OpeningHours,
)
from platforms.timezones import local_midnight

from ..models import Booking, BookingStatus, Company

# Statuses that consume a company's weekly quota: what it holds or held, not what it gave up.
QUOTA_STATUSES = (
    BookingStatus.PENDING,
    BookingStatus.CONFIRMED,
    BookingStatus.COMPLETED,
    BookingStatus.NO_SHOW,
)


# The active statuses written into the statement, not passed as parameters: once PostgreSQL
# plans the prepared statement for any parameters (a generic plan), only literals let it use the
# partial index of active bookings; with parameters it read every booking of the machine, and
# the check cost six times as much.
assert all(status.isidentifier() for status in (*Booking.ACTIVE_STATUSES, *QUOTA_STATUSES))
_ACTIVE_LITERALS = ", ".join(f"'{status}'" for status in Booking.ACTIVE_STATUSES)
_QUOTA_LITERALS = ", ".join(f"'{status}'" for status in QUOTA_STATUSES)


@dataclass(frozen=True)
class SlotState:
    within_opening_range: bool
    closed: bool
    taken: bool
    # Whether the company's hours in the slot's week stay within the machine's weekly quota
    # with the slot; None where the query was not asked (no quota, or not answered here).
    within_quota: bool | None = None


# Over the row of ``slot_state_query`` (as ``state``): the slot lies inside one opening range,
# meets no closure and no active booking, and keeps the quota if asked — every check the query
# answers lets it through.
SLOT_FREE = (
    "state.within_opening_range AND NOT state.closed AND NOT state.taken "
    "AND state.within_quota IS NOT FALSE"
)


def slot_state_query(
    machine: Machine,
    start: datetime,
    end: datetime,
    exclude_pk: int | None = None,
    quota_of: int | None = None,
) -> tuple[str, list[Any]]:
    """The SQL of ``slot_state`` and its parameters, written out: it runs on every booking, and
    composing it with the ORM (three EXISTS subqueries) cost more than the database took to
    answer. Its one row's columns are ``SlotState``'s fields. With ``quota_of`` (a company's
    key), a machine with a weekly quota and a slot within one local week, it also answers
    ``within_quota`` (``check_quota``'s sum, in exact seconds)."""
    ops = connection.ops
    quote = ops.quote_name
    tz = machine.platform.tz
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    midnight = ops.adapt_timefield_value(time(0, 0))
    # One opening range covering the slot in wall-clock time; a range closing at 00:00 runs
    # to midnight. Slots across two ranges or two days are left to the caller (merged check).
    if local_end.date() == local_start.date():
        closes_sql = "(oh.closes >= %s OR oh.closes = %s)"
        closes_params = [ops.adapt_timefield_value(local_end.time()), midnight]
    elif local_end.date() == local_start.date() + timedelta(days=1) and local_end.time() == time(0):
        closes_sql, closes_params = "oh.closes = %s", [midnight]
    else:
        closes_sql, closes_params = "1 = 0", []
    buffer = timedelta(minutes=machine.buffer_minutes)
    sql = (
        "SELECT "
        f"EXISTS(SELECT 1 FROM {quote(OpeningHours._meta.db_table)} oh "
        f"WHERE oh.platform_id = %s AND oh.weekday = %s AND oh.opens <= %s AND {closes_sql}) "
        "AS within_opening_range, "
        f"EXISTS(SELECT 1 FROM {quote(ClosureInterval._meta.db_table)} ci "
        f"WHERE ci.machine_id = %s AND ci.{quote('start')} < %s AND ci.{quote('end')} > %s) "
        "AS closed, "
        f"EXISTS(SELECT 1 FROM {quote(Booking._meta.db_table)} b "
        f"WHERE b.machine_id = %s AND b.status IN ({_ACTIVE_LITERALS}) "
        f"AND b.{quote('start')} < %s AND b.{quote('end')} > %s AND b.id <> %s) AS taken, "
    )
    params: list[Any] = [
        machine.platform_id,
        local_start.weekday(),
        ops.adapt_timefield_value(local_start.time()),
        *closes_params,
        machine.pk,
        ops.adapt_datetimefield_value(end),
        ops.adapt_datetimefield_value(start),
        machine.pk,
        ops.adapt_datetimefield_value(end + buffer),
        ops.adapt_datetimefield_value(start - buffer),
        exclude_pk if exclude_pk is not None else 0,
    ]
    quota = machine.weekly_quota_hours
    if quota is None or quota_of is None:
        return sql + "CAST(NULL AS boolean) AS within_quota", params
    if not quota_answerable(machine, start, end):
        # SLOT_FREE lets a quota it was not asked about through: never leave one unanswered.
        raise ValueError("a slot across two local weeks: check its quota with check_quota")
    week = local_week(start, machine)
    sql += (
        "(SELECT COALESCE(SUM(EXTRACT(EPOCH FROM "
        f"LEAST(q.{quote('end')}, %s) - GREATEST(q.{quote('start')}, %s))), 0) "
        f"FROM {quote(Booking._meta.db_table)} q "
        f"WHERE q.company_id = %s AND q.machine_id = %s AND q.status IN ({_QUOTA_LITERALS}) "
        f"AND q.{quote('start')} < %s AND q.{quote('end')} > %s AND q.id <> %s) "
        "+ %s <= %s AS within_quota"
    )
    week_start, week_end = (ops.adapt_datetimefield_value(moment) for moment in week)
    params += [
        week_end,
        week_start,
        quota_of,
        machine.pk,
        week_end,
        week_start,
        exclude_pk if exclude_pk is not None else 0,
        overlap_seconds(week, (start, end)),
        quota * 3600,
    ]
    return sql, params


def quota_answerable(machine: Machine, start: datetime, end: datetime) -> bool:
    """Whether ``slot_state_query`` can answer the machine's weekly quota for the slot: the
    machine has one, and the slot lies within one local week."""
    return machine.weekly_quota_hours is not None and end <= local_week(start, machine)[1]


def slot_state(
    *,
    machine: Machine,
    start: datetime,
    end: datetime,
    exclude_pk: int | None = None,
) -> SlotState:
    """In one query (booking pays for every round trip): whether one opening range covers
    [start, end), whether a closure occurrence overlaps it, and whether an active booking comes
    closer than the machine's buffer (half-open intervals: a booking ending at 10:00 does not
    conflict with one starting at 10:00 unless the machine needs a buffer between them).

    Run it after locking the machine: under READ COMMITTED the statement then sees every
    booking committed by whoever held the lock before.
    """
    sql, params = slot_state_query(machine, start, end, exclude_pk)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return slot_state_of(cursor.fetchone())


def slot_state_of(row: Sequence[Any]) -> SlotState:
    """``SlotState`` from the row of ``slot_state_query`` (SQLite answers 0 and 1)."""
    within, closed, taken, within_quota = row
    return SlotState(
        within_opening_range=bool(within),
        closed=bool(closed),
        taken=bool(taken),
        within_quota=None if within_quota is None else bool(within_quota),
    )


def local_week(moment: datetime, machine: Machine) -> Interval:
    """The platform-local week (Monday 00:00 to Monday 00:00) containing ``moment``, in UTC."""
    tz = machine.platform.tz
    day = moment.astimezone(tz).date()
    monday = day - timedelta(days=day.weekday())
    return local_midnight(monday, tz), local_midnight(monday + timedelta(days=7), tz)


def overlap_seconds(a: Interval, b: Interval) -> Decimal:
    """How long two intervals overlap, in exact seconds (microseconds kept)."""
    overlap = max(min(a[1], b[1]) - max(a[0], b[0]), timedelta(0))
    return Decimal(overlap.days * 86400 + overlap.seconds) + Decimal(overlap.microseconds) / 10**6


def overlap_hours(a: Interval, b: Interval) -> Decimal:
    return overlap_seconds(a, b) / 3600


def company_week_seconds(
    *,
    company: Company,
    machine: Machine,
    week: Interval,
    exclude_pk: int | None = None,
    extra: Sequence[Interval] = (),
) -> Decimal:
    """Seconds ``company`` holds on ``machine`` within ``week`` (a booking across the week
    boundary counts its part in each week), plus the ``extra`` intervals being booked; exact,
    as ``slot_state_query`` sums them."""
    rows = Booking.objects.filter(
        company=company,
        machine=machine,
        status__in=QUOTA_STATUSES,
        start__lt=week[1],
        end__gt=week[0],
    )
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    spans = [*rows.values_list("start", "end"), *extra]
    return sum((overlap_seconds(week, span) for span in spans), Decimal(0))


@dataclass(frozen=True)
class QuotaUse:
    company: Company
    machine: Machine
    used: Decimal
    quota: Decimal


def quota_use_this_week(*, company_ids: Sequence[int], now: datetime) -> list[QuotaUse]:
    """For each company and machine with a weekly quota, the hours held this week (the
    platform's local week); one query."""
    rows = (
        Booking.objects.filter(
            company_id__in=list(company_ids),
            status__in=QUOTA_STATUSES,
            machine__weekly_quota_hours__isnull=False,
            start__lt=now + timedelta(days=8),
            end__gt=now - timedelta(days=8),
        )
        .select_related("machine__platform", "company")
        .order_by("company__name", "machine__name")
    )
    used: dict[tuple[int, int], QuotaUse] = {}
    for booking in rows:
        machine = booking.machine
        hours = overlap_hours(local_week(now, machine), (booking.start, booking.end))
        if not hours:
            continue
        key = (booking.company_id or 0, machine.pk)
        previous = used.get(key)
        used[key] = QuotaUse(
            company=booking.company,  # type: ignore[arg-type]
            machine=machine,
            used=(previous.used if previous else Decimal(0)) + hours,
            quota=machine.weekly_quota_hours or Decimal(0),
        )
    return list(used.values())
