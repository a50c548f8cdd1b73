"""Creating bookings: one slot, a recurring series, or the platform's own internal time.

Each locks the machine (then the company), builds a ``SlotContext`` per slot, runs the rules
(``rules.check_rules``), saves and records the audit entry, in one transaction.
"""

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_record, state_of
from core.datetimes import check_range
from core.events import announce
from core.exceptions import DomainError
from platforms.models import Machine
from platforms.selectors import user_operates
from platforms.timezones import aware_strict

from ..exceptions import (
    CompanyNotValidated,
    InvalidSeries,
    MachineInactive,
    NotAllowed,
    NotMember,
    SeriesRefused,
)
from ..models import Booking, BookingKind, BookingStatus, Company
from ..selectors import user_is_member
from ..signals import booking_created
from .context import SlotContext, conflicts_as_slot_unavailable, lock_company, lock_machine
from .rules import check_rules

MAX_SERIES = 52
SERIES_STEPS = {"daily": timedelta(days=1), "weekly": timedelta(weeks=1)}
# What the entry recording a new booking keeps.
CREATED_FIELDS = (
    "machine",
    "company",
    "kind",
    "start",
    "end",
    "status",
    "note",
    "series_id",
)


def _lock_for_booking(
    *, machine: Machine | int, company: Company | int, user: Any
) -> tuple[Machine, Company, bool]:
    """Lock the machine, then the company; check who books (a member, or an operator of the
    platform — staff included — on the company's behalf: ``not_member``), that the company
    is validated and the machine bookable. Returns both, locked, and whether the user acts as
    an operator."""
    locked = lock_machine(machine)
    found = lock_company(company)
    operator = user_operates(user=user, platform=locked.platform)
    if not operator and not user_is_member(user=user, company=found):
        raise NotMember()
    if not found.is_validated:
        raise CompanyNotValidated()
    if not (locked.active and locked.platform.active):
        raise MachineInactive()
    return locked, found, operator


def _book_slot(
    ctx: SlotContext, *, note: str, series_id: uuid.UUID | None = None, assisted: bool = False
) -> Booking:
    """Save the booking of a slot that passed the rules, and the audit entry recording it (an
    operator's walk-in as booked within the notice members are held to). A company's booking
    waits for approval where the machine asks for it; internal time never does. Billing prices
    the booking when it is announced (its ``price`` snapshot and lines to bill)."""
    machine = ctx.machine
    if ctx.internal:
        kind, status = BookingKind.INTERNAL, BookingStatus.CONFIRMED
    else:
        kind = BookingKind.COMPANY
        status = BookingStatus.PENDING if machine.requires_approval else BookingStatus.CONFIRMED
        assisted = assisted and machine.assisted_hourly_rate is not None
    booking = Booking.objects.create(
        machine=machine,
        company=ctx.company,
        kind=kind,
        booked_by=ctx.user if getattr(ctx.user, "is_authenticated", False) else None,
        start=ctx.start,
        end=ctx.end,
        status=status,
        assisted=assisted and not ctx.internal,
        note=note,
        series_id=series_id,
    )
    audit_record(
        actor=ctx.user,
        action="booking.created_within_notice"
        if ctx.within_notice and not ctx.internal
        else "booking.created",
        obj=booking,
        after=state_of(booking, CREATED_FIELDS),
    )
    return booking


@conflicts_as_slot_unavailable
def booking_create(
    *,
    machine: Machine | int,
    company: Company | int,
    user: Any,
    start: datetime,
    end: datetime,
    note: str = "",
    assisted: bool = False,
) -> Booking:
    """Book ``machine`` for ``company`` (each an instance or an id) over [start, end), or raise
    the first refusal: ``unknown_machine`` / ``unknown_company``, ``not_member``,
    ``company_not_validated``, ``machine_inactive``, ``invalid_local_time``, then the rules in
    their order (``rules.RULES``). Naive datetimes are wall-clock times of the platform. An
    operator books a walk-in without notice (recorded as such in the audit trail).
    Pending when the machine requires approval, else confirmed; announced as
    ``booking_created``.
    """
    with transaction.atomic():
        locked, company, operator = _lock_for_booking(machine=machine, company=company, user=user)
        tz = locked.platform.tz
        ctx = SlotContext(
            machine=locked,
            company=company,
            user=user,
            start=aware_strict(start, tz),
            end=aware_strict(end, tz),
            now=timezone.now(),
            operator=operator,
        )
        check_rules(ctx)
        booking = _book_slot(ctx, note=note, assisted=assisted)
        announce(booking_created, sender=Booking, booking=booking, actor=user)
        return booking


