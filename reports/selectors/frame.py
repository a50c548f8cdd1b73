"""The building blocks of the figures: what a scope's bookings are, the aggregates over them,
the report's months, the open time of its machines and the SMEs new in a period."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from bookings.models import Booking, BookingKind, BookingStatus, Company, CompanySize, WaitingEntry
from core.intervals import Interval, merge_intervals
from platforms.models import ClosureInterval, Machine, Platform
from platforms.selectors import opening_intervals
from platforms.timezones import local_midnight, zone

from .scope import Scope

SME_SIZES = (CompanySize.MICRO, CompanySize.SMALL, CompanySize.MEDIUM)
STATUSES = (
    "pending",
    "confirmed",
    "completed",
    "cancelled",
    "late_cancelled",
    "no_show",
    "rejected",
)
FIGURES = (
    "smes_served",
    "companies_served",
    "new_smes",
    "hours_booked",
    "hours_used",
    "hours_measured",
    "open_hours",
    "utilisation",
    "revenue",
    "bookings",
)
MAX_REPORT_DAYS = 3 * 366


def duration(start: str, end: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def aggregates() -> dict[str, Any]:
    """The figures as SQL aggregates (``new_smes`` aside: ``new_smes``)."""
    completed = Q(status=BookingStatus.COMPLETED)
    sme = Q(completed, company__size_class__in=SME_SIZES)
    booked = duration("start", "end")
    aggregates: dict[str, Any] = {
        "smes_served": Count("company__siren", distinct=True, filter=sme),
        "companies_served": Count("company__siren", distinct=True, filter=completed),
        "hours_booked": Sum(
            booked,
            filter=Q(
                status__in=(
                    BookingStatus.CONFIRMED,
                    BookingStatus.COMPLETED,
                    BookingStatus.NO_SHOW,
                )
            ),
        ),
        "hours_used": Sum(
            Coalesce(duration("actual_start", "actual_end"), booked), filter=completed
        ),
        "hours_measured": Sum(
            duration("actual_start", "actual_end"), filter=Q(completed, measured=True)
        ),
        "revenue": Sum(
            "price", filter=Q(status__in=(BookingStatus.COMPLETED, BookingStatus.NO_SHOW))
        ),
        "n_pending": Count("pk", filter=Q(status=BookingStatus.PENDING)),
        "n_confirmed": Count("pk", filter=Q(status=BookingStatus.CONFIRMED)),
        "n_completed": Count("pk", filter=completed),
        "n_cancelled": Count(
            "pk", filter=Q(status=BookingStatus.CANCELLED, late_cancellation=False)
        ),
        "n_late_cancelled": Count(
            "pk", filter=Q(status=BookingStatus.CANCELLED, late_cancellation=True)
        ),
        "n_no_show": Count("pk", filter=Q(status=BookingStatus.NO_SHOW)),
        "n_rejected": Count("pk", filter=Q(status=BookingStatus.REJECTED)),
    }
    return aggregates


def _hours(value: timedelta | None) -> float:
    return round(value.total_seconds() / 3600, 2) if value else 0.0


def row_figures(row: dict[str, Any]) -> dict[str, Any]:
    revenue = row.get("revenue") or Decimal("0")
    return {
        "smes_served": row["smes_served"],
        "companies_served": row["companies_served"],
        "new_smes": row.get("new_smes", 0),
        "hours_booked": _hours(row["hours_booked"]),
        "hours_used": _hours(row["hours_used"]),
        "hours_measured": _hours(row.get("hours_measured")),
        "open_hours": None,
        "utilisation": None,
        "revenue": str(revenue.quantize(Decimal("0.01"))),
        "bookings": {status: row[f"n_{status}"] for status in STATUSES},
    }


def empty_row() -> dict[str, Any]:
    return {
        "smes_served": 0,
        "companies_served": 0,
        "new_smes": 0,
        "hours_booked": None,
        "hours_used": None,
        "hours_measured": None,
        "revenue": None,
        **{f"n_{status}": 0 for status in STATUSES},
    }


def empty_figures() -> dict[str, Any]:
    return row_figures(empty_row())


def with_open(figures: dict[str, Any], open_seconds: float | None) -> dict[str, Any]:
    if open_seconds is None:
        return figures
    figures["open_hours"] = round(open_seconds / 3600, 2)
    figures["utilisation"] = (
        round(figures["hours_used"] / figures["open_hours"], 4) if open_seconds else None
    )
    return figures


@dataclass
class Frame:
    """What one report reads before aggregating: its platforms by time zone, its machines."""

    scope: Scope
    platforms: list[Platform]
    machines: list[Machine]

    @property
    def zones(self) -> dict[str, list[int]]:
        zones: dict[str, list[int]] = defaultdict(list)
        for platform in self.platforms:
            zones[platform.timezone].append(platform.pk)
        return zones

    def _zoned(self, bounds: Callable[[Any], dict[str, Any]]) -> Q:
        """``bounds(tz)`` for each platform zone, each limited to its platforms when several."""
        zones = self.zones
        if not zones:
            return Q(pk__in=[])
        window = Q()
        for name, ids in zones.items():
            part = Q(**bounds(zone(name)))
            if len(zones) > 1:
                part &= Q(machine__platform_id__in=ids)
            window |= part
        return window

    def window(self, start: date, end: date) -> Q:
        """Bookings starting in [start, end) local time, in its platform's zone."""
        return self._zoned(
            lambda tz: {
                "start__gte": local_midnight(start, tz),
                "start__lt": local_midnight(end, tz),
            }
        )

    def before(self, start: date) -> Q:
        """Bookings starting before ``start`` local time, in its platform's zone."""
        return self._zoned(lambda tz: {"start__lt": local_midnight(start, tz)})

    def bookings(self) -> QuerySet[Booking]:
        return self._scoped(Booking.objects.filter(kind=BookingKind.COMPANY))

    def waiting(self) -> QuerySet[WaitingEntry]:
        """Waiting list entries in the scope: demand, every entry counted, served or not."""
        return self._scoped(WaitingEntry.objects.all())

    def _scoped(self, rows: QuerySet[Any]) -> QuerySet[Any]:
        scope = self.scope
        if scope.for_companies:
            rows = rows.filter(company_id__in=scope.company_ids)
        if scope.platform_ids is not None or scope.region:
            rows = rows.filter(machine__platform_id__in=[p.pk for p in self.platforms])
        if scope.machine_id is not None:
            rows = rows.filter(machine_id=scope.machine_id)
        return rows


