"""Read queries of the booking core: membership, conflicts, rules' inputs, availability, search.

Availability and search run a fixed number of queries whatever the number of machines,
bookings and closures: opening hours, bookings and closure intervals are each loaded once for
all machines, then combined in Python.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from platforms.models import (
    Closure,
    ClosureInterval,
    Machine,
    OpeningHours,
    Platform,
    Qualification,
    QualificationStatus,
)
from platforms.selectors import Interval, merge_intervals, opening_intervals
from platforms.timezones import aware_lenient, local_midnight

from .models import Booking, BookingStatus, Company, Membership

# Statuses that consume a company's weekly quota: what it holds or held, not what it gave up.
QUOTA_STATUSES = (
    BookingStatus.PENDING,
    BookingStatus.CONFIRMED,
    BookingStatus.COMPLETED,
    BookingStatus.NO_SHOW,
)


def user_is_member(*, user: object, company: Company | None) -> bool:
    """Whether ``user`` belongs to ``company`` (either role)."""
    if company is None or not getattr(user, "is_authenticated", False):
        return False
    return company.memberships.filter(user_id=user.pk).exists()  # type: ignore[attr-defined]


def bookings_visible_to(*, user: Any, own_companies_only: bool = False) -> QuerySet[Booking]:
    """The bookings ``user`` may see: their companies', and those of the platforms they
    operate; staff see all. The API and the UI list through this one selector."""
    if not getattr(user, "is_authenticated", False):
        return Booking.objects.none()
    if user.is_staff and not own_companies_only:
        return Booking.objects.all()
    own = Exists(Membership.objects.filter(company_id=OuterRef("company_id"), user_id=user.pk))
    if own_companies_only:
        return Booking.objects.filter(own)
    operated = Exists(
        Platform.operators.through.objects.filter(
            platform_id=OuterRef("machine__platform_id"), user_id=user.pk
        )
    )
    return Booking.objects.filter(own | operated)


@dataclass(frozen=True)
class SlotState:
    within_opening_range: bool
    closed: bool
    taken: bool


def _slot_state_sql(
    machine: Machine, start: datetime, end: datetime, exclude_pk: int | None
) -> tuple[str, list[Any]]:
    """The SQL of ``slot_state``, written out: it runs on every booking, and composing it with
    the ORM (three EXISTS subqueries) cost more than the database took to answer."""
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
        f"WHERE oh.platform_id = %s AND oh.weekday = %s AND oh.opens <= %s AND {closes_sql}), "
        f"EXISTS(SELECT 1 FROM {quote(ClosureInterval._meta.db_table)} ci "
        f"WHERE ci.machine_id = %s AND ci.{quote('start')} < %s AND ci.{quote('end')} > %s), "
        f"EXISTS(SELECT 1 FROM {quote(Booking._meta.db_table)} b "
        f"WHERE b.machine_id = %s AND b.status IN (%s, %s) "
        f"AND b.{quote('start')} < %s AND b.{quote('end')} > %s AND b.id <> %s)"
    )
    params = [
        machine.platform_id,
        local_start.weekday(),
        ops.adapt_timefield_value(local_start.time()),
        *closes_params,
        machine.pk,
        ops.adapt_datetimefield_value(end),
        ops.adapt_datetimefield_value(start),
        machine.pk,
        *Booking.ACTIVE_STATUSES,
        ops.adapt_datetimefield_value(end + buffer),
        ops.adapt_datetimefield_value(start - buffer),
        exclude_pk if exclude_pk is not None else 0,
    ]
    return sql, [str(p) if isinstance(p, BookingStatus) else p for p in params]


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
    sql, params = _slot_state_sql(machine, start, end, exclude_pk)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        within, closed, taken = cursor.fetchone()
    return SlotState(within_opening_range=bool(within), closed=bool(closed), taken=bool(taken))


def user_is_qualified(*, user: Any, machine: Machine, on: date) -> bool:
    """Whether ``user`` holds a granted qualification on ``machine`` still valid on ``on``."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Qualification.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=on),
        user=user,
        machine=machine,
        status=QualificationStatus.GRANTED,
    ).exists()


def local_week(moment: datetime, machine: Machine) -> Interval:
    """The platform-local week (Monday 00:00 to Monday 00:00) containing ``moment``, in UTC."""
    tz = machine.platform.tz
    day = moment.astimezone(tz).date()
    monday = day - timedelta(days=day.weekday())
    return local_midnight(monday, tz), local_midnight(monday + timedelta(days=7), tz)


def overlap_hours(a: Interval, b: Interval) -> Decimal:
    seconds = (min(a[1], b[1]) - max(a[0], b[0])).total_seconds()
    return Decimal(max(seconds, 0)) / Decimal(3600)


