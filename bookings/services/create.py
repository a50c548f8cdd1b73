"""Creating bookings: one slot, a recurring series, or the platform's own internal time."""

import uuid
from datetime import datetime, timedelta
from typing import Any, cast

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import insert_audited, insert_audited_if
from core.datetimes import check_range
from core.db import atomic
from core.events import announce
from core.exceptions import DomainError
from core.intervals import Interval
from platforms.models import Machine
from platforms.selectors import user_operates
from platforms.timezones import aware_strict

from ..exceptions import (
    CompanyNotValidated,
    InvalidRange,
    InvalidSeries,
    MachineInactive,
    NotAllowed,
    NotMember,
    SeriesRefused,
)
from ..models import Booking, BookingKind, BookingStatus, Company
from ..selectors import (
    SLOT_FREE,
    Members,
    SlotState,
    quota_answerable,
    slot_state,
    slot_state_of,
    slot_state_query,
)
from ..signals import booking_created
from .rules import (
    booking_price,
    check_free,
    check_not_closed,
    check_open,
    check_operator_window,
    check_qualified,
    check_quota,
    check_slot,
    conflicts_as_slot_unavailable,
    lock_for_booking,
    lock_machine,
)

MAX_SERIES = 52
SERIES_STEPS = {"daily": timedelta(days=1), "weekly": timedelta(weeks=1)}


def _initial_status(machine: Machine) -> str:
    return BookingStatus.PENDING if machine.requires_approval else BookingStatus.CONFIRMED


def _authorise(*, machine: Machine, member: bool, user: Any) -> bool:
    """Membership or operatorship; returns whether the user acts as the platform's operator.

    For a member, whether they also operate the platform matters only on machines that
    require a qualification (operators are not asked for one): no query otherwise.
    """
    if getattr(user, "is_staff", False):
        return True
    if member:
        return machine.requires_qualification and user_operates(
            user=user, platform=machine.platform
        )
    if user_operates(user=user, platform=machine.platform):
        return True
    raise NotMember()


def _lock_for_booking(
    *, machine: Machine | int, company: Company | int, user: Any
) -> tuple[Machine, Company, bool, Members | None]:
    """Lock the machine, then the checks that come before any time is read: who books
    (``not_member``) and whether the machine can be booked at all (``machine_inactive``).
    Returns the locked machine, the company and its active members (read with it) and whether
    the user acts as its platform's operator."""
    lock = lock_for_booking(machine=machine, company=company, user=user, members=True)
    locked, found = lock.machine, cast(Company, lock.company)
    operator = _authorise(machine=locked, member=lock.member, user=user)
    if not found.is_validated:
        raise CompanyNotValidated()
    if not (locked.active and locked.platform.active):
        raise MachineInactive()
    return locked, found, operator, lock.members


def _check_request(
    *, machine: Machine, user: Any, start: datetime, end: datetime, operator: bool, now: datetime
) -> tuple[datetime, datetime]:
    """The rules read from the request and the machine alone — local times, qualification,
    alignment, length, notice, horizon; returns the slot as UTC instants."""
    tz = machine.platform.tz
    start, end = aware_strict(start, tz), aware_strict(end, tz)
    check_qualified(machine=machine, user=user, start=start, operator=operator)
    check_slot(machine=machine, start=start, end=end, now=now)
    return start, end


def _check_state(
    *,
    machine: Machine,
    company: Company,
    start: datetime,
    end: datetime,
    extra: list[Interval] | None = None,
    state: SlotState | None = None,
) -> None:
    """The rules that read the database, in their order: opening hours, closures, the weekly
    quota, overlap. ``state``: the rules' query, already answered. ``extra``: slots of the same
    request already accepted (a series), counted for overlap and quota."""
    if state is None:
        state = slot_state(machine=machine, start=start, end=end)
    check_open(machine=machine, start=start, end=end, state=state)
    check_not_closed(state)
    check_quota(
        machine=machine, company=company, start=start, end=end, extra=extra or (), state=state
    )
    check_free(machine=machine, start=start, end=end, state=state, extra=extra or ())


