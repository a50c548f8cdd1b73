"""iCalendar (RFC 5545) feeds of bookings, for people's own calendar applications."""

from collections.abc import Callable, Iterable
from datetime import UTC

from icalendar import Calendar, Event

from .models import Booking, BookingStatus

STATUS = {
    BookingStatus.PENDING: "TENTATIVE",
    BookingStatus.CONFIRMED: "CONFIRMED",
    BookingStatus.COMPLETED: "CONFIRMED",
    BookingStatus.NO_SHOW: "CONFIRMED",
    BookingStatus.CANCELLED: "CANCELLED",
    BookingStatus.REJECTED: "CANCELLED",
}


def bookings_calendar(
    *,
    name: str,
    bookings: Iterable[Booking],
    host: str,
    summary: Callable[[Booking], str],
) -> bytes:
    """A VCALENDAR with one VEVENT per booking, times in UTC.

    UIDs are stable (``booking-<id>@<host>``) and SEQUENCE is the booking's version, so a
    calendar application updates an event in place, and shows a cancellation as such.
    """
    calendar = Calendar()
    calendar.add("prodid", "-//Fab-lab booking//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-published-ttl", "PT1H")
    for booking in bookings:
        event = Event()
        event.add("uid", f"booking-{booking.pk}@{host}")
        event.add("dtstamp", booking.updated_at.astimezone(UTC))
        event.add("last-modified", booking.updated_at.astimezone(UTC))
        event.add("created", booking.created_at.astimezone(UTC))
        event.add("dtstart", booking.start.astimezone(UTC))
        event.add("dtend", booking.end.astimezone(UTC))
        event.add("sequence", booking.version)
        event.add("status", STATUS[BookingStatus(booking.status)])
        event.add("summary", summary(booking))
        event.add("location", f"{booking.machine.platform.name}, {booking.machine.platform.city}")
        description = [str(booking.get_status_display())]
        if booking.note:
            description.append(booking.note)
        if booking.cancellation_reason or booking.rejection_reason:
            description.append(booking.cancellation_reason or booking.rejection_reason)
        event.add("description", "\n".join(description))
        calendar.add_component(event)
    return calendar.to_ical()
