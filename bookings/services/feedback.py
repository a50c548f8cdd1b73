"""After use: a member says whether the machine worked and reports a problem; the platform's
operators close the incident, or turn it into maintenance of the machine in one step."""

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record, state_of
from platforms.models import ClosureKind
from platforms.selectors import user_operates
from platforms.services import closure_create

from ..exceptions import FeedbackGiven, FeedbackNotYet, NotAllowed, NotMember
from ..models import Booking, BookingStatus, UsageFeedback
from ..selectors import user_is_member

# A booking used, or under way: what one may say how it went about.
USED = (BookingStatus.CONFIRMED, BookingStatus.COMPLETED)
FEEDBACK_FIELDS = ("booking", "worked", "report")


def feedback_give(*, booking: Booking, user: Any, worked: bool, report: str = "") -> UsageFeedback:
    """A member of the booking's company says how it went, once the booking has begun; once
    per booking (``feedback_given``)."""
    if not user_is_member(user=user, company=booking.company):
        raise NotMember()
    if booking.status not in USED or booking.start > timezone.now():
        raise FeedbackNotYet()
    try:
        with transaction.atomic():
            feedback = UsageFeedback.objects.create(
                booking=booking, worked=worked, report=report.strip(), given_by=user
            )
            audit_record(
                actor=user,
                action="feedback.given",
                obj=feedback,
                after=state_of(feedback, FEEDBACK_FIELDS),
            )
    except IntegrityError:
        raise FeedbackGiven() from None
    return feedback


def _operated(feedback: UsageFeedback, operator: Any) -> UsageFeedback:
    """The incident, locked, if ``operator`` runs its machine's platform."""
    locked = (
        UsageFeedback.objects.select_for_update(of=("self",))
        .select_related("booking__machine__platform")
        .get(pk=feedback.pk)
    )
    if not user_operates(user=operator, platform=locked.booking.machine.platform):
        raise NotAllowed()
    return locked


@transaction.atomic
def incident_close(*, feedback: UsageFeedback, operator: Any) -> UsageFeedback:
    """The operator has dealt with the problem reported (nothing more to do)."""
    locked = _operated(feedback, operator)
    if locked.handled_at is None:
        locked.handled_at = timezone.now()
        locked.save(update_fields=["handled_at"])
        audit_record(actor=operator, action="incident.closed", obj=locked)
    return locked


@transaction.atomic
def incident_to_maintenance(
    *, feedback: UsageFeedback, operator: Any, start: datetime, end: datetime
) -> UsageFeedback:
    """Turn the problem reported into maintenance of the machine over [start, end) — a
    closure whose reason is the report — and close the incident."""
    locked = _operated(feedback, operator)
    machine = locked.booking.machine
    closure = closure_create(
        platform=machine.platform,
        user=operator,
        machine=machine,
        kind=ClosureKind.MAINTENANCE,
        title=_("Repair after a reported problem"),
        reason=locked.report or _("Reported as not working after use."),
        start=start,
        end=end,
    )
    locked.closure = closure
    locked.handled_at = timezone.now()
    locked.save(update_fields=["closure", "handled_at"])
    audit_record(
        actor=operator, action="incident.maintenance", obj=locked, after={"closure": closure.pk}
    )
    return locked