def frame_of(scope: Scope) -> Frame:
    platforms = Platform.objects.order_by("name")
    if scope.platform_ids is not None:
        platforms = platforms.filter(pk__in=scope.platform_ids)
    if scope.region:
        platforms = platforms.filter(region=scope.region)
    platform_list = list(platforms.prefetch_related("opening_hours"))
    ids = [platform.pk for platform in platform_list]
    machines = Machine.objects.filter(platform_id__in=ids).order_by("platform_id", "name")
    if scope.machine_id is not None:
        machines = machines.filter(pk=scope.machine_id)
    return Frame(scope=scope, platforms=platform_list, machines=list(machines))


@dataclass(frozen=True)
class Month:
    label: str  # YYYY-MM
    start: date
    end: date  # excluded


def months_of(start: date, end: date) -> list[Month]:
    """The calendar months touched by [start, end), each cut to the period."""
    months = []
    cursor = start.replace(day=1)
    while cursor < end:
        following = (cursor + timedelta(days=32)).replace(day=1)
        months.append(
            Month(label=f"{cursor:%Y-%m}", start=max(cursor, start), end=min(following, end))
        )
        cursor = following
    return months


def month_case(frame: Frame, months: list[Month]) -> Case:
    """The report month (``YYYY-MM``, local) of a booking's start; "" outside the period."""
    return Case(
        *[When(frame.window(month.start, month.end), then=Value(month.label)) for month in months],
        default=Value(""),
        output_field=CharField(),
    )


def _clip(intervals: list[Interval], start: datetime, end: datetime) -> list[Interval]:
    return [(max(s, start), min(e, end)) for s, e in intervals if s < end and e > start]


