"""The week calendar of a machine as a grid of cells, from what its selector says the person
may see. Layout only: which time is free, bookable, busy or closed comes from the selector."""

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils.translation import gettext as _

from bookings.models import BookingStatus
from bookings.selectors.availability import MachineView, SeenBusy
from bookings.selectors.operations import PlatformWeek
from core.dates import short_day_month
from core.datetimes import FIRST_YEAR, LAST_YEAR
from core.intervals import Interval
from platforms.models import Machine, OpeningHours
from platforms.selectors import opening_intervals
from platforms.timezones import aware_lenient, is_valid_local, local_midnight

WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$")


def week_monday(value: str | None, today: date) -> tuple[date, bool]:
    """The Monday of an ISO week written ``2026-W49``; this week's when the value is absent
    or not a week we accept (the second item says whether the value was refused)."""
    this_monday = today - timedelta(days=today.weekday())
    if not value:
        return this_monday, False
    match = WEEK_PATTERN.match(value)
    if match is None:
        return this_monday, True
    year, week = int(match.group(1)), int(match.group(2))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return this_monday, True
    try:
        return date.fromisocalendar(year, week, 1), False
    except ValueError:
        return this_monday, True


def week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Cell:
    start: datetime
    end: datetime
    # free (bookable now), open (free but not bookable: past, notice, horizon), mine, busy,
    # current (the booking being moved), closed, maintenance (a closure of that kind), shut
    # (outside opening hours or a clock time that does not exist that day)
    state: str
    booking_id: int | None = None
    status: str | None = None


@dataclass
class Row:
    clock: time
    cells: list[Cell]


@dataclass
class WeekGrid:
    monday: date
    days: list[date]
    rows: list[Row]

    @property
    def previous(self) -> str:
        return week_label(self.monday - timedelta(days=7))

    @property
    def next(self) -> str:
        return week_label(self.monday + timedelta(days=7))

    @property
    def label(self) -> str:
        return week_label(self.monday)

    def columns(self) -> list[tuple[date, list[Cell], bool]]:
        """The same cells by day, with whether the day has a free cell: the page lists the
        days one after the other (side by side on a wide screen)."""
        columns = []
        for index, day in enumerate(self.days):
            cells = [row.cells[index] for row in self.rows]
            columns.append((day, cells, any(cell.state == "free" for cell in cells)))
        return columns


def week_window(machine: Machine, monday: date) -> Interval:
    tz = machine.platform.tz
    return local_midnight(monday, tz), local_midnight(monday + timedelta(days=7), tz)


def _minutes(clock: time) -> int:
    return clock.hour * 60 + clock.minute


def _day_span(hours: list[OpeningHours]) -> tuple[int, int] | None:
    """The earliest opening and latest closing of the week, in minutes from midnight."""
    if not hours:
        return None
    opens = min(_minutes(row.opens) for row in hours)
    closes = max(24 * 60 if row.closes == time(0) else _minutes(row.closes) for row in hours)
    return opens, closes


def _covers(
    intervals: list[Interval], starts: list[datetime], start: datetime, end: datetime
) -> bool:
    index = bisect_right(starts, start) - 1
    return index >= 0 and intervals[index][1] >= end


def _overlapping(spans: list[SeenBusy], start: datetime, end: datetime) -> SeenBusy | None:
    for span in spans:
        if span.start < end and span.end > start:
            return span
    return None


