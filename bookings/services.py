"""State changes of the booking core. The only code that writes bookings.

Every function is keyword-only and runs in one transaction. A conflict that slips past the
checks (two requests racing on PostgreSQL) is refused by the exclusion constraint and surfaces
as ``SlotUnavailable``, caught outside the atomic block so the transaction is rolled back first.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from platforms.models import Machine
from platforms.selectors import opening_intervals, user_operates
from platforms.timezones import aware_strict

from .exceptions import (
    AlreadyStarted,
    InvalidRange,
    MachineInactive,
    NotAligned,
    NotAllowed,
    NotCancellable,
    NotMember,
    OutsideOpeningHours,
    SlotUnavailable,
    TooFar,
    TooLong,
    TooShort,
    TooSoon,
)
from .models import Booking, BookingStatus, Company
from .selectors import booking_conflicts, user_is_member

OVERLAP_CONSTRAINT = "booking_no_overlap"
# PostgreSQL error codes: exclusion_violation, deadlock_detected, serialization_failure.
_CONFLICT_SQLSTATES = {"23P01", "40P01", "40001"}

P = ParamSpec("P")
R = TypeVar("R")


def _is_overlap_error(exc: Exception) -> bool:
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate == "23P01":
        diag = getattr(cause, "diag", None)
        return getattr(diag, "constraint_name", OVERLAP_CONSTRAINT) == OVERLAP_CONSTRAINT
    return sqlstate in _CONFLICT_SQLSTATES


def conflicts_as_slot_unavailable(func: Callable[P, R]) -> Callable[P, R]:
    """Turn the database's refusal of an overlap (or a lock deadlock) into SlotUnavailable.

    Wraps the function from outside its atomic block: by the time the error is handled, the
    transaction has been rolled back and nothing of the attempt remains.
    """

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except (IntegrityError, OperationalError) as exc:
            if _is_overlap_error(exc):
                raise SlotUnavailable() from exc
            raise

    return wrapper


def _check_aligned(*, machine: Machine, moments: tuple[datetime, ...]) -> None:
    tz = machine.platform.tz
    for moment in moments:
        local = moment.astimezone(tz)
        minutes = local.hour * 60 + local.minute
        if local.second or local.microsecond or minutes % machine.slot_minutes:
            raise NotAligned(minutes=machine.slot_minutes)


def _check_rules(*, machine: Machine, start: datetime, end: datetime, now: datetime) -> None:
    """The machine's rules for a booking over [start, end), in the order clients rely on."""
    if end <= start:
        raise InvalidRange()
    _check_aligned(machine=machine, moments=(start, end))
    minutes = (end - start).total_seconds() / 60
    if minutes < machine.min_minutes:
        raise TooShort(minutes=machine.min_minutes)
    if minutes > machine.max_minutes:
        raise TooLong(minutes=machine.max_minutes)
    if start < now + timedelta(hours=machine.min_notice_hours):
        raise TooSoon(hours=machine.min_notice_hours)
    if start > now + timedelta(days=machine.max_advance_days):
        raise TooFar(days=machine.max_advance_days)
    opening = opening_intervals(platform=machine.platform, start=start, end=end)
    if not any(opens <= start and end <= closes for opens, closes in opening):
        raise OutsideOpeningHours()


def booking_price(*, machine: Machine, start: datetime, end: datetime) -> Decimal:
    """The hourly rate times the real duration (a DST night counts its real hours)."""
    hours = Decimal((end - start).total_seconds()) / Decimal(3600)
    return (machine.hourly_rate * hours).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _lock_machine(machine: Machine) -> Machine:
    # One lock per machine serialises the bookings of that machine only; on SQLite the
    # IMMEDIATE transaction already serialises every writer and this is a plain read.
    return (
        Machine.objects.select_for_update(of=("self",))
        .select_related("platform")
        .get(pk=machine.pk)
    )


@conflicts_as_slot_unavailable
def booking_create(
    *,
    machine: Machine,
    company: Company,
    user: Any,
    start: datetime,
    end: datetime,
    note: str = "",
) -> Booking:
    """Book ``machine`` for ``company`` over [start, end), or raise a domain error.

    Naive datetimes are wall-clock times of the platform. Checks in order: membership (or
    operator/staff of the platform booking on the company's behalf), machine active, local times
    valid, slot alignment, length, notice and horizon, opening hours, then overlap with active
    bookings (the machine's buffer included) under a lock on the machine row.
    """
    with transaction.atomic():
        locked = _lock_machine(machine)
        if not (
            user_is_member(user=user, company=company)
            or user_operates(user=user, platform=locked.platform)
        ):
            raise NotMember()
        if not (locked.active and locked.platform.active):
            raise MachineInactive()
        tz = locked.platform.tz
        start = aware_strict(start, tz)
        end = aware_strict(end, tz)
        _check_rules(machine=locked, start=start, end=end, now=timezone.now())
        if booking_conflicts(
            machine=locked, start=start, end=end, buffer_minutes=locked.buffer_minutes
        ).exists():
            raise SlotUnavailable()
        return Booking.objects.create(
            machine=locked,
            company=company,
            booked_by=user if getattr(user, "is_authenticated", False) else None,
            start=start,
            end=end,
            note=note,
            status=(BookingStatus.PENDING if locked.requires_approval else BookingStatus.CONFIRMED),
            price=booking_price(machine=locked, start=start, end=end),
        )


@conflicts_as_slot_unavailable
def booking_cancel(*, booking: Booking, user: Any, reason: str = "") -> Booking:
    """Cancel an active booking.

    A member of the company may cancel until the booking starts; inside the machine's notice
    period the cancellation is flagged late (platforms may charge for it). An operator of the
    platform (or staff) may cancel at any time, never flagged late.
    """
    with transaction.atomic():
        locked = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("machine__platform", "company")
            .get(pk=booking.pk)
        )
        operator = user_operates(user=user, platform=locked.machine.platform)
        if not operator and not user_is_member(user=user, company=locked.company):
            raise NotAllowed()
        if not locked.is_active:
            raise NotCancellable(status=locked.get_status_display())
        now = timezone.now()
        late = False
        if not operator:
            if now >= locked.start:
                raise AlreadyStarted()
            late = now > locked.start - timedelta(hours=locked.machine.min_notice_hours)
        locked.status = BookingStatus.CANCELLED
        locked.cancelled_at = now
        locked.cancelled_by = user if getattr(user, "is_authenticated", False) else None
        locked.cancellation_reason = reason
        locked.late_cancellation = late
        locked.version += 1
        locked.save()
        return locked
