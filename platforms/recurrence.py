"""The one module that expands closure recurrences (django-scheduler rules) into intervals.

Expansion runs in the platform's zone: django-scheduler takes the time zone of the window's
start for its rrule, so a window given in Europe/Paris keeps a "Monday 08:00" closure at 08:00
local after a DST change, where its UTC default would shift it by an hour.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from schedule.models import Event

from core.intervals import Interval

from .timezones import zone


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
