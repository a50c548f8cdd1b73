"""Whether a person may book a machine that requires a qualification: one on the machine, or
one on a machine of the same category at a platform the machine's platform recognises —
granted, not past its end date, and not lapsed for want of use."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery

from platforms.models import (
    Machine,
    Qualification,
    QualificationRecognition,
    QualificationStatus,
)

from ..models import Booking, BookingStatus

# What counts as using a machine: a booking kept (confirmed, or completed).
USES = (BookingStatus.CONFIRMED, BookingStatus.COMPLETED)


@dataclass(frozen=True)
class Standing:
    qualified: bool
    # The last day the best qualification they held counted (it expired or lapsed after);
    # None when they never held one.
    ended_on: date | None = None


def qualifications_covering(*, user: Any, machine: Machine) -> QuerySet[Qualification]:
    """The granted qualifications of ``user`` that count on ``machine``: on it, or on a machine
    of its category at a platform whose qualifications its platform recognises."""
    recognised = QualificationRecognition.objects.filter(
        platform_id=machine.platform_id, category=machine.category
    ).values("accepts_id")
    return Qualification.objects.filter(
        Q(machine=machine)
        | Q(machine__category=machine.category, machine__platform__in=recognised),
        user=user,
        status=QualificationStatus.GRANTED,
    ).select_related("machine__platform")


def qualification_ends(
    qualification: Qualification, *, last_use: datetime | None = None
) -> date | None:
    """The last day ``qualification`` counts: its ``valid_until``, or sooner the day it lapses —
    its machine's ``qualification_lapse_months`` after it was granted or last used
    (``last_use``); None when it never ends."""
    ends = qualification.valid_until
    lapse = qualification.machine.qualification_lapse_months
    since = max((m for m in (qualification.granted_at, last_use) if m is not None), default=None)
    if lapse and since is not None:
        local = since.astimezone(qualification.machine.platform.tz).date()
        lapses = local + relativedelta(months=lapse)
        ends = lapses if ends is None else min(ends, lapses)
    return ends


def last_use(
    *, user_id: int, machines: set[int], before: datetime | None = None
) -> datetime | None:
    """When the person's latest booking kept on one of ``machines`` starts (before ``before``,
    if given: else planned ones count too)."""
    uses = Booking.objects.filter(booked_by_id=user_id, machine_id__in=machines, status__in=USES)
    if before is not None:
        uses = uses.filter(start__lt=before)
    return uses.aggregate(last=Max("start"))["last"]


def qualification_standing(*, user: Any, machine: Machine, start: datetime) -> Standing:
    """Whether ``user`` may book ``machine`` from ``start`` as far as qualifications go. A use
    is any booking kept on the qualification's machine or on ``machine`` before ``start``
    (the person's next bookings count: booking regularly keeps a qualification alive)."""
    if not getattr(user, "is_authenticated", False):
        return Standing(False)
    on = start.astimezone(machine.platform.tz).date()
    ended: list[date] = []
    for qualification in qualifications_covering(user=user, machine=machine):
        used = None
        if qualification.machine.qualification_lapse_months:
            used = last_use(
                user_id=user.pk, machines={qualification.machine_id, machine.pk}, before=start
            )
        ends = qualification_ends(qualification, last_use=used)
        if ends is None or ends >= on:
            return Standing(True)
        ended.append(ends)
    return Standing(False, max(ended, default=None))


def qualifications_ending(*, first: date, last: date) -> list[tuple[Qualification, date]]:
    """Granted qualifications whose last day falls between ``first`` and ``last`` (included),
    with that day, as things stand: a lapse counts from the person's latest booking kept on the
    machine, past or planned (a planned booking is a use to come)."""
    latest = (
        Booking.objects.filter(
            booked_by_id=OuterRef("user_id"), machine_id=OuterRef("machine_id"), status__in=USES
        )
        .order_by("-start")
        .values("start")[:1]
    )
    candidates = (
        Qualification.objects.filter(status=QualificationStatus.GRANTED, user__is_active=True)
        .filter(
            Q(valid_until__range=(first, last))
            | Q(machine__qualification_lapse_months__isnull=False)
        )
        .select_related("machine__platform", "user")
        .annotate(latest_use=Subquery(latest))
    )
    ending: list[tuple[Qualification, date]] = []
    for qualification in candidates:
        ends = qualification_ends(qualification, last_use=qualification.latest_use)
        if ends is not None and first <= ends <= last:
            ending.append((qualification, ends))
    return ending
