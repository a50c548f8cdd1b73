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
    platform = booking.machine.platform
    messages_record(
        [
            *(
                Outgoing(
                    kind=MessageKind.USAGE_OVERRUN,
                    recipient=user,
                    platform=platform,
                    booking=booking,
                    key=f"{MessageKind.USAGE_OVERRUN}:{pair}:u{user.pk}",
                    context={"next": next_booking.pk},
                )
                for user in booking_contacts(booking=booking)
            ),
            *(
                Outgoing(
                    kind=MessageKind.NEXT_DELAYED,
                    recipient=user,
                    platform=platform,
                    booking=next_booking,
                    key=f"{MessageKind.NEXT_DELAYED}:{pair}:u{user.pk}",
                    context={"previous": booking.pk},
                )
                for user in booking_contacts(booking=next_booking)
            ),
        ]
    )
