"""Read queries of the supply side."""

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from schedule.models import Event, Rule

from core.intervals import Interval, merge_intervals

from .exceptions import InvalidClosureRange
from .models import (
    ClosureInterval,
    ClosureKind,
    Machine,
    OpeningHours,
    Platform,
    Qualification,
)
from .recurrence import expansion_window, planned_occurrences
from .timezones import aware_lenient, aware_strict, local_dates


def opening_intervals(
    *,
    platform: Platform,
    start: datetime,
    end: datetime,
    hours: Iterable[OpeningHours] | None = None,
) -> list[Interval]:
    """The platform's open periods overlapping [start, end), as aware instants.

    Computed per local date in the platform's zone, so 08:00 stays 08:00 across a DST change.
    Pass ``hours`` when they are already loaded (prefetched) to avoid a query.
    """
    tz = platform.tz
    rows = list(hours) if hours is not None else list(platform.opening_hours.all())
    by_weekday: dict[int, list[OpeningHours]] = {}
    for row in rows:
        by_weekday.setdefault(row.weekday, []).append(row)
    # One day earlier too: a range ending at midnight touches the next day.
    days = local_dates(start - timedelta(days=1), end, tz)
    intervals: list[Interval] = []
    for day in days:
        for row in by_weekday.get(day.weekday(), []):
            opens = aware_lenient(day, row.opens, tz)
            if row.closes == time(0, 0):
                closes = aware_lenient(day + timedelta(days=1), time(0, 0), tz)
            else:
                closes = aware_lenient(day, row.closes, tz)
            # A range inside the spring gap (02:30–03:00 that night) does not exist.
            if opens < closes and closes > start and opens < end:
                intervals.append((opens, closes))
    return merge_intervals(intervals)


def platforms_named(typed: str, among: QuerySet[Platform] | None = None) -> QuerySet[Platform]:
    """Active platforms (or those of ``among``) whose name or city holds ``typed``, whatever
    the case and the accents (« saint-etienne » finds Saint-Étienne), by name."""
    platforms = Platform.objects.filter(active=True) if among is None else among
    return platforms.filter(
        Q(name__unaccent__icontains=typed) | Q(city__unaccent__icontains=typed)
    ).order_by("name")


def platforms_called(typed: str, among: QuerySet[Platform] | None = None) -> list[Platform]:
    """The platforms a person means by ``typed``: those called exactly that (any case, any
    accents), else those ``platforms_named`` finds."""
    platforms = Platform.objects.filter(active=True) if among is None else among
    return list(platforms.filter(name__unaccent__iexact=typed)) or list(
        platforms_named(typed, platforms)
    )


def platforms_operated_by(*, user: Any) -> QuerySet[Platform]:
    """The platforms ``user`` operates: staff every one, an operator those they are listed on,
    anyone else none. The one place that says who operates what."""
    if not getattr(user, "is_authenticated", False):
        return Platform.objects.none()
    if user.is_staff:
        return Platform.objects.all()
    return Platform.objects.filter(operators=user)


def user_operates(*, user: object, platform: Platform) -> bool:
    """Whether ``user`` operates ``platform`` (``platforms_operated_by``)."""
    return platforms_operated_by(user=user).filter(pk=platform.pk).exists()


def platforms_recognised_for(*, machine: Machine) -> QuerySet[Platform]:
    """The platforms whose qualifications on machines of ``machine``'s category count on it."""
    return Platform.objects.filter(
        recognised_by__platform_id=machine.platform_id, recognised_by__category=machine.category
    ).order_by("name")


def qualifications_visible_to(*, user: Any) -> QuerySet[Qualification]:
    """A person's own qualifications, and those on the machines of the platforms they operate
    (staff: all)."""
    if not getattr(user, "is_authenticated", False):
        return Qualification.objects.none()
    rows = Qualification.objects.select_related("machine__platform", "user")
    if user.is_staff:
        return rows
    return rows.filter(Q(user_id=user.pk) | Q(machine__platform__operators__id=user.pk)).distinct()


def planned_closure_intervals(
    *,
    platform: Platform,
    start: datetime,
    end: datetime,
    frequency: str | None = None,
    params: str = "",
    until: datetime | None = None,
    now: datetime | None = None,
) -> list[Interval]:
    """The intervals a closure would cover if ``closure_create`` placed it now, with the same
    arguments (naive times: the platform's wall clock), over the same window. Reads only:
    nothing is saved. ``invalid_local_time``, ``invalid_closure_range``."""
    tz = platform.tz
    start, end = aware_strict(start, tz), aware_strict(end, tz)
    if end <= start:
        raise InvalidClosureRange()
    event = Event(
        start=start,
        end=end,
        rule=Rule(frequency=frequency, params=params) if frequency else None,
        end_recurring_period=aware_strict(until, tz) if until else None,
    )
    since, upto = expansion_window(platform=platform, now=now or timezone.now())
    return planned_occurrences(event=event, timezone_name=platform.timezone, start=since, end=upto)


def maintenance_intervals(*, machine_id: int, start: datetime, end: datetime) -> list[Interval]:
    """The machine's closed time within [start, end) that is maintenance (a week's grid tells
    it apart from the platform being shut)."""
    return list(
        ClosureInterval.objects.filter(
            machine_id=machine_id,
            closure__kind=ClosureKind.MAINTENANCE,
            start__lt=end,
            end__gt=start,
        ).values_list("start", "end")
    )