def company_week_hours(
    *,
    company: Company,
    machine: Machine,
    week: Interval,
    exclude_pk: int | None = None,
    extra: Sequence[Interval] = (),
) -> Decimal:
    """Hours ``company`` holds on ``machine`` within ``week`` (a booking across the week
    boundary counts its part in each week), plus the ``extra`` intervals being booked."""
    rows = Booking.objects.filter(
        company=company,
        machine=machine,
        status__in=QUOTA_STATUSES,
        start__lt=week[1],
        end__gt=week[0],
    )
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    total = sum(
        (overlap_hours(week, span) for span in rows.values_list("start", "end")), Decimal(0)
    )
    return total + sum((overlap_hours(week, span) for span in extra), Decimal(0))


def bookings_affected_by_closure(*, closure: Closure) -> QuerySet[Booking]:
    """Active bookings that a closure's occurrences overlap, for the operator to cancel or move."""
    overlapping = ClosureInterval.objects.filter(
        closure=closure,
        machine_id=OuterRef("machine_id"),
        start__lt=OuterRef("end"),
        end__gt=OuterRef("start"),
    )
    return (
        Booking.objects.filter(status__in=Booking.ACTIVE_STATUSES, end__gt=timezone.now())
        .filter(Exists(overlapping))
        .select_related("machine__platform", "company", "booked_by")
        .order_by("start")
    )


# --- Availability and search ------------------------------------------------------------


@dataclass(frozen=True)
class BusyInterval:
    start: datetime
    end: datetime
    booking_id: int
    company_id: int | None
    status: str


@dataclass
class Availability:
    """A machine's free periods (open, bookable) and busy periods in a window."""

    machine: Machine
    start: datetime
    end: datetime
    free: list[Interval] = field(default_factory=list)
    busy: list[BusyInterval] = field(default_factory=list)
    closed: list[Interval] = field(default_factory=list)


def subtract_intervals(base: list[Interval], remove: list[Interval]) -> list[Interval]:
    """``base`` minus ``remove``; ``base`` sorted and disjoint (as ``merge_intervals`` returns)."""
    result: list[Interval] = []
    cuts = merge_intervals(remove)
    for start, end in base:
        cursor = start
        for cut_start, cut_end in cuts:
            if cut_end <= cursor or cut_start >= end:
                continue
            if cut_start > cursor:
                result.append((cursor, cut_start))
            cursor = max(cursor, cut_end)
            if cursor >= end:
                break
        if cursor < end:
            result.append((cursor, end))
    return result


def _availability(
    *,
    machine: Machine,
    start: datetime,
    end: datetime,
    opening: list[Interval],
    busy: list[BusyInterval],
    closed: list[Interval],
) -> Availability:
    buffer = timedelta(minutes=machine.buffer_minutes)
    return Availability(
        machine=machine,
        start=start,
        end=end,
        free=_free(opening, [(b.start, b.end) for b in busy], closed, buffer),
        busy=busy,
        closed=merge_intervals(closed),
    )


def _free(
    opening: list[Interval], busy: list[Interval], closed: list[Interval], buffer: timedelta
) -> list[Interval]:
    """Opening periods (already clipped to the window) minus buffered bookings and closures."""
    if buffer:
        busy = [(s - buffer, e + buffer) for s, e in busy]
    return subtract_intervals(opening, busy + closed)


def _opening_window(
    *, machine: Machine, start: datetime, end: datetime, hours: Iterable[OpeningHours]
) -> list[Interval]:
    opening = opening_intervals(platform=machine.platform, start=start, end=end, hours=hours)
    return [(max(s, start), min(e, end)) for s, e in opening if s < end and e > start]


def _load_busy(
    machine_ids: list[int], start: datetime, end: datetime
) -> dict[int, list[BusyInterval]]:
    rows = (
        Booking.objects.filter(
            machine_id__in=machine_ids,
            status__in=Booking.ACTIVE_STATUSES,
            start__lt=end,
            end__gt=start,
        )
        .order_by("start")
        .values_list("machine_id", "pk", "company_id", "start", "end", "status")
    )
    busy: dict[int, list[BusyInterval]] = defaultdict(list)
    for machine_id, pk, company_id, s, e, status in rows:
        busy[machine_id].append(
            BusyInterval(start=s, end=e, booking_id=pk, company_id=company_id, status=status)
        )
    return busy


