"""Time freed on a machine, told to the people waiting for it (connected with the receivers).

A cancellation, a rejection or a move frees a booking's time (the part it leaves, for a move);
everyone still waiting over part of it gets one message per freed slot — its key is the entry
and the slot, so the same time freed twice (cancelled, booked again, cancelled again) is told
once. The message is composed at send time and not sent if the slot was booked meanwhile:
the first to book gets it.
"""

from datetime import datetime
from typing import Any

from django.dispatch import receiver

from bookings.models import Booking
from bookings.selectors import waiting_over
from bookings.signals import booking_cancelled, booking_moved, booking_rejected
from core.intervals import subtract_intervals

from .models import MessageKind
from .services import Outgoing, messages_record


def freed_tell(*, booking: Booking, freed: list[tuple[datetime, datetime]]) -> list[int]:
    """Record a message to each person waiting over each freed range (the part of the range
    they wait for). Returns the new messages' ids."""
    outgoing = []
    for start, end in freed:
        for entry in waiting_over(machine=booking.machine_id, start=start, end=end):
            slot_start, slot_end = max(start, entry.start), min(end, entry.end)
            outgoing.append(
                Outgoing(
                    kind=MessageKind.SLOT_FREED,
                    recipient=entry.user,
                    platform=booking.machine.platform,
                    key=(
                        f"{MessageKind.SLOT_FREED}:w{entry.pk}:"
                        f"{slot_start.timestamp():.0f}-{slot_end.timestamp():.0f}"
                    ),
                    context={
                        "entry": entry.pk,
                        "start": slot_start.isoformat(),
                        "end": slot_end.isoformat(),
                    },
                )
            )
    return messages_record(outgoing)


@receiver(booking_cancelled, dispatch_uid="notifications.freed_by_cancellation")
@receiver(booking_rejected, dispatch_uid="notifications.freed_by_rejection")
def _on_booking_gone(sender: Any, booking: Booking, **kwargs: Any) -> None:
    freed_tell(booking=booking, freed=[(booking.start, booking.end)])


@receiver(booking_moved, dispatch_uid="notifications.freed_by_move")
def _on_booking_moved(
    sender: Any, booking: Booking, previous_start: datetime, previous_end: datetime, **kw: Any
) -> None:
    left = subtract_intervals([(previous_start, previous_end)], [(booking.start, booking.end)])
    freed_tell(booking=booking, freed=left)
