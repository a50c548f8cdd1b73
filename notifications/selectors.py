"""Who is told, and what is due: read queries of the outbox."""

from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, Q, QuerySet

from accounts.models import User
from bookings.models import (
    Booking,
    BookingKind,
    BookingStatus,
    Company,
    Membership,
    MembershipRole,
)
from platforms.models import Platform

from .models import Message, MessageStatus

# A company's active members, each with their role (MembershipRole), in the order they joined.
Members = list[tuple[User, str]]


def _active_members(*, company_id: int) -> Members:
    """The company's active members, whole (their preferences decide what they hear), each with
    its role."""
    memberships = (
        Membership.objects.filter(company_id=company_id, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    return [(membership.user, membership.role) for membership in memberships]


def _contacts_among(booking: Booking, members: Members) -> list[User]:
    for user, _role in members:
        if user.pk == booking.booked_by_id:
            return [user]
    return [user for user, role in members if role == MembershipRole.ADMIN]


def booking_contacts(*, booking: Booking) -> list[User]:
    """Who hears about a company's booking: the member who booked it; when an operator
    booked it for the company (or the member has left it), the company's administrators."""
    if booking.company_id is None:
        return []
    return _contacts_among(booking, _active_members(company_id=booking.company_id))


def booking_recipients(*, booking: Booking) -> tuple[list[User], list[User]]:
    """``booking_contacts``, and the company's administrators who asked for copies of their
    members' confirmations (but not those contacts)."""
    if booking.company_id is None:
        return [], []
    members = _active_members(company_id=booking.company_id)
    contacts = _contacts_among(booking, members)
    told = {user.pk for user in contacts}
    copies = [
        user
        for user, role in members
        if role == MembershipRole.ADMIN and user.wants_copies and user.pk not in told
    ]
    return contacts, copies


def booking_contacts_and_operators(
    *, booking: Booking, exclude: Any = None
) -> tuple[list[User], list[User]]:
    """``booking_contacts``, and the operators of the booking's platform but ``exclude`` (staff
    are not operators unless named), in e-mail order."""
    operators = User.objects.filter(
        is_active=True, operated_platforms=booking.machine.platform_id
    ).order_by("email")
    if getattr(exclude, "pk", None) is not None:
        operators = operators.exclude(pk=exclude.pk)
    return booking_contacts(booking=booking), list(operators)


def company_admins(*, company: Company) -> list[User]:
    """The company's active administrators: they hear about the company itself."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__company=company,
            memberships__role=MembershipRole.ADMIN,
        ).order_by("pk")
    )


def platform_of_decision(*, actor: Any) -> Platform | None:
    """The platform a decision about a company is told from (its name signs the e-mail, its
    address takes the replies): the first the deciding operator runs, else the network's
    first active platform (a decision by staff)."""
    platforms = Platform.objects.filter(active=True).order_by("pk")
    if getattr(actor, "pk", None) is not None:
        operated = platforms.filter(operators=actor).first()
        if operated is not None:
            return operated
    return platforms.first()


def bookings_due_for_reminder(*, now: datetime) -> list[Booking]:
    """Confirmed company bookings whose platform's reminder lead has been reached and that
    have not started. Found by state, not by the clock's exact minute: a job that ran late
    or missed a round still finds them. Bookings made inside the lead had their confirmation
    then and get no reminder. One query per distinct lead in use (a handful)."""
    leads = (
        Platform.objects.filter(active=True, reminder_hours__gt=0)
        .values_list("reminder_hours", flat=True)
        .distinct()
    )
    due: list[Booking] = []
    for hours in leads:
        lead = timedelta(hours=hours)
        due.extend(
            Booking.objects.filter(
                status=BookingStatus.CONFIRMED,
                kind=BookingKind.COMPANY,
                machine__platform__reminder_hours=hours,
                machine__platform__active=True,
                start__gt=now,
                start__lte=now + lead,
                created_at__lte=F("start") - lead,
            ).select_related("machine__platform", "booked_by")
        )
    return due


def bookings_of_day(*, platform: Platform, start: datetime, end: datetime) -> QuerySet[Booking]:
    """A platform's active bookings and internal blocks starting in [start, end), for the
    operators' digest."""
    return (
        Booking.objects.filter(
            machine__platform=platform,
            status__in=Booking.ACTIVE_STATUSES,
            start__gte=start,
            start__lt=end,
        )
        .select_related("machine", "company", "booked_by")
        .order_by("machine__name", "start")
    )


def messages_to_relay(*, due_before: datetime, claimed_before: datetime, limit: int) -> list[int]:
    """Messages still unsent: pending and due before ``due_before``, or claimed for sending
    before ``claimed_before`` by a worker that never finished (it died, or its broker lost
    the task). Oldest first."""
    return list(
        Message.objects.filter(
            Q(status=MessageStatus.PENDING, next_attempt_at__lte=due_before)
            | Q(status=MessageStatus.SENDING, claimed_at__lte=claimed_before)
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def operators_told_of_company(*, company: Company) -> list[User]:
    """Who hears that a company waits for validation: the operators of the active platforms
    of its region (any operator may validate it; those nearby know it best); the staff when
    the region has no platform."""
    operators = User.objects.filter(
        is_active=True,
        operated_platforms__active=True,
        operated_platforms__region=company.region,
    ).distinct()
    found = list(operators.order_by("pk"))
    return found or list(User.objects.filter(is_active=True, is_staff=True).order_by("pk"))


def outbox_mark() -> int:
    """The outbox's last row now: what is recorded after a change has a greater id."""
    return Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def company_told(*, booking_id: int, after: int) -> bool:
    """Whether a message to the company (not to operators) about the booking was recorded
    after the ``outbox_mark`` ``after``."""
    return (
        Message.objects.filter(booking_id=booking_id, pk__gt=after)
        .exclude(kind__startswith="operator_")
        .exists()
    )
