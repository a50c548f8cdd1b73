"""Usage measured at the machine (issue 30, 2): the person at the machine taps "Start" when the
work begins and "Stop" when it ends — from the machine's QR code, or the API. The booking then
records its actual usage as measured (``Booking.measured``) and is completed.

Who: a member of the booking's company, or an operator of the platform. When: "Start" from
``START_EARLY`` before the booking until its end; "Stop" once started, within the booking's
local day give or take ``usage.USAGE_MARGIN`` (an overrun shows as an end after the booked one).
"""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.events import announce
from platforms.selectors import user_operates

from ..exceptions import (
    NotAllowed,
    NotConfirmed,
    NotStarted,
    StartTooEarly,
    UsageAlreadyStarted,
)
from ..models import Booking, BookingStatus
from ..selectors import user_is_member
from ..selectors.measure import START_EARLY, overruns_under_way
from ..signals import booking_usage_recorded, usage_overrun
from .lifecycle import _lock_booking, _save
from .usage import check_usage_day


def _may_measure(booking: Booking, user: Any) -> None:
    if user_operates(user=user, platform=booking.machine.platform):
        return
    if not user_is_member(user=user, company=booking.company):
        raise NotAllowed()


def usage_measure_start(*, booking: Booking, user: Any) -> Booking:
    """The machine's use begins now (to the minute); the booking is no longer a candidate for
    a no-show."""
    with transaction.atomic():
        locked = _lock_booking(booking)
        _may_measure(locked, user)
        if locked.status != BookingStatus.CONFIRMED:
            raise NotConfirmed(status=locked.get_status_display().lower())
        if locked.actual_start is not None:
            raise UsageAlreadyStarted()
        now = timezone.now().replace(second=0, microsecond=0)
        if now < locked.start - START_EARLY:
            raise StartTooEarly(minutes=int(START_EARLY.total_seconds() // 60))
        if now >= locked.end:
            raise NotAllowed()
        return _save(
            locked,
            action="booking.usage_started",
            actor=user,
            actual_start=now,
            actual_end=None,
            measured=True,
        )


def usage_measure_stop(*, booking: Booking, user: Any) -> Booking:
    """The machine's use ends now: the measured usage is recorded and the booking completed
    (billing prices it as used time where the platform bills so)."""
    with transaction.atomic():
        locked = _lock_booking(booking)
        _may_measure(locked, user)
        if locked.status != BookingStatus.CONFIRMED:
            raise NotConfirmed(status=locked.get_status_display().lower())
        if locked.actual_start is None:
            raise NotStarted()
        now = timezone.now().replace(second=0, microsecond=0)
        end = max(now, locked.actual_start + timedelta(minutes=1))
        check_usage_day(
            machine=locked.machine,
            booking_start=locked.start,
            booking_end=locked.end,
            start=locked.actual_start,
            end=end,
        )
        stopped = _save(
            locked,
            action="booking.usage_recorded",
            actor=user,
            actual_end=end,
            status=BookingStatus.COMPLETED,
            measured=True,
        )
        announce(booking_usage_recorded, sender=Booking, booking=stopped, actor=user)
        return stopped


def overruns_announce(*, now: datetime | None = None) -> int:
    """Periodic: announce each use running past its end into the next booking on its machine
    (notifications tells both once). Returns how many."""
    pairs = overruns_under_way(now=now or timezone.now())
    for booking, following in pairs:
        with transaction.atomic():
            announce(
                usage_overrun, sender=Booking, booking=booking, next_booking=following, actor=None
            )
    return len(pairs)
