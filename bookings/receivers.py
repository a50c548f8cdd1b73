"""What bookings detach when something happens below, and the waiting a booking serves
(connected in ``BookingsConfig.ready``)."""

from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from accounts.signals import account_erased
from platforms.feeds import new_feed_token

from .models import Booking, Company, Enrolment, Membership, TrainingSession, WaitingEntry
from .selectors import enrolments_of
from .services import training_withdraw, waiting_served
from .signals import booking_created, booking_moved


@receiver(account_erased, dispatch_uid="bookings.account_erased")
def _on_account_erased(sender: Any, user: Any, **kwargs: Any) -> None:
    """The person leaves their companies (whose calendar addresses change); the bookings they
    made, cancelled or decided stay (the usage figures count them) with no person attached;
    their seats in sessions ahead go to those waiting."""
    for enrolment in enrolments_of(user=user).filter(session__start__gt=timezone.now()):
        training_withdraw(enrolment=enrolment, actor=user)
    Enrolment.objects.filter(user=user).update(user=None)
    Enrolment.objects.filter(enrolled_by=user).update(enrolled_by=None)
    Enrolment.objects.filter(attendance_by=user).update(attendance_by=None)
    for field in ("trainer", "created_by", "cancelled_by"):
        TrainingSession.objects.filter(**{field: user}).update(**{field: None})
    # The calendar addresses they knew stop working: their companies' feeds get new ones.
    for company in Company.objects.filter(memberships__user=user).distinct():
        company.ical_token = new_feed_token()
        company.save(update_fields=["ical_token"])
    Membership.objects.filter(user=user).delete()
    Booking.objects.filter(booked_by=user).update(booked_by=None)
    Booking.objects.filter(cancelled_by=user).update(cancelled_by=None)
    Booking.objects.filter(decided_by=user).update(decided_by=None)
    Company.objects.filter(validated_by=user).update(validated_by=None)
    Company.objects.filter(refused_by=user).update(refused_by=None)
    # They stop waiting; their entries stay, with no one attached, as the machine's demand.
    WaitingEntry.objects.filter(user=user, left_at__isnull=True).update(left_at=timezone.now())
    WaitingEntry.objects.filter(user=user).update(user=None)


@receiver(booking_created, dispatch_uid="bookings.waiting_served_by_booking")
@receiver(booking_moved, dispatch_uid="bookings.waiting_served_by_move")
def _on_booked(sender: Any, booking: Booking, **kwargs: Any) -> None:
    """Whoever books (or moves a booking onto) time they were waiting for stops waiting."""
    for each in kwargs.get("series") or [booking]:
        waiting_served(booking=each)
