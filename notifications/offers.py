"""What the messages about the booking core's state say, made at send time: a freed slot to a
person waiting for it (nothing when they no longer wait, the slot has begun, or someone booked
it meanwhile: the first to book gets it), a qualification about to end to its holder, a seat
in a training session (or its cancellation) to the person enrolled, a use running into the
next booking to both bookings' people."""

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.utils import timezone

from bookings.models import Booking, BookingStatus, Enrolment, WaitingEntry
from bookings.selectors import range_is_free
from bookings.selectors.qualifications import last_use, qualification_ends
from platforms.models import Qualification, QualificationStatus

from .models import Message, MessageKind

Context = dict[str, Any]


def freed_context(message: Message) -> Context | None:
    entry = (
        WaitingEntry.objects.select_related("machine__platform", "company")
        .filter(pk=message.context.get("entry"))
        .first()
    )
    if entry is None or not entry.is_waiting or entry.user_id != message.recipient_id:
        return None
    start = datetime.fromisoformat(message.context["start"])
    end = datetime.fromisoformat(message.context["end"])
    if start <= timezone.now() or not range_is_free(machine=entry.machine, start=start, end=end):
        return None
    zone = entry.machine.platform.tz
    # The booking form opens on the slot, in the platform's time (its offset kept).
    query = urlencode(
        {
            "start": start.astimezone(zone).isoformat(),
            "end": end.astimezone(zone).isoformat(),
            "company": entry.company_id,
        }
    )
    return {
        "entry": entry,
        "machine": entry.machine,
        "slot_start": start,
        "slot_end": end,
        "book_url": f"{settings.SITE_URL}/machines/{entry.machine_id}/book/?{query}",
    }


def expiring_context(message: Message) -> Context | None:
    """The qualification and its last day, if it still ends that day (not renewed, not kept
    alive by a booking since, not withdrawn)."""
    qualification = (
        Qualification.objects.select_related("machine__platform", "user")
        .filter(pk=message.qualification_id or 0, status=QualificationStatus.GRANTED)
        .first()
    )
    if qualification is None:
        return None
    used = last_use(user_id=qualification.user_id, machines={qualification.machine_id})
    ends = qualification_ends(qualification, last_use=used)
    if ends is None or ends.isoformat() != message.context.get("ends"):
        return None
    lapses = ends != qualification.valid_until
    return {
        "qualification": qualification,
        "machine": qualification.machine,
        "ends": ends,
        "lapses": lapses,
    }


def enrolment_context(message: Message) -> Context | None:
    """The enrolment as it is now, if the message still holds: a seat still held (or a place
    still waiting) in a session still scheduled; a cancellation to everyone it concerned."""
    enrolment = (
        Enrolment.objects.select_related("session__machine__platform", "company")
        .filter(pk=message.context.get("enrolment"), user_id=message.recipient_id or 0)
        .first()
    )
    if enrolment is None:
        return None
    session = enrolment.session
    cancelled = message.kind == MessageKind.TRAINING_CANCELLED
    if session.is_scheduled == cancelled:
        return None
    waits = message.kind == MessageKind.TRAINING_WAITING
    if not cancelled and (enrolment.withdrawn_at is not None or enrolment.waiting != waits):
        return None
    return {
        "enrolment": enrolment,
        "session": session,
        "machine": session.machine,
        "from_waiting": message.context.get("from_waiting", False),
        "machine_url": f"{settings.SITE_URL}/machines/{session.machine_id}/",
    }


def overrun_context(message: Message) -> dict[str, Any] | None:
    """Both bookings, as they are now: none when the use has stopped or the next booking was
    cancelled meanwhile."""
    other = message.context.get("next") or message.context.get("previous")
    own = message.booking_id
    found = {
        b.pk: b
        for b in Booking.objects.filter(pk__in=[own, other]).select_related(
            "machine__platform", "company"
        )
    }
    if own is None or len(found) != 2:
        return None
    if message.kind == MessageKind.USAGE_OVERRUN:
        running, following = found[own], found[other]
    else:
        running, following = found[other], found[own]
    if running.actual_end is not None or running.status != BookingStatus.CONFIRMED:
        return None
    if following.status not in (BookingStatus.CONFIRMED, BookingStatus.PENDING):
        return None
    return {
        "booking": found[own],
        "running": running,
        "following": following,
        "machine": running.machine,
    }
