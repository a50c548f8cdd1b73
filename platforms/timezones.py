"""Wall-clock time in a platform's zone.

Opening hours, closures, slot alignment and quota weeks are local times of the platform; the
database stores instants in UTC. These functions are the only place where one becomes the other.

They return UTC datetimes on purpose: Python subtracts and compares two datetimes sharing one
ZoneInfo by their wall clocks, so a night across the autumn change would last an hour less
than it does. In UTC, arithmetic is real time.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from core.datetimes import check_range

from .exceptions import InvalidLocalTime


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def is_valid_local(naive: datetime, tz: ZoneInfo) -> bool:
    """True when the wall-clock time exists once and only once in ``tz``."""
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    return first.utcoffset() == second.utcoffset()


def aware_strict(value: datetime, tz: ZoneInfo) -> datetime:
    """An aware datetime from a user's value; a naive one is read as wall-clock time in ``tz``.

    A time skipped by the spring change (02:30 on the last Sunday of March in Paris) or repeated
    by the autumn change is refused rather than guessed. A value outside the years 2000–2100
    is refused (``OutOfRange``) before any conversion could overflow.
    """
    check_range(value)
    if value.tzinfo is not None and value.utcoffset() is not None:
        return value.astimezone(UTC)
    if not is_valid_local(value, tz):
        raise InvalidLocalTime(time=value.strftime("%Y-%m-%d %H:%M"), zone=tz.key)
    return value.replace(tzinfo=tz).astimezone(UTC)


def aware_lenient(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """The instant of ``clock`` on ``day`` in ``tz`` for schedules (opening hours, closures).

    A time inside the spring gap is moved forward by the gap, as a wall clock would be; an
    ambiguous one takes its first occurrence.
    """
    # fold=0 reads a time in the spring gap with the winter offset, i.e. the real instant after
    # the gap, and an ambiguous time as its first occurrence.
    return datetime.combine(day, clock).replace(tzinfo=tz, fold=0).astimezone(UTC)


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return aware_lenient(day, time(0, 0), tz)


def local_dates(start: datetime, end: datetime, tz: ZoneInfo) -> list[date]:
    """Every local date touched by the half-open interval [start, end) (UTC or aware)."""
    first = start.astimezone(tz).date()
    last = (end - timedelta(microseconds=1)).astimezone(tz).date()
    days = (last - first).days
    return [first + timedelta(days=offset) for offset in range(days + 1)]