def _overlap_seconds(a: list[Interval], b: list[Interval]) -> float:
    """Total overlap of two sorted lists of disjoint intervals."""
    total, i, j = 0.0, 0, 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            total += (end - start).total_seconds()
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def open_seconds(frame: Frame, months: list[Month]) -> dict[tuple[int, str], float]:
    """Seconds each active machine is open in each month: its platform's opening hours minus
    its closure intervals. Two queries (opening hours come prefetched with the platforms)."""
    if not months or not frame.machines:
        return {}
    opening: dict[tuple[int, str], list[Interval]] = {}
    for platform in frame.platforms:
        tz = platform.tz
        hours = list(platform.opening_hours.all())
        for month in months:
            start, end = local_midnight(month.start, tz), local_midnight(month.end, tz)
            opening[(platform.pk, month.label)] = _clip(
                opening_intervals(platform=platform, start=start, end=end, hours=hours),
                start,
                end,
            )
    active = [machine for machine in frame.machines if machine.active]
    first = min(local_midnight(months[0].start, p.tz) for p in frame.platforms)
    last = max(local_midnight(months[-1].end, p.tz) for p in frame.platforms)
    closed: dict[int, list[Interval]] = defaultdict(list)
    for machine_id, start, end in ClosureInterval.objects.filter(
        machine_id__in=[machine.pk for machine in active], start__lt=last, end__gt=first
    ).values_list("machine_id", "start", "end"):
        closed[machine_id].append((start, end))
    merged = {machine_id: merge_intervals(rows) for machine_id, rows in closed.items()}
    result = {}
    for machine in active:
        for month in months:
            intervals = opening[(machine.platform_id, month.label)]
            total = sum((e - s).total_seconds() for s, e in intervals)
            if machine.pk in merged:
                total -= _overlap_seconds(intervals, merged[machine.pk])
            result[(machine.pk, month.label)] = total
    return result


@dataclass
class NewSmes:
    """SMEs served in the period whose SIREN had no completed booking in the scope before it,
    with where (machine) and when (month, the first in the period) each was first served."""

    rows: list[tuple[int, str, str, str, str]]  # machine, month, SIREN, size class, region
    first_month: dict[str, str]

    def count(self, key: Any, month_only: bool = False) -> dict[Any, int]:
        """New SIRENs per group; ``key(row)`` names a row's group. With ``month_only``, a SIREN
        counts in its first month only."""
        groups: dict[Any, set[str]] = defaultdict(set)
        for row in self.rows:
            if month_only and row[1] != self.first_month[row[2]]:
                continue
            groups[key(row)].add(row[2])
        return {group: len(sirens) for group, sirens in groups.items()}


def new_smes(
    frame: "Frame", period: QuerySet[Booking], start: date, months: list["Month"]
) -> NewSmes:
    """Two queries whatever the size: the SIRENs served and never before ``start`` (an index
    lookup each), then where and when they were served."""
    served_smes = period.filter(
        status=BookingStatus.COMPLETED, company__size_class__in=SME_SIZES
    ).order_by()
    earlier = frame.bookings().filter(frame.before(start), status=BookingStatus.COMPLETED)
    new = list(
        Company.objects.filter(siren__in=served_smes.values("company__siren"))
        .exclude(Exists(earlier.filter(company__siren=OuterRef("siren"))))
        .values_list("siren", flat=True)
        .distinct()
    )
    if not new:
        return NewSmes(rows=[], first_month={})
    rows = list(
        served_smes.filter(company__siren__in=new)
        .annotate(report_month=month_case(frame, months))
        .values_list(
            "machine_id", "report_month", "company__siren", "company__size_class", "company__region"
        )
        .distinct()
    )
    first_month: dict[str, str] = {}
    for row in rows:
        if row[2] not in first_month or row[1] < first_month[row[2]]:
            first_month[row[2]] = row[1]
    return NewSmes(rows=rows, first_month=first_month)


# The groups of a report: the booking column each groups by ("" for the totals).