def _check_booking(
    *,
    machine: Machine,
    company: Company,
    user: Any,
    start: datetime,
    end: datetime,
    operator: bool,
    now: datetime,
    extra: list[Interval] | None = None,
) -> tuple[datetime, datetime]:
    """Every rule for one slot; returns the slot as UTC instants."""
    start, end = _check_request(
        machine=machine, user=user, start=start, end=end, operator=operator, now=now
    )
    _check_state(machine=machine, company=company, start=start, end=end, extra=extra)
    return start, end


def _new_booking(
    *,
    machine: Machine,
    company: Company | None,
    user: Any,
    start: datetime,
    end: datetime,
    **fields: Any,
) -> Booking:
    return Booking(
        machine=machine,
        company=company,
        booked_by=user if getattr(user, "is_authenticated", False) else None,
        start=start,
        end=end,
        price=booking_price(machine=machine, start=start, end=end) if company else 0,
        **fields,
    )


@conflicts_as_slot_unavailable
def booking_create(
    *,
    machine: Machine | int,
    company: Company | int,
    user: Any,
    start: datetime,
    end: datetime,
    note: str = "",
) -> Booking:
    """Book ``machine`` for ``company`` (each an instance or an id) over [start, end), or raise
    a domain error (``unknown_machine``, ``unknown_company`` for ids that name nothing).

    Naive datetimes are wall-clock times of the platform. Checks in order: membership (or
    operator/staff of the platform booking on the company's behalf) → ``not_member``; company
    validated → ``company_not_validated``; machine active → ``machine_inactive``; local
    times valid → ``invalid_local_time``; qualification →
    ``not_qualified``; alignment, length, notice and horizon, opening hours, closures; weekly
    quota; then overlap with active bookings (buffer included) under a lock on the machine row.
    Pending when the machine requires approval, else confirmed.
    """
    with atomic():
        locked, company, operator, members = _lock_for_booking(
            machine=machine, company=company, user=user
        )
        start, end = _check_request(
            machine=locked,
            user=user,
            start=start,
            end=end,
            operator=operator,
            now=timezone.now(),
        )
        booking = _new_booking(
            machine=locked,
            company=company,
            user=user,
            start=start,
            end=end,
            note=note,
            status=_initial_status(locked),
        )
        _insert_checked(booking, company=company, user=user)
        announce(booking_created, sender=Booking, booking=booking, actor=user, members=members)
        return booking


CREATED_FIELDS = (
    "machine",
    "company",
    "kind",
    "start",
    "end",
    "status",
    "price",
    "note",
    "series_id",
)


def _insert_audited(booking: Booking, user: Any) -> None:
    """Save the new booking and the entry recording its creation (one statement on
    PostgreSQL)."""
    insert_audited(booking, actor=user, action="booking.created", fields=CREATED_FIELDS)


def _in_one_statement(machine: Machine, start: datetime, end: datetime) -> bool:
    """Whether the rules' query can guard the insert (``_insert_checked``)."""
    return connection.vendor == "postgresql" and (
        machine.weekly_quota_hours is None or quota_answerable(machine, start, end)
    )


def _insert_checked(booking: Booking, *, company: Company, user: Any) -> None:
    """Check the rules that read the database (``_check_state``), then insert ``booking`` with
    its audit entry.

    On PostgreSQL that is one statement: the rules' query — with the weekly quota, if the
    machine has one, for a slot within one local week — and the insert only if the query lets
    the slot through (inside one opening range, no closure, within the quota, no booking). When
    it does not, the rules are checked in their order from its answer: the refusal they
    explain — nothing was written — or a slot open only across two ranges, inserted then. A
    slot across two weeks of a quota is checked first, then inserted.
    """
    machine, start, end = booking.machine, booking.start, booking.end
    state = None
    if _in_one_statement(machine, start, end):
        row, entry = insert_audited_if(
            booking,
            actor=user,
            action="booking.created",
            fields=CREATED_FIELDS,
            state=slot_state_query(machine, start, end, quota_of=company.pk),
            condition=SLOT_FREE,
        )
        if entry is not None:
            return
        state = slot_state_of(row)
    _check_state(machine=machine, company=company, start=start, end=end, state=state)
    _insert_audited(booking, user)


