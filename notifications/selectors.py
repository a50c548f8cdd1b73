"""Who is told, and what is due: read queries of the outbox."""

from datetime import datetime, timedelta
from typing import Any, cast

from django.db import connection
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
from bookings.selectors import Members
from core.rows import columns, instance
from platforms.models import Platform

from .models import Message, MessageStatus


def _members_select(extra: str = "") -> str:
    """The active members of the company given as parameter, whole, with their role (and
    ``extra`` columns)."""
    quote = connection.ops.quote_name
    return (
        f"SELECT {columns(User, 'u')}, ms.role{extra} "
        f"FROM {quote(User._meta.db_table)} u "
        f"JOIN {quote(Membership._meta.db_table)} ms ON ms.user_id = u.id "
        "WHERE ms.company_id = %s AND u.is_active"
    )


def _active_members(*, company_id: int) -> Members:
    """The company's active members, whole (their preferences decide what they hear), each with
    its role. Written out: every booking confirmation asks it in the booking's transaction, and
    composing the join with the ORM cost twice what the database took."""
    with connection.cursor() as cursor:
        cursor.execute(f"{_members_select()} ORDER BY ms.id", [company_id])
        rows = cursor.fetchall()
    return [(cast(User, instance(User, row[:-1])), row[-1]) for row in rows]


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


def booking_recipients(
    *, booking: Booking, members: Members | None = None
) -> tuple[list[User], list[User]]:
    """``booking_contacts``, and the company's administrators who asked for copies of their
    members' confirmations (but not those contacts), from one query — none when the company's
    active ``members`` (with their role, in the order they joined) were read already."""
    if booking.company_id is None:
        return [], []
    if members is None:
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
    are not operators unless named), email order: one query, as a booking waiting for approval
    tells both in its transaction."""
    quote = connection.ops.quote_name
    through = Platform.operators.through._meta
    operator_column = quote(Platform.operators.field.m2m_reverse_name())
    platform_column = quote(Platform.operators.field.m2m_column_name())
    with connection.cursor() as cursor:
        cursor.execute(
            f"{_members_select(', 0 AS part, ms.id AS place')} "
            f"UNION ALL SELECT {columns(User, 'u')}, NULL, 1, 0 "
            f"FROM {quote(User._meta.db_table)} u "
            f"JOIN {quote(through.db_table)} po ON po.{operator_column} = u.id "
            f"WHERE po.{platform_column} = %s AND u.is_active AND u.id <> %s "
            f"ORDER BY part, place, {quote('email')}",
            [booking.company_id, booking.machine.platform_id, getattr(exclude, "pk", None) or 0],
        )
        rows = cursor.fetchall()
    members = [(cast(User, instance(User, row[:-3])), row[-3]) for row in rows if row[-2] == 0]
    operators = [cast(User, instance(User, row[:-3])) for row in rows if row[-2] == 1]
    return _contacts_among(booking, members) if booking.company_id else [], operators


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
