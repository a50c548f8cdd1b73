"""The booking rules, checked in the order clients rely on, and the database's last word.

A conflict that slips past the checks (two requests racing on PostgreSQL) is refused by the
exclusion constraint and surfaces as ``SlotUnavailable``, caught outside the atomic block so the
transaction is rolled back first.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, wraps
from typing import Any, ParamSpec, TypeVar, cast

from django.db import IntegrityError, connection

from accounts.models import User
from core.db import busy_on_lock_failure
from core.intervals import Interval
from core.rows import columns, instance, width
from platforms.models import Machine, Platform
from platforms.selectors import opening_intervals
from platforms.timezones import local_midnight

from .. import selectors
from ..exceptions import (
    Closed,
    InvalidRange,
    NotAligned,
    NotQualified,
    OutsideOpeningHours,
    QuotaExceeded,
    SlotUnavailable,
    TooEarly,
    TooFar,
    TooLong,
    TooShort,
    TooSoon,
    UnknownCompany,
    UnknownMachine,
    UsageInFuture,
    UsageOutsideBookingDay,
    UsageTooLong,
)
from ..models import Company, Membership

OVERLAP_CONSTRAINT = "booking_no_overlap"
# Where a user's key lies among the columns ``columns(User, …)`` selects.
_USER_KEY = [field.attname for field in User._meta.concrete_fields].index("id")
# Operators skip the notice, not the calendar: they may place or move a booking back to the
# start of the previous local day (to set the record straight after the fact), no earlier,
# and no further ahead than members may book.
OPERATOR_BACKDATE_DAYS = 1
# Usage lies within the booking's local day(s), give or take this margin (a job that started
# early or ran late into the night), has ended (give or take a little clock skew), and lasts
# at most a day.
USAGE_MARGIN = timedelta(hours=6)
USAGE_CLOCK_SKEW = timedelta(minutes=2)
USAGE_LONGEST = timedelta(hours=24)

P = ParamSpec("P")
R = TypeVar("R")


def _is_overlap_error(exc: Exception) -> bool:
    """PostgreSQL's exclusion_violation (23P01) of the overlap constraint, and nothing else."""
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) != "23P01":
        return False
    diag = getattr(cause, "diag", None)
    return getattr(diag, "constraint_name", OVERLAP_CONSTRAINT) == OVERLAP_CONSTRAINT


def conflicts_as_slot_unavailable(func: Callable[P, R]) -> Callable[P, R]:
    """Turn the database's refusal of an overlap into ``SlotUnavailable``, and a lock not
    obtained in time (or a deadlock) into ``Busy``: a lock failure is not a conflict.

    Wraps the function from outside its atomic block: by the time the error is handled, the
    transaction has been rolled back and nothing of the attempt remains.
    """

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except IntegrityError as exc:
            if _is_overlap_error(exc):
                raise SlotUnavailable() from exc
            raise

    return busy_on_lock_failure(wrapper)


@dataclass(frozen=True)
class BookingLock:
    """What a booking reads under its machine's lock, in one statement."""

    machine: Machine  # with its platform
    company: Company | None
    member: bool  # whether the booking user belongs to the company
    # The company's active members, whole, with their role, in the order they joined (None:
    # not asked for). Who hears of the booking is among them: read here, not again.
    members: selectors.Members | None = None


@cache
def _booking_lock_sql(vendor: str, for_update_of: bool, members: bool) -> str:
    quote = connection.ops.quote_name
    machine, platform = Machine._meta, Platform._meta
    company, membership = Company._meta, Membership._meta
    select = (
        f"SELECT {columns(Machine, 'm')}, {columns(Platform, 'p')}, {columns(Company, 'c')}, "
        f"EXISTS(SELECT 1 FROM {quote(membership.db_table)} ms "
        "WHERE ms.company_id = c.id AND ms.user_id = %s)"
    )
    tables = (
        f" FROM {quote(machine.db_table)} m "
        f"JOIN {quote(platform.db_table)} p ON p.id = m.platform_id "
        f"LEFT JOIN {quote(company.db_table)} c ON c.id = %s"
    )
    order = ""
    if members:
        # One row per membership (at least one row: the outer joins); an inactive member's
        # user columns are NULL.
        select += f", {columns(User, 'u')}, mb.role"
        tables += (
            f" LEFT JOIN {quote(membership.db_table)} mb ON mb.company_id = c.id"
            f" LEFT JOIN {quote(User._meta.db_table)} u ON u.id = mb.user_id AND u.is_active"
        )
        order = " ORDER BY mb.id"
    return f"{select}{tables} WHERE m.id = %s{order}" + (
        " FOR UPDATE OF m" if for_update_of else ""
    )


def lock_for_booking(
    *,
    machine: Machine | int,
    company: Company | int | None,
    user: Any,
    members: bool = False,
) -> BookingLock:
    """The machine (an instance or an id) with its platform, locked (``SELECT … FOR UPDATE OF``
    the machine's row: it serialises the bookings of that machine), the company (an instance or
    an id; read afresh), whether ``user`` belongs to it and, with ``members``, its active
    members: one statement, as every booking starts with it. ``unknown_machine``,
    ``unknown_company``."""
    machine_pk = machine if isinstance(machine, int) else machine.pk
    company_pk = company if isinstance(company, int) or company is None else company.pk
    sql = _booking_lock_sql(
        connection.vendor, connection.features.has_select_for_update_of, members
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [getattr(user, "pk", None), company_pk, machine_pk])
        rows = cursor.fetchall()
    if not rows:
        raise UnknownMachine(machine=machine_pk)
    row = list(rows[0])
    locked = cast(Machine, instance(Machine, row[: width(Machine)]))
    row = row[width(Machine) :]
    Machine.platform.field.set_cached_value(locked, instance(Platform, row[: width(Platform)]))
    row = row[width(Platform) :]
    found: Company | None = None
    if row[0] is not None:
        found = cast(Company, instance(Company, row[: width(Company)]))
    elif company_pk is not None:
        raise UnknownCompany(company=company_pk)
    member = bool(row[width(Company)])
    people = None
    if members:
        # Each row's last columns: the member (its user's columns; NULL if inactive), role.
        first = width(Machine) + width(Platform) + width(Company) + 1
        people = [
            (cast(User, instance(User, person[first:-1])), person[-1])
            for person in rows
            if person[first + _USER_KEY] is not None
        ]
    return BookingLock(machine=locked, company=found, member=member, members=people)


