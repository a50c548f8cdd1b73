"""What the booking rules read about a slot — opening hours, closures, neighbouring bookings,
the company's hours in its quota periods — and the quota figures the dashboard shows."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from core.intervals import Interval
from platforms.models import ClosureInterval, Machine
from platforms.timezones import local_midnight

from ..models import Booking, BookingStatus, Company

# Statuses that consume a company's quota: what it holds or held, not what it gave up.
QUOTA_STATUSES = (
    BookingStatus.PENDING,
    BookingStatus.CONFIRMED,
    BookingStatus.COMPLETED,
    BookingStatus.NO_SHOW,
)


def closure_overlaps(*, machine: Machine, start: datetime, end: datetime) -> bool:
    """Whether a closure or maintenance occurrence of the machine (or its platform) meets
    [start, end)."""
    return ClosureInterval.objects.filter(machine=machine, start__lt=end, end__gt=start).exists()


def active_bookings_near(
    *, machine: Machine, start: datetime, end: datetime, exclude_pk: int | None = None
) -> list[Interval]:
    """The spans of the machine's active bookings closer to [start, end) than its buffer
    (half-open: a booking ending at 10:00 meets none starting at 10:00 without a buffer).

    Read it after locking the machine: under READ COMMITTED the query then sees every booking
    committed by whoever held the lock before."""
    buffer = timedelta(minutes=machine.buffer_minutes)
    rows = Booking.objects.filter(
        machine=machine,
        status__in=Booking.ACTIVE_STATUSES,
        start__lt=end + buffer,
        end__gt=start - buffer,
    )
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    return list(rows.values_list("start", "end"))


def company_spans(
    *, company: Company, machine: Machine, period: Interval, exclude_pk: int | None = None
) -> list[Interval]:
    """The spans of the company's bookings on the machine that count against its quotas
    (``QUOTA_STATUSES``) and meet ``period``."""
    rows = Booking.objects.filter(
        company=company,
        machine=machine,
        status__in=QUOTA_STATUSES,
        start__lt=period[1],
        end__gt=period[0],
    )
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    return list(rows.values_list("start", "end"))


def local_day(moment: datetime, machine: Machine) -> Interval:
    """The platform-local day (midnight to midnight; 23 or 25 hours on a clock change)
    containing ``moment``, in UTC."""
    tz = machine.platform.tz
    day = moment.astimezone(tz).date()
    return local_midnight(day, tz), local_midnight(day + timedelta(days=1), tz)


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


@dataclass(frozen=True)
class QuotaUse:
    company: Company
    machine: Machine
    used: Decimal
    quota: Decimal

    @property
    def over_by(self) -> Decimal:
        """Hours held beyond the quota (an operator's booking may go over it); 0 within."""
        return max(self.used - self.quota, Decimal(0))


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