def _series_slots(
    start: datetime, end: datetime, frequency: str, count: int
) -> list[tuple[datetime, datetime]]:
    """The requested repetitions in wall-clock time: "every Tuesday 09:00" stays 09:00 local
    across a DST change, so naive or local times are stepped before being made instants."""
    step = SERIES_STEPS[frequency]
    return [(start + step * index, end + step * index) for index in range(count)]


def _refusal(start: datetime, end: datetime, error: DomainError) -> dict[str, object]:
    return {"start": start, "end": end, "code": error.code, "detail": error.detail}


@conflicts_as_slot_unavailable
def booking_create_series(
    *,
    machine: Machine | int,
    company: Company | int,
    user: Any,
    start: datetime,
    end: datetime,
    frequency: str,
    count: int,
    note: str = "",
    assisted: bool = False,
) -> list[Booking]:
    """Book the same slot ``count`` times, daily or weekly: all or nothing.

    Every date runs the rules as ``booking_create`` would (earlier dates of the series count
    for overlap and quotas). If any is refused, nothing is booked and ``SeriesRefused`` lists
    every refused date with its code. One announcement for the series.
    """
    if frequency not in SERIES_STEPS or not 2 <= count <= MAX_SERIES:
        raise InvalidSeries(max=MAX_SERIES)
    # Before stepping: near year 9999, start + step * n would overflow.
    check_range(start, end)
    with transaction.atomic():
        locked, company, operator = _lock_for_booking(machine=machine, company=company, user=user)
        tz = locked.platform.tz
        if start.tzinfo is not None:
            # Step in local wall-clock time, not in UTC.
            start = start.astimezone(tz).replace(tzinfo=None)
            end = end.astimezone(tz).replace(tzinfo=None)
        now = timezone.now()
        accepted: list[SlotContext] = []
        refused: list[dict[str, object]] = []
        for local_start, local_end in _series_slots(start, end, frequency, count):
            try:
                ctx = SlotContext(
                    machine=locked,
                    company=company,
                    user=user,
                    start=aware_strict(local_start, tz),
                    end=aware_strict(local_end, tz),
                    now=now,
                    operator=operator,
                    earlier=tuple((slot.start, slot.end) for slot in accepted),
                )
                check_rules(ctx)
                accepted.append(ctx)
            except DomainError as error:
                shown = (local_start.replace(tzinfo=tz), local_end.replace(tzinfo=tz))
                refused.append(_refusal(*shown, error))
        if refused:
            raise SeriesRefused(refused)
        series = uuid.uuid4()
        bookings = [
            _book_slot(slot, note=note, series_id=series, assisted=assisted) for slot in accepted
        ]
        announce(booking_created, sender=Booking, booking=bookings[0], series=bookings, actor=user)
        return bookings


@conflicts_as_slot_unavailable
def booking_block(
    *, machine: Machine, user: Any, start: datetime, end: datetime, note: str = ""
) -> Booking:
    """An operator reserves the platform's own time (maintenance run, internal project).

    Internal blocks skip notice, quotas, qualification and the calendar (they may fall outside
    opening hours); like any operator write they stay between the previous local day and the
    machine's horizon, and they still cannot overlap an active booking.
    """
    with transaction.atomic():
        locked = lock_machine(machine)
        if not user_operates(user=user, platform=locked.platform):
            raise NotAllowed(_("Only an operator of this platform can block its machines."))
        tz = locked.platform.tz
        ctx = SlotContext(
            machine=locked,
            company=None,
            user=user,
            start=aware_strict(start, tz),
            end=aware_strict(end, tz),
            now=timezone.now(),
            change="block",
            operator=True,
        )
        check_rules(ctx)
        return _book_slot(ctx, note=note)
