"""Read queries of the booking core: membership, conflicts, availability."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import QuerySet

from platforms.models import Machine
from platforms.selectors import Interval, merge_intervals, opening_intervals

from .models import Booking, Company


def user_is_member(*, user: object, company: Company) -> bool:
    """Whether ``user`` belongs to ``company`` (either role)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return company.memberships.filter(user_id=user.pk).exists()  # type: ignore[attr-defined]


def booking_conflicts(
    *,
    machine: Machine,
    start: datetime,
    end: datetime,
    buffer_minutes: int = 0,
    exclude_pk: int | None = None,
) -> QuerySet[Booking]:
    """Active bookings of ``machine`` closer than ``buffer_minutes`` to [start, end).

    Half-open intervals: a booking ending at 10:00 does not conflict with one starting at 10:00
    unless the machine needs a buffer between them.
    """
    buffer = timedelta(minutes=buffer_minutes)
    bookings = Booking.objects.filter(
        machine=machine,
        status__in=Booking.ACTIVE_STATUSES,
        start__lt=end + buffer,
        end__gt=start - buffer,
    )
    if exclude_pk is not None:
        bookings = bookings.exclude(pk=exclude_pk)
    return bookings


@dataclass(frozen=True)
class BusyInterval:
    start: datetime
    end: datetime
    booking_id: int
    company_id: int
    status: str


@dataclass
class Availability:
    """A machine's free periods (open, bookable) and busy periods (booked) in a window."""

    machine: Machine
    start: datetime
    end: datetime
    free: list[Interval] = field(default_factory=list)
    busy: list[BusyInterval] = field(default_factory=list)


def subtract_intervals(base: list[Interval], remove: list[Interval]) -> list[Interval]:
    """``base`` minus ``remove``; both sorted and disjoint (as ``merge_intervals`` returns)."""
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


def machine_availability(*, machine: Machine, start: datetime, end: datetime) -> Availability:
    """Free and busy intervals of ``machine`` within [start, end).

    Free = the platform's opening hours minus active bookings widened by the machine's buffer.
    Two queries: the opening hours (none if prefetched on the platform) and the bookings.
    """
    opening = opening_intervals(platform=machine.platform, start=start, end=end)
    window = [(max(s, start), min(e, end)) for s, e in opening if s < end and e > start]
    buffer = timedelta(minutes=machine.buffer_minutes)
    rows = booking_conflicts(machine=machine, start=start, end=end, buffer_minutes=0).values_list(
        "pk", "company_id", "start", "end", "status"
    )
    busy = [
        BusyInterval(start=s, end=e, booking_id=pk, company_id=company_id, status=status)
        for pk, company_id, s, e, status in rows.order_by("start")
    ]
    blocked = [(b.start - buffer, b.end + buffer) for b in busy]
    return Availability(
        machine=machine,
        start=start,
        end=end,
        free=subtract_intervals(window, blocked),
        busy=busy,
    )
