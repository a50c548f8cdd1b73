"""The one module that expands closure recurrences (django-scheduler rules) into intervals.

Expansion runs in the platform's zone: django-scheduler takes the time zone of the window's
start for its rrule, so a window given in Europe/Paris keeps a "Monday 08:00" closure at 08:00
local after a DST change, where its UTC default would shift it by an hour.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Max
from schedule.models import Event

from core.intervals import Interval

from .models import Platform
from .timezones import zone

# Closures are expanded from a day back to two days past the platform's longest horizon.
HORIZON_MARGIN = timedelta(days=2)
HISTORY_KEPT = timedelta(days=1)


def expansion_window(*, platform: Platform, now: datetime) -> Interval:
    """The window the platform's closures are expanded over: from a day ago to just past the
    longest booking horizon of its machines."""
    longest = platform.machines.aggregate(days=Max("max_advance_days"))["days"] or 0
    return now - HISTORY_KEPT, now + timedelta(days=longest) + HORIZON_MARGIN


def closure_occurrences(
    *, event: Event, timezone_name: str, start: datetime, end: datetime
) -> list[Interval]:
    """Occurrences of ``event`` overlapping [start, end) as UTC intervals.

    Cancelled occurrences are left out and moved ones are where they were moved to
    (django-scheduler's persisted occurrences). ``event`` should come with ``rule`` and
    ``occurrence_set`` prefetched: nothing here queries then.
    """
    tz = zone(timezone_name)
    occurrences = event.get_occurrences(
        start.astimezone(tz), end.astimezone(tz), clear_prefetch=False
    )
    return _intervals(occurrences, start, end)


def planned_occurrences(
    *, event: Event, timezone_name: str, start: datetime, end: datetime
) -> list[Interval]:
    """``closure_occurrences`` of a closure not placed yet (``event`` and its rule unsaved):
    what its rule gives, as none of its occurrences can have been skipped or moved."""
    tz = zone(timezone_name)
    # django-scheduler's own expansion, without the persisted occurrences an unsaved event
    # cannot have (and cannot ask for).
    occurrences = event._get_occurrence_list(start.astimezone(tz), end.astimezone(tz))
    return _intervals(occurrences, start, end)


def _intervals(occurrences: Iterable, start: datetime, end: datetime) -> list[Interval]:
    intervals = []
    for occurrence in occurrences:
        if occurrence.cancelled:
            continue
        occ_start = occurrence.start.astimezone(UTC)
        occ_end = occurrence.end.astimezone(UTC)
        if occ_start < end and occ_end > start and occ_start < occ_end:
            intervals.append((occ_start, occ_end))
    return sorted(intervals)


@dataclass(frozen=True)
class OccurrenceRow:
    """One occurrence of a recurring closure as an operator sees it: where the rule put it
    (``original_start``, which names it), where it is now, and whether it was skipped."""

    original_start: datetime
    start: datetime
    end: datetime
    cancelled: bool

    @property
    def moved(self) -> bool:
        return self.start != self.original_start

    @property
    def key(self) -> int:
        return int(self.original_start.timestamp())


def closure_occurrence_rows(
    *, event: Event, timezone_name: str, start: datetime, end: datetime, limit: int
) -> list[OccurrenceRow]:
    """The first ``limit`` occurrences of ``event`` overlapping [start, end), skipped ones
    included, in the platform's zone."""
    tz = zone(timezone_name)
    occurrences = event.get_occurrences(start.astimezone(tz), end.astimezone(tz))
    rows = [
        OccurrenceRow(
            original_start=occurrence.original_start.astimezone(tz),
            start=occurrence.start.astimezone(tz),
            end=occurrence.end.astimezone(tz),
            cancelled=bool(occurrence.cancelled),
        )
        for occurrence in occurrences
    ]
    return sorted(rows, key=lambda row: row.original_start)[:limit]
