"""Waiting lists: joining and leaving, and the entries a booking serves.

A person waits for a busy range of a machine; when a cancellation, a move or a rejection frees
part of it, notifications tells everyone waiting over it (``bookings.selectors.waiting_over``),
and the first to book gets it.
"""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record, state_of
from accounts.models import User
from core.datetimes import check_range
from platforms.models import Machine
from platforms.timezones import aware_strict

from ..exceptions import (
    AlreadyWaiting,
    CompanyNotValidated,
    InvalidRange,
    MachineInactive,
    NotMember,
    NotWaiting,
    RangeFree,
    TooFar,
    TooManyWaiting,
    UnknownMachine,
    WaitingPast,
    WaitingTooLong,
)
from ..models import Booking, Company, WaitingEntry
from ..selectors import user_is_member
from ..selectors.waiting import range_is_free, waiting_of
from .context import lock_company

# A person waits for at most this long a range, on at most this many ranges at a time: the
# e-mails a freed slot sends stay few, and a form posted in a loop adds nothing past them.
MAX_WAITING_DAYS = 7
MAX_WAITING_ENTRIES = 20
WAITING_FIELDS = ("machine", "company", "start", "end")


def waiting_join(
    *, machine: Machine | int, company: Company | int, user: Any, start: datetime, end: datetime
) -> WaitingEntry:
    """Put ``user`` (a member of ``company``, validated) on the waiting list of ``machine``
    for [start, end): a range still ahead, within the machine's horizon, at most
    ``MAX_WAITING_DAYS`` long, over which something is booked. Refuses a second entry over
    part of the same time (``already_waiting``) and more than ``MAX_WAITING_ENTRIES``."""
    target = Machine.objects.select_related("platform").filter(pk=_pk(machine)).first()
    if target is None:
        raise UnknownMachine(machine=_pk(machine))
    if not (target.active and target.platform.active):
        raise MachineInactive()
    # Naive times are the platform's wall clock, as for a booking.
    start, end = aware_strict(start, target.platform.tz), aware_strict(end, target.platform.tz)
    check_range(start, end)
    if end <= start:
        raise InvalidRange()
    now = timezone.now()
    if start <= now:
        raise WaitingPast()
    if end - start > timedelta(days=MAX_WAITING_DAYS):
        raise WaitingTooLong(days=MAX_WAITING_DAYS)
    if start > now + timedelta(days=target.max_advance_days):
        raise TooFar(days=target.max_advance_days)
    with transaction.atomic():
        # The person's row: two joins at once are counted one after the other.
        User.objects.select_for_update().filter(pk=user.pk).first()
        found = lock_company(company)
        if not user_is_member(user=user, company=found):
            raise NotMember()
        if not found.is_validated:
            raise CompanyNotValidated()
        if range_is_free(machine=target, start=start, end=end):
            raise RangeFree()
        waiting = waiting_of(user=user)
        if waiting.filter(machine=target, start__lt=end, end__gt=start).exists():
            raise AlreadyWaiting()
        if waiting.count() >= MAX_WAITING_ENTRIES:
            raise TooManyWaiting(count=MAX_WAITING_ENTRIES)
        entry = WaitingEntry.objects.create(
            machine=target, company=found, user=user, start=start, end=end
        )
        audit_record(
            actor=user, action="waiting.joined", obj=entry, after=state_of(entry, WAITING_FIELDS)
        )
    return entry


def waiting_leave(*, entry: WaitingEntry | int, user: Any) -> WaitingEntry:
    """``user`` leaves one of their entries still waiting; anyone else's is ``not_found``."""
    with transaction.atomic():
        found = waiting_of(user=user).select_for_update(of=("self",)).filter(pk=_pk(entry)).first()
        if found is None:
            raise NotWaiting()
        found.left_at = timezone.now()
        found.save(update_fields=["left_at"])
        audit_record(actor=user, action="waiting.left", obj=found)
    return found


def waiting_served(*, booking: Booking) -> int:
    """The entries of the person who made ``booking`` on its machine over part of its time are
    served: they stop waiting (a slot they cancel later is not offered back to them)."""
    if booking.booked_by_id is None:
        return 0
    return WaitingEntry.objects.filter(
        machine_id=booking.machine_id,
        user_id=booking.booked_by_id,
        left_at__isnull=True,
        booked_at__isnull=True,
        start__lt=booking.end,
        end__gt=booking.start,
    ).update(booked_at=timezone.now())


def _pk(value: Any) -> int:
    return value if isinstance(value, int) else value.pk