def lock_machine(machine: Machine | int) -> Machine:
    """The machine (an instance or an id) with its platform, re-read with a row lock that
    serialises the bookings of that machine (``lock_for_booking`` without a company).

    On SQLite the IMMEDIATE transaction already serialises every writer; this is a plain read.
    """
    return lock_for_booking(machine=machine, company=None, user=None).machine


def booking_price(*, machine: Machine, start: datetime, end: datetime) -> Decimal:
    """The hourly rate times the real duration (a DST night counts its real hours)."""
    hours = Decimal((end - start).total_seconds()) / Decimal(3600)
    return (machine.hourly_rate * hours).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def check_aligned(*, machine: Machine, start: datetime, end: datetime) -> None:
    tz = machine.platform.tz
    for moment in (start, end):
        local = moment.astimezone(tz)
        minutes = local.hour * 60 + local.minute
        if local.second or local.microsecond or minutes % machine.slot_minutes:
            raise NotAligned(minutes=machine.slot_minutes)


def check_qualified(*, machine: Machine, user: Any, start: datetime, operator: bool) -> None:
    """Machines that require it refuse users without a valid qualification (operators book on
    a company's behalf and answer for who runs the machine)."""
    if not machine.requires_qualification or operator:
        return
    on = start.astimezone(machine.platform.tz).date()
    if not selectors.user_is_qualified(user=user, machine=machine, on=on):
        raise NotQualified()


def check_quota(
    *,
    machine: Machine,
    company: Company,
    start: datetime,
    end: datetime,
    exclude_pk: int | None = None,
    extra: Sequence[Interval] = (),
    state: selectors.SlotState | None = None,
) -> None:
    """The company's hours on the machine, per platform-local week, stay within the quota
    (summed in exact seconds). ``state``: the rules' query, which may have answered it."""
    if machine.weekly_quota_hours is None or (state is not None and state.within_quota):
        return
    quota = machine.weekly_quota_hours
    week = selectors.local_week(start, machine)
    while week[0] < end:
        used = selectors.company_week_seconds(
            company=company, machine=machine, week=week, exclude_pk=exclude_pk, extra=extra
        )
        wanted = selectors.overlap_seconds(week, (start, end))
        if used + wanted > quota * 3600:
            raise QuotaExceeded(quota=_hours(quota), used=_hours(used / 3600))
        week = selectors.local_week(week[1], machine)


def _hours(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1')).normalize():f}"


def check_slot(
    *,
    machine: Machine,
    start: datetime,
    end: datetime,
    now: datetime,
    enforce_timing: bool = True,
) -> None:
    """Range, alignment, length, notice and horizon — in that order. Opening hours, closures
    and overlap come next, from ``selectors.slot_state`` (one query for the three)."""
    if end <= start:
        raise InvalidRange()
    check_aligned(machine=machine, start=start, end=end)
    minutes = (end - start).total_seconds() / 60
    if minutes < machine.min_minutes:
        raise TooShort(minutes=machine.min_minutes)
    if minutes > machine.max_minutes:
        raise TooLong(minutes=machine.max_minutes)
    if enforce_timing:
        if start < now + timedelta(hours=machine.min_notice_hours):
            raise TooSoon(hours=machine.min_notice_hours)
        if start > now + timedelta(days=machine.max_advance_days):
            raise TooFar(days=machine.max_advance_days)


def check_open(
    *, machine: Machine, start: datetime, end: datetime, state: selectors.SlotState
) -> None:
    """Inside the platform's opening hours: one range covers the slot (``state``), or the
    merged open periods do (two touching ranges, a night across midnight)."""
    if state.within_opening_range:
        return
    opening = opening_intervals(platform=machine.platform, start=start, end=end)
    if not any(opens <= start and end <= closes for opens, closes in opening):
        raise OutsideOpeningHours()


def check_not_closed(state: selectors.SlotState) -> None:
    if state.closed:
        raise Closed()


def check_free(
    *,
    machine: Machine,
    start: datetime,
    end: datetime,
    state: selectors.SlotState,
    extra: Sequence[Interval] = (),
) -> None:
    """No active booking (``state``), nor one of ``extra``, closer than the machine's buffer."""
    buffer = timedelta(minutes=machine.buffer_minutes)
    if state.taken or any(s < end + buffer and e > start - buffer for s, e in extra):
        raise SlotUnavailable()


def check_operator_window(*, machine: Machine, start: datetime, now: datetime) -> None:
    """What bounds an operator who skips notice and horizon: never before the start of the
    previous local day, never beyond the machine's booking horizon."""
    tz = machine.platform.tz
    today = now.astimezone(tz).date()
    earliest = local_midnight(today - timedelta(days=OPERATOR_BACKDATE_DAYS), tz)
    if start < earliest:
        raise TooEarly(date=earliest.astimezone(tz).strftime("%Y-%m-%d %H:%M"))
    if start > now + timedelta(days=machine.max_advance_days):
        raise TooFar(days=machine.max_advance_days)


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
