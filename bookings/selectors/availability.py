"""Availability of a machine: its free, busy and closed time, and the slots bookable now.

A fixed number of queries whatever the number of bookings and closures: opening hours,
bookings and closure intervals are each loaded once, then combined in Python, in UTC. The
network-wide search (``search``) is held to this answer, machine by machine, in the tests.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

from core.datetimes import check_range
from core.intervals import Interval, merge_intervals, subtract_intervals
from platforms.models import (
    ClosureInterval,
    Machine,
    OpeningHours,
)
from platforms.selectors import opening_intervals
from platforms.timezones import aware_lenient

from ..models import Booking


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
        free=free_periods(opening, [(b.start, b.end) for b in busy], closed, buffer),
        busy=busy,
        closed=merge_intervals(closed),
    )


def free_periods(
    opening: list[Interval], busy: list[Interval], closed: list[Interval], buffer: timedelta
) -> list[Interval]:
    """Opening periods (already clipped to the window) minus buffered bookings and closures."""
    if buffer:
        busy = [(s - buffer, e + buffer) for s, e in busy]
    return subtract_intervals(opening, busy + closed)


def opening_window(
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


def load_closed(
    machine_ids: list[int], start: datetime, end: datetime
) -> dict[int, list[Interval]]:
    """Closure intervals by machine (unsorted: no join to the machine and platform to sort)."""
    rows = (
        ClosureInterval.objects.filter(machine_id__in=machine_ids, start__lt=end, end__gt=start)
        .order_by()
        .values_list("machine_id", "start", "end")
    )
    closed: dict[int, list[Interval]] = defaultdict(list)
    for machine_id, s, e in rows:
        closed[machine_id].append((s, e))
    return closed


def machine_availability(*, machine: Machine, start: datetime, end: datetime) -> Availability:
    """Free, busy and closed intervals of ``machine`` within [start, end).

    Free = the platform's opening hours minus active bookings (widened by the machine's buffer)
    and closure occurrences. Three queries: opening hours, bookings, closure intervals.
    Dates outside the years 2000–2100 are refused (``OutOfRange``) before any arithmetic.
    """
    check_range(start, end)
    return _availability(
        machine=machine,
        start=start,
        end=end,
        opening=opening_window(
            machine=machine, start=start, end=end, hours=machine.platform.opening_hours.all()
        ),
        busy=_load_busy([machine.pk], start, end)[machine.pk],
        closed=load_closed([machine.pk], start, end)[machine.pk],
    )


@dataclass(frozen=True)
class SeenBusy:
    """Busy time as one person may see it: their own company's bookings and those they may
    see in full (operators) carry the booking; others' are anonymous."""

    start: datetime
    end: datetime
    mine: bool
    booking_id: int | None
    status: str | None


@dataclass
class MachineView:
    """What a person may see of a machine in a window: the basis of its week calendar and of
    the API's availability."""

    availability: Availability
    busy: list[SeenBusy]
    bookable: list[Interval]


def machine_seen_by(
    *, user: Any, machine: Machine, start: datetime, end: datetime, now: datetime | None = None
) -> MachineView:
    """What ``user`` may see of ``machine`` within [start, end): free, closed and busy time
    (others' bookings anonymous), and the free periods they could book now (after the notice,
    before the horizon, on the slot grid, long enough). Four queries."""
    from .access import bookings_seen_by

    availability = machine_availability(machine=machine, start=start, end=end)
    seen = bookings_seen_by(user=user, booking_ids=[b.booking_id for b in availability.busy])
    busy = [
        SeenBusy(
            start=b.start,
            end=b.end,
            mine=seen.get(b.booking_id, False),
            booking_id=b.booking_id if b.booking_id in seen else None,
            status=b.status if b.booking_id in seen else None,
        )
        for b in availability.busy
    ]
    bookable = bookable_slots(availability, min_minutes=0, now=now or timezone.now())
    horizon = (now or timezone.now()) + timedelta(days=machine.max_advance_days)
    bookable = [(s, min(e, horizon)) for s, e in bookable if s < horizon]
    return MachineView(availability=availability, busy=busy, bookable=bookable)


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
