"""A use running past its end into the next booking on the machine: the person at the machine
is asked to stop, the next booking's people are told the machine may not be free on time. Each
pair once (the periodic job announces it at each run while it lasts); composed at send time,
not sent once the use stopped or the next booking is no longer active."""

from typing import Any

from django.dispatch import receiver

from bookings.models import Booking
from bookings.signals import usage_overrun

from .models import MessageKind
from .selectors import booking_contacts
from .services import Outgoing, messages_record


@receiver(usage_overrun, dispatch_uid="notifications.usage_overrun")
def _on_overrun(sender: Any, booking: Booking, next_booking: Booking, **kwargs: Any) -> None:
    pair = f"{booking.pk}:{next_booking.pk}"

    def told(kind: str, about: Booking, **context: int) -> list[Outgoing]:
        return [
            Outgoing(
                kind=kind,
                recipient=user,
                platform=booking.machine.platform,
                booking=about,
                key=f"{kind}:{pair}:u{user.pk}",
                context=context,
            )
            for user in booking_contacts(booking=about)
        ]

    messages_record(
        told(MessageKind.USAGE_OVERRUN, booking, next=next_booking.pk)
        + told(MessageKind.NEXT_DELAYED, next_booking, previous=booking.pk)
    )
