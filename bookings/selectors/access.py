"""Who may see and do what on bookings: membership, visibility, qualifications."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from core.intervals import Interval
from platforms.models import (
    Closure,
    ClosureInterval,
    Machine,
    Platform,
)

from ..models import Booking, BookingStatus, Company, Invitation, Membership, MembershipRole


def user_is_member(*, user: object, company: Company | None) -> bool:
    """Whether ``user`` belongs to ``company`` (either role)."""
    if company is None or not getattr(user, "is_authenticated", False):
        return False
    return company.memberships.filter(user_id=user.pk).exists()  # type: ignore[attr-defined]


def companies_of(*, user: Any) -> QuerySet[Company]:
    """The companies ``user`` belongs to (either role), by name."""
    if not getattr(user, "is_authenticated", False):
        return Company.objects.none()
    return Company.objects.filter(memberships__user=user).order_by("name")


def companies_administered_by(*, user: Any) -> QuerySet[Company]:
    """The companies ``user`` administers, by name."""
    return companies_of(user=user).filter(memberships__role=MembershipRole.ADMIN)


def user_is_company_admin(*, user: object, company: Company) -> bool:
    """Whether ``user`` administers ``company`` (manages its members and shared settings)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return company.memberships.filter(
        user_id=user.pk,  # type: ignore[attr-defined]
        role=MembershipRole.ADMIN,
    ).exists()


def bookings_visible_to(*, user: Any, own_companies_only: bool = False) -> QuerySet[Booking]:
    """The bookings ``user`` may see: their companies', and those of the platforms they
    operate; staff see all. The API and the UI list through this one selector."""
    if not getattr(user, "is_authenticated", False):
        return Booking.objects.none()
    if user.is_staff and not own_companies_only:
        return Booking.objects.all()
    own = Exists(Membership.objects.filter(company_id=OuterRef("company_id"), user_id=user.pk))
    if own_companies_only:
        return Booking.objects.filter(own)
    operated = Exists(
        Platform.operators.through.objects.filter(
            platform_id=OuterRef("machine__platform_id"), user_id=user.pk
        )
    )
    return Booking.objects.filter(own | operated)


def bookings_seen_by(*, user: Any, booking_ids: list[int]) -> dict[int, bool]:
    """Of ``booking_ids``, those ``user`` may see in full (who booked, the id), each with
    whether it is a booking of one of their own companies. Ids missing from the answer are
    anonymous busy time to them. One query."""
    if not booking_ids or not getattr(user, "is_authenticated", False):
        return {}
    own = Exists(Membership.objects.filter(company_id=OuterRef("company_id"), user_id=user.pk))
    rows = (
        bookings_visible_to(user=user)
        .filter(pk__in=booking_ids)
        .annotate(own=own)
        .values_list("pk", "own")
    )
    return dict(rows)


def bookings_in_company_feed(*, company: Company, since: datetime) -> QuerySet[Booking]:
    """What a company's calendar feed shows: all its bookings ending after ``since``,
    cancelled and rejected ones included (the feed marks them cancelled)."""
    return (
        Booking.objects.filter(company=company, end__gte=since)
        .select_related("machine__platform")
        .order_by("start")
    )


def bookings_in_machine_feed(*, machine: Machine, since: datetime) -> QuerySet[Booking]:
    """What a machine's calendar feed (for its operators) shows: its bookings and internal
    blocks ending after ``since``, except the rejected ones, which never held the machine."""
    return (
        Booking.objects.filter(machine=machine, end__gte=since)
        .exclude(status=BookingStatus.REJECTED)
        .select_related("machine__platform", "company", "booked_by")
        .order_by("start")
    )


def bookings_a_closure_would_cover(
    *, platform: Platform, machine: Machine | None, intervals: list[Interval]
) -> list[Booking]:
    """Active bookings still to come of ``machine`` (None: every machine of ``platform``) that
    ``intervals`` — a closure not placed yet (``platforms.selectors.planned_closure_intervals``)
    — overlap, soonest first."""
    if not intervals:
        return []
    rows = (
        Booking.objects.filter(
            status__in=Booking.ACTIVE_STATUSES,
            machine__platform=platform,
            end__gt=max(timezone.now(), min(start for start, _ in intervals)),
            start__lt=max(end for _, end in intervals),
        )
        .select_related("machine__platform", "company", "booked_by")
        .order_by("start")
    )
    if machine is not None:
        rows = rows.filter(machine=machine)
    return [b for b in rows if any(s < b.end and e > b.start for s, e in intervals)]


def bookings_affected_by_closure(*, closure: Closure) -> QuerySet[Booking]:
    """Active bookings that a closure's occurrences overlap, for the operator to cancel or move."""
    overlapping = ClosureInterval.objects.filter(
        closure=closure,
        machine_id=OuterRef("machine_id"),
        start__lt=OuterRef("end"),
        end__gt=OuterRef("start"),
    )
    return (
        Booking.objects.filter(status__in=Booking.ACTIVE_STATUSES, end__gt=timezone.now())
        .filter(Exists(overlapping))
        .select_related("machine__platform", "company", "booked_by")
        .order_by("start")
    )


# --- Availability and search ------------------------------------------------------------


def invitations_open_for(*, user: Any) -> QuerySet[Invitation]:
    """Invitations to the person's address still waiting for their answer."""
    if not getattr(user, "is_authenticated", False):
        return Invitation.objects.none()
    since = timezone.now() - timedelta(days=int(settings.INVITATION_DAYS))
    return (
        Invitation.objects.filter(
            email__iexact=user.email, answered_at__isnull=True, created_at__gt=since
        )
        .select_related("company", "invited_by")
        .order_by("-created_at")
    )


def invitations_open_of(*, company: Company) -> QuerySet[Invitation]:
    """A company's invitations waiting for an answer (its administrators see the addresses)."""
    since = timezone.now() - timedelta(days=int(settings.INVITATION_DAYS))
    return Invitation.objects.filter(
        company=company, answered_at__isnull=True, created_at__gt=since
    ).order_by("-created_at")
