"""A month before a qualification stops counting (its end date, or the day it lapses for want
of use), its holder is told how to keep it: recorded by a periodic job, once per end day, and
composed at send time only if that is still the day it ends (``offers.expiring_context``)."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from bookings.selectors import qualifications_ending

from .models import MessageKind
from .services import Outgoing, messages_record

REMIND_DAYS = 30


def qualification_reminders_queue(*, now: datetime | None = None) -> int:
    """Record a reminder for each qualification ending within ``REMIND_DAYS`` (not already
    ended), once per day it ends: a qualification renewed or kept alive by a booking gets one
    for its new end. Periodic; found by state, so a missed round loses nothing."""
    today = timezone.localdate(now or timezone.now())
    outgoing = [
        Outgoing(
            kind=MessageKind.QUALIFICATION_EXPIRING,
            recipient=qualification.user,
            platform=qualification.machine.platform,
            qualification=qualification,
            key=f"{MessageKind.QUALIFICATION_EXPIRING}:q{qualification.pk}:{ends.isoformat()}",
            context={"ends": ends.isoformat()},
        )
        for qualification, ends in qualifications_ending(
            first=today, last=today + timedelta(days=REMIND_DAYS)
        )
    ]
    with transaction.atomic():
        return len(messages_record(outgoing))
