"""A booking's life after creation: cancel, approve or reject, move, record usage, no-shows."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.audit import audit_record, audit_record_many, state_of
from core.db import busy_on_lock_failure
from core.events import announce
from platforms.selectors import user_operates
from platforms.timezones import aware_strict

from ..exceptions import (
    AlreadyStarted,
    HoldsTraining,
    NotAllowed,
    NotCancellable,
    NotPending,
)
from ..models import Booking, BookingKind, BookingStatus, TrainingSession, TrainingStatus
from ..selectors import user_is_member
from ..signals import (
    booking_approved,
    booking_cancelled,
    booking_moved,
    booking_rejected,
    booking_usage_recorded,
    bookings_marked_no_show,
)
from .context import SlotContext, conflicts_as_slot_unavailable, lock_company, lock_machine
from .rules import check_rules
from .usage import check_usage, check_usage_day


def _lock_booking(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("machine__platform", "company")
        .get(pk=booking.pk)
    )


def _role(*, booking: Booking, user: Any) -> str:
    """ "operator" (of the booking's platform, or staff), "member" (of its company), or refusal."""
    if user_operates(user=user, platform=booking.machine.platform):
        return "operator"
    if user_is_member(user=user, company=booking.company):
        return "member"
    raise NotAllowed()


def _not_holding_a_session(booking: Booking) -> None:
    """The internal block of a training session still scheduled changes with its session."""
    if booking.kind == BookingKind.INTERNAL and (
        TrainingSession.objects.filter(block=booking, status=TrainingStatus.SCHEDULED).exists()
    ):
        raise HoldsTraining()


def _save(booking: Booking, *, action: str, actor: Any, **changes: Any) -> Booking:
    """Apply ``changes`` to the locked booking, a new version, and their audit entry."""
    before = state_of(booking, [*changes, "version"])
    for name, value in changes.items():
        setattr(booking, name, value)
    booking.version += 1
    booking.save()
    audit_record(
        actor=actor,
        action=action,
        obj=booking,
        before=before,
        after=state_of(booking, [*changes, "version"]),
    )
    return booking


@busy_on_lock_failure
def booking_cancel(*, booking: Booking, user: Any, reason: str = "") -> Booking:
    """Cancel an active booking.

    A member of the company may cancel until the booking starts; inside the machine's notice
    period the cancellation is flagged late (platforms may charge for it). An operator of the
    platform (or staff) may cancel at any time, never flagged late.
    """
    with transaction.atomic():
        locked = _lock_booking(booking)
        role = _role(booking=locked, user=user)
        if not locked.is_active:
            raise NotCancellable(status=locked.get_status_display())
        _not_holding_a_session(locked)
        now = timezone.now()
        late = False
        if role == "member":
            if now >= locked.start:
                raise AlreadyStarted()
            late = now > locked.start - timedelta(hours=locked.machine.min_notice_hours)
        return _cancel(locked, user=user, reason=reason, late=late, by_operator=role == "operator")


def block_release(*, booking: Booking, actor: Any, reason: str) -> Booking:
    """Free the time of an internal block whose purpose ended (a training session cancelled,
    by its operator or by the periodic job: ``actor`` None). The caller decided who may."""
    with transaction.atomic():
        locked = _lock_booking(booking)
        if locked.kind != BookingKind.INTERNAL or not locked.is_active:
            return locked
        return _cancel(locked, user=actor, reason=reason, late=False, by_operator=True)


def _cancel(locked: Booking, *, user: Any, reason: str, late: bool, by_operator: bool) -> Booking:
    cancelled = _save(
        locked,
        action="booking.cancelled",
        actor=user,
        status=BookingStatus.CANCELLED,
        cancelled_at=timezone.now(),
        cancelled_by=user if getattr(user, "is_authenticated", False) else None,
        cancellation_reason=reason,
        late_cancellation=late,
    )
    announce(
        booking_cancelled, sender=Booking, booking=cancelled, actor=user, by_operator=by_operator
    )
    return cancelled


@busy_on_lock_failure
def _decide(*, booking: Booking, user: Any, status: str, reason: str = "") -> Booking:
    with transaction.atomic():
        locked = _lock_booking(booking)
        if not user_operates(user=user, platform=locked.machine.platform):
            raise NotAllowed()
        if locked.status != BookingStatus.PENDING:
            raise NotPending()
        decided = _save(
            locked,
            action="booking.approved" if status == BookingStatus.CONFIRMED else "booking.rejected",
            actor=user,
            status=status,
            decided_by=user,
            decided_at=timezone.now(),
            rejection_reason=reason,
        )
        signal = booking_approved if status == BookingStatus.CONFIRMED else booking_rejected
        announce(signal, sender=Booking, booking=decided, actor=user)
        return decided


def booking_approve(*, booking: Booking, user: Any) -> Booking:
    """An operator of the booking's platform confirms a pending booking."""
    return _decide(booking=booking, user=user, status=BookingStatus.CONFIRMED)


def booking_reject(*, booking: Booking, user: Any, reason: str) -> Booking:
    """An operator of the booking's platform refuses a pending booking, saying why."""
    return _decide(booking=booking, user=user, status=BookingStatus.REJECTED, reason=reason)


@conflicts_as_slot_unavailable
def booking_move(*, booking: Booking, user: Any, start: datetime, end: datetime) -> Booking:
    """Move an active booking to another slot of the same machine.

    A member moves within every rule (``rules.RULES``) and only before the booking starts; a
    moved booking that needs approval awaits it again. An operator moves at any time, outside
    notice and quotas, but within the horizon, never earlier than the previous local day, and
    never onto a closed or taken slot.
    """
    with transaction.atomic():
        locked = _lock_booking(booking)
        machine = lock_machine(locked.machine)
        company = lock_company(locked.company) if locked.company is not None else None
        role = _role(booking=locked, user=user)
        if not locked.is_active:
            raise NotCancellable(status=locked.get_status_display())
        _not_holding_a_session(locked)
        now = timezone.now()
        if role == "member" and now >= locked.start:
            raise AlreadyStarted()
        tz = machine.platform.tz
        ctx = SlotContext(
            machine=machine,
            company=company,
            user=user,
            start=aware_strict(start, tz),
            end=aware_strict(end, tz),
            now=now,
            change="move",
            operator=role == "operator",
            booking=locked,
        )
        check_rules(ctx)
        start, end = ctx.start, ctx.end
        status = locked.status
        if role == "member" and machine.requires_approval:
            status = BookingStatus.PENDING
        previous_start, previous_end = locked.start, locked.end
        moved = _save(
            locked,
            action="booking.moved",
            actor=user,
            start=start,
            end=end,
            status=status,
        )
        announce(
            booking_moved,
            sender=Booking,
            booking=moved,
            actor=user,
            previous_start=previous_start,
            previous_end=previous_end,
        )
        return moved


@busy_on_lock_failure
def usage_record(
    *, booking: Booking, user: Any, actual_start: datetime, actual_end: datetime
) -> Booking:
    """An operator records when the machine was really used; the booking is then completed.

    The usage must lie within the booking's day (± ``rules.USAGE_MARGIN``), be over, and last at
    most a day. Also corrects a booking wrongly marked as a no-show.
    """
    with transaction.atomic():
        locked = _lock_booking(booking)
        if not user_operates(user=user, platform=locked.machine.platform):
            raise NotAllowed()
        if locked.status not in (
            BookingStatus.CONFIRMED,
            BookingStatus.COMPLETED,
            BookingStatus.NO_SHOW,
        ):
            raise NotCancellable(status=locked.get_status_display())
        tz = locked.machine.platform.tz
        actual_start, actual_end = aware_strict(actual_start, tz), aware_strict(actual_end, tz)
        check_usage(
            machine=locked.machine,
            booking_start=locked.start,
            booking_end=locked.end,
            start=actual_start,
            end=actual_end,
            now=timezone.now(),
        )
        used = _save(
            locked,
            action="booking.usage_recorded",
            actor=user,
            actual_start=actual_start,
            actual_end=actual_end,
            status=BookingStatus.COMPLETED,
            # Typed in by an operator: declared, even over a usage measured before.
            measured=False,
        )
        announce(booking_usage_recorded, sender=Booking, booking=used, actor=user)
        return used


@busy_on_lock_failure
def usage_start(*, booking: Booking, user: Any) -> Booking:
    """An operator notes that the machine's use has begun, now ("started" in one click).

    Only a confirmed booking, within its local day give or take ``rules.USAGE_MARGIN``; the
    booking is no longer a candidate for no-show. ``usage_record`` later sets the end (and may
    correct the start).
    """
    with transaction.atomic():
        locked = _lock_booking(booking)
        if not user_operates(user=user, platform=locked.machine.platform):
            raise NotAllowed()
        if locked.status != BookingStatus.CONFIRMED:
            raise NotCancellable(status=locked.get_status_display())
        now = timezone.now()
        check_usage_day(
            machine=locked.machine,
            booking_start=locked.start,
            booking_end=locked.end,
            start=now,
            end=now,
        )
        return _save(
            locked,
            action="booking.usage_started",
            actor=user,
            actual_start=now.replace(second=0, microsecond=0),
            actual_end=None,
        )


def no_shows_mark(*, now: datetime | None = None, grace_minutes: int | None = None) -> int:
    """Mark as no-shows the confirmed bookings that ended more than the grace period ago with
    no usage recorded. Idempotent; returns how many were marked."""
    now = now or timezone.now()
    grace = timedelta(
        minutes=grace_minutes if grace_minutes is not None else settings.NO_SHOW_GRACE_MINUTES
    )
    with transaction.atomic():
        due = Booking.objects.filter(
            status=BookingStatus.CONFIRMED,
            company__isnull=False,
            end__lt=now - grace,
            actual_start__isnull=True,
        )
        # Lock what is marked, so that what is announced is exactly what was changed.
        ids = list(due.select_for_update().values_list("pk", flat=True))
        if not ids:
            return 0
        marked = Booking.objects.filter(pk__in=ids).update(
            status=BookingStatus.NO_SHOW, version=F("version") + 1, updated_at=now
        )
        audit_record_many(
            actor=None,
            action="booking.no_show",
            objects=Booking.objects.filter(pk__in=ids).only("pk"),
            before={"status": BookingStatus.CONFIRMED},
            after={"status": BookingStatus.NO_SHOW},
        )
        announce(
            bookings_marked_no_show,
            sender=Booking,
            bookings=list(Booking.objects.filter(pk__in=ids).select_related("machine__platform")),
            actor=None,
        )
        return marked