def _series_slots(
    start: datetime, end: datetime, frequency: str, count: int
) -> list[tuple[datetime, datetime]]:
    """The requested repetitions in wall-clock time: "every Tuesday 09:00" stays 09:00 local
    across a DST change, so naive or local times are stepped before being made instants."""
    step = SERIES_STEPS[frequency]
    return [(start + step * index, end + step * index) for index in range(count)]


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
) -> list[Booking]:
    """Book the same slot ``count`` times, daily or weekly: all or nothing.

    Every occurrence is checked as ``booking_create`` would (earlier occurrences of the series
    count for overlap and quota). If any is refused, nothing is booked and ``SeriesRefused``
    lists every refused date with its code.
    """
    if frequency not in SERIES_STEPS or not 2 <= count <= MAX_SERIES:
        raise InvalidSeries(max=MAX_SERIES)
    # Before stepping: near year 9999, start + step * n would overflow.
    check_range(start, end)
    with atomic():
        locked, company, operator, members = _lock_for_booking(
            machine=machine, company=company, user=user
        )
        tz = locked.platform.tz
        if start.tzinfo is not None:
            # Step in local wall-clock time, not in UTC.
            start = start.astimezone(tz).replace(tzinfo=None)
            end = end.astimezone(tz).replace(tzinfo=None)
        now = timezone.now()
        accepted: list[Interval] = []
        conflicts: list[dict[str, object]] = []
        for slot_start, slot_end in _series_slots(start, end, frequency, count):
            try:
                accepted.append(
                    _check_booking(
                        machine=locked,
                        company=company,
                        user=user,
                        start=slot_start,
                        end=slot_end,
                        operator=operator,
                        now=now,
                        extra=accepted,
                    )
                )
            except DomainError as error:
                conflicts.append(
                    {
                        "start": slot_start.replace(tzinfo=tz)
                        if slot_start.tzinfo is None
                        else slot_start,
                        "end": slot_end.replace(tzinfo=tz) if slot_end.tzinfo is None else slot_end,
                        "code": error.code,
                        "detail": error.detail,
                    }
                )
        if conflicts:
            raise SeriesRefused(conflicts)
        series = uuid.uuid4()
        bookings = [
            _new_booking(
                machine=locked,
                company=company,
                user=user,
                start=slot_start,
                end=slot_end,
                note=note,
                status=_initial_status(locked),
                series_id=series,
            )
            for slot_start, slot_end in accepted
        ]
        for booking in bookings:
            _insert_audited(booking, user)
        # One announcement for the series: its member gets one message listing every date.
        announce(
            booking_created,
            sender=Booking,
            booking=bookings[0],
            series=bookings,
            actor=user,
            members=members,
        )
        return bookings


@conflicts_as_slot_unavailable
def booking_block(
    *, machine: Machine, user: Any, start: datetime, end: datetime, note: str = ""
) -> Booking:
    """An operator reserves the platform's own time (maintenance run, internal project).

    Internal blocks skip notice, quota and qualification, and may fall outside opening hours;
    like any operator write they stay between the previous local day and the machine's
    horizon, and they still cannot overlap an active booking.
    """
    with transaction.atomic():
        locked = lock_machine(machine)
        if not user_operates(user=user, platform=locked.platform):
            raise NotAllowed(_("Only an operator of this platform can block its machines."))
        tz = locked.platform.tz
        start, end = aware_strict(start, tz), aware_strict(end, tz)
        if end <= start:
            raise InvalidRange()
        check_operator_window(machine=locked, start=start, now=timezone.now())
        state = slot_state(machine=locked, start=start, end=end)
        check_free(machine=locked, start=start, end=end, state=state)
        booking = _new_booking(
            machine=locked,
            company=None,
            user=user,
            start=start,
            end=end,
            note=note,
            kind=BookingKind.INTERNAL,
            status=BookingStatus.CONFIRMED,
        )
        _insert_audited(booking, user)
        return booking