def _rows(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a ``values_list`` queryset, fast on PostgreSQL.

    Django reads each timestamptz through a Python-level loader (to attach its time zone),
    which costs about as much as the query itself when search reads thousands of bookings;
    psycopg's own C loader returns the same aware UTC datetimes (Django's sessions run in UTC).
    """
    if connection.vendor != "postgresql":
        return list(queryset)
    from psycopg.types.datetime import TimestamptzLoader

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # Registered on this cursor only; the query still goes through Django's wrapper (and
        # its query log, so query counts stay honest).
        cursor.cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
        cursor.execute(sql, params)
        return cursor.fetchall()


def _load_busy_spans(
    machine_ids: list[int], start: datetime, end: datetime
) -> dict[int, list[Interval]]:
    """Only the spans of active bookings: search needs no more, and fewer columns load faster."""
    rows = Booking.objects.filter(
        machine_id__in=machine_ids,
        status__in=Booking.ACTIVE_STATUSES,
        start__lt=end,
        end__gt=start,
    ).values_list("machine_id", "start", "end")
    spans: dict[int, list[Interval]] = defaultdict(list)
    for machine_id, s, e in _rows(rows):
        spans[machine_id].append((s, e))
    return spans


def _load_closed(
    machine_ids: list[int], start: datetime, end: datetime
) -> dict[int, list[Interval]]:
    rows = ClosureInterval.objects.filter(
        machine_id__in=machine_ids, start__lt=end, end__gt=start
    ).values_list("machine_id", "start", "end")
    closed: dict[int, list[Interval]] = defaultdict(list)
    for machine_id, s, e in _rows(rows):
        closed[machine_id].append((s, e))
    return closed


def machine_availability(*, machine: Machine, start: datetime, end: datetime) -> Availability:
    """Free, busy and closed intervals of ``machine`` within [start, end).

    Free = the platform's opening hours minus active bookings (widened by the machine's buffer)
    and closure occurrences. Three queries: opening hours, bookings, closure intervals.
    """
    return _availability(
        machine=machine,
        start=start,
        end=end,
        opening=_opening_window(
            machine=machine, start=start, end=end, hours=machine.platform.opening_hours.all()
        ),
        busy=_load_busy([machine.pk], start, end)[machine.pk],
        closed=_load_closed([machine.pk], start, end)[machine.pk],
    )


@dataclass
class SearchResult:
    machine: Machine
    first_free: list[Interval]

    @property
    def soonest(self) -> datetime:
        return self.first_free[0][0]


def _align(moment: datetime, machine: Machine, *, up: bool) -> datetime:
    """Round ``moment`` to the machine's slot grid from local midnight (up or down)."""
    tz = machine.platform.tz
    local = moment.astimezone(tz)
    minutes = local.hour * 60 + local.minute
    slot = machine.slot_minutes
    if up:
        # A moment past the minute (10:00:30) rounds up from the next minute.
        minutes += 1 if local.second or local.microsecond else 0
        minutes += -minutes % slot
    rounded = minutes // slot * slot
    day = local.date() + timedelta(days=rounded // (24 * 60))
    rounded %= 24 * 60
    return aware_lenient(day, time(rounded // 60, rounded % 60), tz)


def bookable_slots(
    availability: Availability, *, min_minutes: int, now: datetime, limit: int | None = None
) -> list[Interval]:
    """Free periods that could really be booked: after the notice, before the horizon,
    aligned to the slot grid, and at least ``min_minutes`` long."""
    machine = availability.machine
    earliest = now + timedelta(hours=machine.min_notice_hours)
    latest = now + timedelta(days=machine.max_advance_days)
    needed = timedelta(minutes=max(min_minutes, machine.min_minutes))
    slots = []
    for start, end in availability.free:
        start = _align(max(start, earliest), machine, up=True)
        end = _align(end, machine, up=False)
        if start > latest:
            break
        if end - start >= needed:
            slots.append((start, end))
            if limit is not None and len(slots) >= limit:
                break
    return slots


def machines_search(
    *,
    start: datetime,
    end: datetime,
    category: str | None = None,
    region: str | None = None,
    platform: int | None = None,
    min_free_minutes: int = 0,
    slots_per_machine: int = 3,
    now: datetime | None = None,
) -> list[SearchResult]:
    """Machines of every active platform with a bookable free period in [start, end).

    Each result carries the machine's first free slots; results come soonest first. Four
    queries whatever the number of machines, bookings and closures.
    """
    now = now or timezone.now()
    machines_qs = (
        Machine.objects.filter(active=True, platform__active=True)
        .select_related("platform")
        .defer("description", "specs")
    )
    if category:
        machines_qs = machines_qs.filter(category=category)
    if region:
        machines_qs = machines_qs.filter(platform__region=region)
    if platform:
        machines_qs = machines_qs.filter(platform_id=platform)
    machines = list(machines_qs)
    if not machines:
        return []
    ids = [machine.pk for machine in machines]
    hours: dict[int, list[OpeningHours]] = defaultdict(list)
    for row in OpeningHours.objects.filter(platform_id__in={m.platform_id for m in machines}):
        hours[row.platform_id].append(row)
    busy = _load_busy_spans(ids, start, end)
    closed = _load_closed(ids, start, end)
    # Machines of one platform share its opening periods: compute them once per platform.
    opening: dict[int, list[Interval]] = {}
    results = []
    for machine in machines:
        if machine.platform_id not in opening:
            opening[machine.platform_id] = _opening_window(
                machine=machine, start=start, end=end, hours=hours[machine.platform_id]
            )
        availability = Availability(
            machine=machine,
            start=start,
            end=end,
            free=_free(
                opening[machine.platform_id],
                busy[machine.pk],
                closed[machine.pk],
                timedelta(minutes=machine.buffer_minutes),
            ),
        )
        slots = bookable_slots(
            availability, min_minutes=min_free_minutes, now=now, limit=slots_per_machine
        )
        if slots:
            results.append(SearchResult(machine=machine, first_free=slots))
    results.sort(
        key=lambda result: (result.soonest, result.machine.platform.name, result.machine.name)
    )
    return results
