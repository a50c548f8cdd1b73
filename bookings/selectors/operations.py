"""What an operator's day holds, across the platforms they operate."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from core.datetimes import check_range
from platforms.models import ClosureInterval, Machine, Platform, Qualification, QualificationStatus
from platforms.selectors import platforms_operated_by
from platforms.timezones import local_midnight

from ..models import Booking, BookingStatus, Company, UsageFeedback


@dataclass
class OperatorDay:
    pending: list[Booking]
    today: list[Booking]
    tomorrow: list[Booking]
    to_record: list[Booking]
    qualifications: list[Qualification]
    companies: list[Company]


def operator_day(*, user: Any, now: datetime) -> OperatorDay:
    """Bookings awaiting approval, today's and tomorrow's, yesterday's still unrecorded (and
    its no-shows, to confirm), qualification requests, companies waiting for validation.

    Days are the server's local days (the network is French); a fixed number of queries.
    """
    platform_ids = list(platforms_operated_by(user=user).values_list("pk", flat=True))
    rows = Booking.objects.filter(machine__platform_id__in=platform_ids).select_related(
        "machine__platform", "company", "booked_by"
    )
    tz = timezone.get_current_timezone()
    today = now.astimezone(tz).date()
    midnight = local_midnight(today, tz)
    tomorrow = local_midnight(today + timedelta(days=1), tz)
    after = local_midnight(today + timedelta(days=2), tz)
    yesterday = local_midnight(today - timedelta(days=1), tz)
    active = (BookingStatus.CONFIRMED, BookingStatus.PENDING, BookingStatus.COMPLETED)
    window = list(
        rows.filter(start__lt=after, end__gt=midnight, status__in=active).order_by("start")
    )
    return OperatorDay(
        pending=list(rows.filter(status=BookingStatus.PENDING, end__gt=now).order_by("start")[:50]),
        today=[b for b in window if b.start < tomorrow],
        tomorrow=[b for b in window if b.start >= tomorrow],
        to_record=list(
            rows.filter(
                start__gte=yesterday,
                end__lte=min(now, midnight),
                status__in=(BookingStatus.CONFIRMED, BookingStatus.NO_SHOW),
                actual_start__isnull=True,
            ).order_by("start")
        ),
        qualifications=list(
            Qualification.objects.filter(
                machine__platform_id__in=platform_ids, status=QualificationStatus.REQUESTED
            )
            .select_related("machine__platform", "user")
            .order_by("requested_at")
        ),
        companies=list(
            Company.objects.filter(validated_at__isnull=True, refused_at__isnull=True).order_by(
                "created_at"
            )
        )
        if platform_ids
        else [],
    )


@dataclass
class PlatformWeek:
    """A platform's machines with their bookings and closure occurrences in a window."""

    machines: list[Machine]
    bookings: dict[int, list[Booking]]
    closed: dict[int, list[tuple[datetime, datetime]]]


def platform_week(*, platform: Platform, start: datetime, end: datetime) -> PlatformWeek:
    """Every active machine of ``platform``, its bookings (cancelled and rejected left out: they
    no longer hold the machine) and its closure occurrences over [start, end). Three queries,
    whatever the number of machines and bookings."""
    check_range(start, end)
    machines = list(platform.machines.filter(active=True).order_by("name"))
    ids = [machine.pk for machine in machines]
    bookings: dict[int, list[Booking]] = defaultdict(list)
    for booking in (
        Booking.objects.filter(machine_id__in=ids, start__lt=end, end__gt=start)
        .exclude(status__in=(BookingStatus.CANCELLED, BookingStatus.REJECTED))
        .select_related("company", "booked_by")
        .order_by("start")
    ):
        bookings[booking.machine_id].append(booking)
    closed: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for machine_id, s, e in ClosureInterval.objects.filter(
        machine_id__in=ids, start__lt=end, end__gt=start
    ).values_list("machine_id", "start", "end"):
        closed[machine_id].append((s, e))
    return PlatformWeek(machines=machines, bookings=bookings, closed=closed)


def companies_booking_on(*, platform_ids: list[int]) -> QuerySet[Company]:
    """Companies with bookings on these platforms, each with how many and its latest start
    there (internal blocks have no company)."""
    return (
        Company.objects.filter(bookings__machine__platform_id__in=platform_ids)
        .annotate(bookings_here=Count("bookings"), latest_here=Max("bookings__start"))
        .order_by("name")
    )


def company_seen_by_operator(*, company_id: int, platform_ids: list[int]) -> Company | None:
    """A company as the operator of ``platform_ids`` may see it: one that booked on their
    platforms, one that signed up and waits (or was refused: operators validate for the
    whole network), or one validated by an operator of these platforms. None otherwise."""
    if not platform_ids:
        return None
    return (
        Company.objects.filter(pk=company_id)
        .filter(
            Q(validated_at__isnull=True)
            | Q(validated_by__operated_platforms__id__in=platform_ids)
            | Q(
                pk__in=Booking.objects.filter(machine__platform_id__in=platform_ids).values(
                    "company_id"
                )
            )
        )
        .distinct()
        .first()
    )


def company_bookings_on(*, company: Company, platform_ids: list[int]) -> QuerySet[Booking]:
    """The company's bookings on these platforms, the latest first."""
    return (
        Booking.objects.filter(company=company, machine__platform_id__in=platform_ids)
        .select_related("machine__platform", "booked_by")
        .order_by("-start")
    )


def company_booking_counts(*, company: Company, platform_ids: list[int]) -> dict[str, int]:
    """How many of the company's bookings on these platforms are in each status."""
    rows = (
        Booking.objects.filter(company=company, machine__platform_id__in=platform_ids)
        .order_by()
        .values_list("status")
        .annotate(count=Count("pk"))
    )
    return dict(rows)


def incidents_open(*, platform_ids: list[int]) -> QuerySet[UsageFeedback]:
    """Problems reported after use on the machines of these platforms and not dealt with yet
    (it did not work, or something was reported), oldest first."""
    return (
        UsageFeedback.objects.filter(
            Q(worked=False) | ~Q(report=""),
            handled_at__isnull=True,
            booking__machine__platform_id__in=platform_ids,
        )
        .select_related("booking__machine__platform", "booking__company", "given_by")
        .order_by("created_at")
    )
