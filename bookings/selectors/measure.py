"""Which booking a tap at the machine starts or stops."""

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from platforms.models import Machine

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
