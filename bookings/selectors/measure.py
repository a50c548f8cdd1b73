"""Which booking a tap at the machine starts or stops."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from platforms.models import Machine
from platforms.timezones import local_midnight

from ..models import Booking, BookingStatus

# "Start" is offered this long before the booking begins.
START_EARLY = timedelta(minutes=15)


def booking_to_measure(
    *, machine: Machine, user: Any, now: datetime | None = None
) -> Booking | None:
    """The booking of ``user``'s companies on ``machine`` that a tap concerns now: one started
    and not stopped (an overrun included); else one under way or beginning within
    ``START_EARLY``, not started yet."""
    if not getattr(user, "is_authenticated", False):
        return None
    now = now or timezone.now()
    mine = Booking.objects.filter(
        machine=machine,
        status=BookingStatus.CONFIRMED,
        company__memberships__user=user,
    ).select_related("machine__platform", "company")
    started = mine.filter(actual_start__isnull=False, actual_end__isnull=True)
    startable = mine.filter(Q(actual_start__isnull=True), start__lte=now + START_EARLY, end__gt=now)
    return started.order_by("start").first() or startable.order_by("start").first()


# A start this much after the booked one is late; a running use is warned about once the next
# booking on its machine begins within OVERRUN_LOOKAHEAD.
LATE_GRACE = timedelta(minutes=10)
OVERRUN_LOOKAHEAD = timedelta(minutes=30)


@dataclass(frozen=True)
class Timing:
    """How a booking's use kept to its time, in minutes (0: on time)."""

    late: int
    overrun: int
    running: bool


def usage_timing(booking: Booking, now: datetime | None = None) -> Timing:
    """A late start (beyond ``LATE_GRACE``) and an overrun: past the booked end, so far for a
    use still running, else as stopped."""
    now = now or timezone.now()
    if booking.actual_start is None:
        return Timing(late=0, overrun=0, running=False)
    late = booking.actual_start - booking.start
    running = booking.actual_end is None and booking.status == BookingStatus.CONFIRMED
    end = now if running else (booking.actual_end or booking.end)
    return Timing(
        late=_minutes(late) if late > LATE_GRACE else 0,
        overrun=max(_minutes(end - booking.end), 0),
        running=running,
    )


def _minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)


def bookings_left_today(*, platform: Any, now: datetime) -> dict[int, list[Booking]]:
    """Each machine's confirmed bookings from ``now`` to the end of the platform's day, by
    machine id, in one query (what a platform's kiosk shows)."""
    tz = platform.tz
    tomorrow = local_midnight(timezone.localtime(now, tz).date() + timedelta(days=1), tz)
    by_machine: dict[int, list[Booking]] = {}
    for booking in Booking.objects.filter(
        machine__platform=platform,
        status=BookingStatus.CONFIRMED,
        end__gt=now,
        start__lt=tomorrow,
    ).order_by("start"):
        by_machine.setdefault(booking.machine_id, []).append(booking)
    return by_machine


def overruns_under_way(*, now: datetime) -> list[tuple[Booking, Booking]]:
    """Uses still running past their booked end, each with the next booking on its machine
    when that begins within ``OVERRUN_LOOKAHEAD`` (or has begun): the pairs to warn."""
    running = list(
        Booking.objects.filter(
            status=BookingStatus.CONFIRMED,
            actual_start__isnull=False,
            actual_end__isnull=True,
            end__lte=now,
            end__gt=now - timedelta(hours=12),
        ).select_related("machine__platform", "company")
    )
    pairs = []
    for booking in running:
        following = (
            Booking.objects.filter(
                machine_id=booking.machine_id,
                status__in=(BookingStatus.CONFIRMED, BookingStatus.PENDING),
                start__gte=booking.end,
                start__lt=now + OVERRUN_LOOKAHEAD,
                end__gt=now,
            )
            .exclude(pk=booking.pk)
            .select_related("machine__platform", "company")
            .order_by("start")
            .first()
        )
        if following is not None:
            pairs.append((booking, following))
    return pairs
