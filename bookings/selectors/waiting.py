"""Waiting lists: who waits for what, what a freed range owes whom, and the demand they show."""

from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from platforms.models import Machine

from ..models import Booking, WaitingEntry


def _open(now: datetime | None = None) -> Q:
    """Entries still waiting: not left, not booked, their start still ahead."""
    return Q(left_at__isnull=True, booked_at__isnull=True, start__gt=now or timezone.now())


def waiting_of(*, user: Any) -> QuerySet[WaitingEntry]:
    """The entries ``user`` is still waiting on, soonest first, with their machine."""
    if not getattr(user, "is_authenticated", False):
        return WaitingEntry.objects.none()
    return (
        WaitingEntry.objects.filter(_open(), user=user)
        .select_related("machine__platform", "company")
        .order_by("start", "pk")
    )


def waiting_over(*, machine: Machine | int, start: datetime, end: datetime) -> list[WaitingEntry]:
    """The entries still waiting on ``machine`` over part of [start, end), oldest first: those
    to tell when that range is freed."""
    return list(
        WaitingEntry.objects.filter(
            _open(), machine=machine, start__lt=end, end__gt=start, user__isnull=False
        ).order_by("created_at", "pk")
    )


def range_is_free(*, machine: Machine | int, start: datetime, end: datetime) -> bool:
    """Whether no active booking overlaps [start, end) on ``machine``."""
    return not Booking.objects.filter(
        machine=machine, status__in=Booking.ACTIVE_STATUSES, start__lt=end, end__gt=start
    ).exists()


def waiting_demand(
    *, machines: QuerySet[Machine], start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """How many people waited per machine and week (by the start of what they waited for):
    every entry counts, served or not — the signal that a machine is saturated. Rows of
    ``machine``, ``machine__name``, ``week`` (a date, Monday) and ``waiting``, busiest first."""
    return list(
        WaitingEntry.objects.filter(machine__in=machines, start__gte=start, start__lt=end)
        .annotate(week=TruncWeek("start", tzinfo=timezone.get_current_timezone()))
        .values("machine", "machine__name", "week")
        .annotate(waiting=Count("pk"))
        .order_by("-waiting", "machine__name", "week")
    )