def week_grid(
    *,
    view: MachineView,
    monday: date,
    hours: list[OpeningHours],
    current: Interval | None = None,
    maintenance: list[Interval] | None = None,
) -> WeekGrid:
    """Rows from the week's earliest opening to its latest closing, one cell per slot;
    ``current``: the time of a booking being moved, marked as such; ``maintenance``: closed
    time that is maintenance, said so."""
    machine = view.availability.machine
    tz = machine.platform.tz
    days = [monday + timedelta(days=offset) for offset in range(7)]
    span = _day_span(hours)
    if span is None:
        return WeekGrid(monday=monday, days=days, rows=[])
    step = machine.slot_minutes
    first = span[0] - span[0] % step
    window = (view.availability.start, view.availability.end)
    opening = opening_intervals(
        platform=machine.platform, start=window[0], end=window[1], hours=hours
    )
    opening_starts = [s for s, _ in opening]
    bookable = view.bookable
    bookable_starts = [s for s, _ in bookable]
    rows = []
    for minute in range(first, span[1], step):
        clock = time(minute // 60, minute % 60)
        cells = []
        for day in days:
            naive = datetime.combine(day, clock)
            # In the platform's zone, so the page writes its offset (data-start, data-end).
            start = aware_lenient(day, clock, tz).astimezone(tz)
            end = (start + timedelta(minutes=step)).astimezone(tz)
            busy = _overlapping(view.busy, start, end)
            if not is_valid_local(naive, tz):
                state = "shut"
            elif busy is not None and current and current[0] < end and current[1] > start:
                state = "current"
            elif busy is not None:
                state = "mine" if busy.mine else "busy"
            elif any(s < end and e > start for s, e in view.availability.closed):
                under_maintenance = any(s < end and e > start for s, e in maintenance or ())
                state = "maintenance" if under_maintenance else "closed"
            elif _covers(bookable, bookable_starts, start, end):
                state = "free"
            elif _covers(opening, opening_starts, start, end):
                # Open, yet not bookable: past, inside the notice, past the horizon, or the
                # buffer kept around a booking.
                state = "open"
            else:
                state = "shut"
            cells.append(
                Cell(
                    start=start,
                    end=end,
                    state=state,
                    booking_id=busy.booking_id if busy and state == "mine" else None,
                    status=busy.status if busy and state == "mine" else None,
                )
            )
        rows.append(Row(clock=clock, cells=cells))
    return WeekGrid(monday=monday, days=days, rows=rows)


@dataclass(frozen=True)
class Chip:
    """A booking as the platform's week and day show it, its labels written once."""

    pk: int
    status: str
    span: str  # "09:00–11:00", local
    who: str
    status_label: str


def chip_of(booking: Any, tz: Any, labels: dict[str, str], internal: str) -> Chip:
    start, end = booking.start.astimezone(tz), booking.end.astimezone(tz)
    return Chip(
        pk=booking.pk,
        status=booking.status,
        span=f"{start:%H:%M}–{end:%H:%M}",
        who=booking.company.name if booking.company_id else internal,
        status_label=labels.get(booking.status, booking.status),
    )


@dataclass
class MachineDay:
    day: date
    label: str
    bookings: list[Chip]
    closed: bool


def platform_grid(
    *, week: PlatformWeek, monday: date, tz: Any
) -> list[tuple[Machine, list[MachineDay]]]:
    """Machines as rows, the seven days as columns; each cell the machine's bookings that
    touch that local day, and whether a closure does. Labels are formatted once per day and
    per booking, not per cell (a 30-machine week has 210 cells)."""
    days = [monday + timedelta(days=offset) for offset in range(7)]
    bounds = [
        (local_midnight(day, tz), local_midnight(day + timedelta(days=1), tz)) for day in days
    ]
    labels = [short_day_month(day) for day in days]
    statuses = {status: str(label) for status, label in BookingStatus.choices}
    internal = str(_("internal"))
    rows = []
    for machine in week.machines:
        bookings = week.bookings.get(machine.pk, [])
        chips = {booking.pk: chip_of(booking, tz, statuses, internal) for booking in bookings}
        closures = week.closed.get(machine.pk, [])
        cells = []
        for day, label, (start, end) in zip(days, labels, bounds, strict=True):
            cells.append(
                MachineDay(
                    day=day,
                    label=label,
                    bookings=[chips[b.pk] for b in bookings if b.start < end and b.end > start],
                    closed=any(s < end and e > start for s, e in closures),
                )
            )
        rows.append((machine, cells))
    return rows


DAY_STEP = 30  # minutes per column of the platform's day


@dataclass
class Segment:
    """A run of columns of one machine's day: a booking, a closure, time outside opening
    hours, or one free column (its own link, to book from that time)."""

    state: str  # booking, closed, free, past, shut
    columns: int
    start: datetime
    end: datetime
    booking: Chip | None = None
    clock: str = ""  # the local "HH:MM" of its start


@dataclass
class PlatformDay:
    day: date
    columns: list[tuple[time, bool]]  # the clock time of each column, and whether it is an hour
    rows: list[tuple[Machine, list[Segment]]]


def _day_columns(
    day: date, hours: list[OpeningHours], week: PlatformWeek, tz: Any
) -> tuple[int, int]:
    """The day's span in minutes from midnight: its opening hours (08:00–18:00 on a day the
    platform is closed), widened to show every booking that touches the day."""
    span = _day_span([row for row in hours if row.weekday == day.weekday()]) or (8 * 60, 18 * 60)
    first, last = span
    midnight, next_midnight = local_midnight(day, tz), local_midnight(day + timedelta(days=1), tz)
    for bookings in week.bookings.values():
        for booking in bookings:
            if booking.start < next_midnight and booking.end > midnight:
                start = max(booking.start, midnight).astimezone(tz)
                end = min(booking.end, next_midnight)
                first = min(first, start.hour * 60 + start.minute)
                last = max(last, 24 * 60 if end == next_midnight else _local_minutes(end, tz))
    first -= first % DAY_STEP
    last += -last % DAY_STEP
    return first, min(last, 24 * 60)


def _local_minutes(instant: datetime, tz: Any) -> int:
    local = instant.astimezone(tz)
    return local.hour * 60 + local.minute


def platform_day(
    *, platform: Any, week: PlatformWeek, day: date, hours: list[OpeningHours], now: datetime
) -> PlatformDay:
    """Machines as rows, the day's half hours as columns; bookings and closures span the
    columns they cover. ``week`` holds the day's bookings and closures (``platform_week``
    over the day)."""
    tz = platform.tz
    first, last = _day_columns(day, hours, week, tz)
    clocks = [time(minute // 60, minute % 60) for minute in range(first, last, DAY_STEP)]
    bounds = []
    for clock in clocks:
        start = aware_lenient(day, clock, tz)
        minutes = clock.hour * 60 + clock.minute + DAY_STEP
        end = (
            local_midnight(day + timedelta(days=1), tz)
            if minutes >= 24 * 60
            else aware_lenient(day, time(minutes // 60, minutes % 60), tz)
        )
        bounds.append((start, end, is_valid_local(datetime.combine(day, clock), tz)))
    rows = []
    opening = (
        opening_intervals(platform=platform, start=bounds[0][0], end=bounds[-1][1], hours=hours)
        if bounds
        else []
    )
    statuses = {status: str(label) for status, label in BookingStatus.choices}
    internal = str(_("internal"))
    labels = [f"{clock:%H:%M}" for clock in clocks]
    for machine in week.machines:
        bookings = week.bookings.get(machine.pk, [])
        chips = {booking.pk: chip_of(booking, tz, statuses, internal) for booking in bookings}
        closed = week.closed.get(machine.pk, [])
        segments: list[Segment] = []
        for (start, end, exists), label in zip(bounds, labels, strict=True):
            found = next((b for b in bookings if b.start < end and b.end > start), None)
            booking = chips[found.pk] if found is not None else None
            if not exists or start >= end:
                state = "shut"
            elif booking is not None:
                state = "booking"
            elif any(s < end and e > start for s, e in closed):
                state = "closed"
            elif any(s <= start and e >= end for s, e in opening):
                state = "free" if start >= now else "past"
            else:
                state = "shut"
            last_segment = segments[-1] if segments else None
            if (
                last_segment is not None
                and state != "free"
                and last_segment.state == state
                and last_segment.booking is booking
            ):
                last_segment.columns += 1
                last_segment.end = end
            else:
                segments.append(Segment(state, 1, start, end, booking, label))
        rows.append((machine, segments))
    return PlatformDay(day=day, columns=[(clock, clock.minute == 0) for clock in clocks], rows=rows)
