"""Who may see and do what on bookings: membership, visibility, qualifications."""

from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from platforms.models import (
    Closure,
    ClosureInterval,
    Machine,
    Platform,
    Qualification,
    QualificationStatus,
)

from ..models import Booking, Company, Membership


def user_is_member(*, user: object, company: Company | None) -> bool:
    """Whether ``user`` belongs to ``company`` (either role)."""
    if company is None or not getattr(user, "is_authenticated", False):
        return False
    return company.memberships.filter(user_id=user.pk).exists()  # type: ignore[attr-defined]


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


def user_is_qualified(*, user: Any, machine: Machine, on: date) -> bool:
    """Whether ``user`` holds a granted qualification on ``machine`` still valid on ``on``."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Qualification.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=on),
        user=user,
        machine=machine,
        status=QualificationStatus.GRANTED,
    ).exists()


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
