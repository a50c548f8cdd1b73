"""What recorded usage must respect: the booking's local day(s), already over, at most a day."""

from datetime import datetime, timedelta

from platforms.models import Machine
from platforms.timezones import local_midnight

from ..exceptions import InvalidRange, UsageInFuture, UsageOutsideBookingDay, UsageTooLong

# Usage lies within the booking's local day(s), give or take this margin (a job that started
# early or ran late into the night), has ended (give or take a little clock skew), and lasts
# at most a day.
USAGE_MARGIN = timedelta(hours=6)
USAGE_CLOCK_SKEW = timedelta(minutes=2)
USAGE_LONGEST = timedelta(hours=24)


def check_usage(
    *,
    machine: Machine,
    booking_start: datetime,
    booking_end: datetime,
    start: datetime,
    end: datetime,
    now: datetime,
) -> None:
    """Recorded usage: a real range, within the booking's local day(s) give or take
    ``USAGE_MARGIN``, already over, at most ``USAGE_LONGEST``."""
    if end <= start:
        raise InvalidRange()
    check_usage_day(
        machine=machine, booking_start=booking_start, booking_end=booking_end, start=start, end=end
    )
    if end > now + USAGE_CLOCK_SKEW:
        raise UsageInFuture()
    if end - start > USAGE_LONGEST:
        raise UsageTooLong(hours=int(USAGE_LONGEST.total_seconds() // 3600))


def check_usage_day(
    *,
    machine: Machine,
    booking_start: datetime,
    booking_end: datetime,
    start: datetime,
    end: datetime,
) -> None:
    """Usage lies within the booking's local day(s), give or take ``USAGE_MARGIN``."""
    tz = machine.platform.tz
    first_day = booking_start.astimezone(tz).date()
    last_day = (booking_end - timedelta(microseconds=1)).astimezone(tz).date()
    earliest = local_midnight(first_day, tz) - USAGE_MARGIN
    latest = local_midnight(last_day + timedelta(days=1), tz) + USAGE_MARGIN
    if start < earliest or end > latest:
        raise UsageOutsideBookingDay(
            hours=int(USAGE_MARGIN.total_seconds() // 3600),
            earliest=earliest.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            latest=latest.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        )
