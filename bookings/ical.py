"""iCalendar (RFC 5545) feeds of bookings, for people's own calendar applications."""

from collections.abc import Callable, Iterable
from datetime import UTC
from urllib.parse import urlsplit

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress

from core.text import printable

from .models import Booking, BookingStatus

STATUS = {
    BookingStatus.PENDING: "TENTATIVE",
    BookingStatus.CONFIRMED: "CONFIRMED",
    BookingStatus.COMPLETED: "CONFIRMED",
    BookingStatus.NO_SHOW: "CONFIRMED",
    BookingStatus.CANCELLED: "CANCELLED",
    BookingStatus.REJECTED: "CANCELLED",
}


def _text(value: str, *, multiline: bool = False) -> str:
    """Text typed by people (a note, a company's name) as one property's value: icalendar
    escapes commas, semicolons, backslashes and line feeds; control characters, which
    RFC 5545 forbids in a value, and the other line breaks are ours to remove."""
    value = printable(value).replace("\r\n", "\n").replace("\r", "\n")
    return value if multiline else value.replace("\n", " ")


def booking_uid(booking: Booking) -> str:
    """The booking's UID in every calendar we produce (feeds and e-mailed invitations), so
    that a calendar application sees one event: ``booking-<id>@<SITE_URL's host>``."""
    return f"booking-{booking.pk}@{urlsplit(settings.SITE_URL).hostname or 'localhost'}"


def machine_and_platform(booking: Booking) -> str:
    """The event title a company reads: which machine, where."""
    return f"{booking.machine.name} — {booking.machine.platform.name}"


def _calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Fab-lab booking//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def _event(booking: Booking, summary: str) -> Event:
    event = Event()
    event.add("uid", booking_uid(booking))
    event.add("dtstamp", booking.updated_at.astimezone(UTC))
    event.add("last-modified", booking.updated_at.astimezone(UTC))
    event.add("created", booking.created_at.astimezone(UTC))
    event.add("dtstart", booking.start.astimezone(UTC))
    event.add("dtend", booking.end.astimezone(UTC))
    event.add("sequence", booking.version)
    event.add("status", STATUS[BookingStatus(booking.status)])
    event.add("summary", _text(summary))
    platform = booking.machine.platform
    event.add("location", _text(f"{platform.name}, {platform.city}"))
    description = [str(booking.get_status_display())]
    if booking.note:
        description.append(booking.note)
    if booking.cancellation_reason or booking.rejection_reason:
        description.append(booking.cancellation_reason or booking.rejection_reason)
    event.add("description", _text("\n".join(description), multiline=True))
    return event


def booking_invitation(
    *, bookings: Iterable[Booking], organizer: str, attendee: str, summary: str
) -> tuple[str, bytes]:
    """An iTIP message (RFC 5546) for e-mail: ``REQUEST`` for active bookings, ``CANCEL`` once
    they are cancelled or rejected, with the feeds' UID and SEQUENCE, so the recipient's
    calendar adds, updates or removes the same event. Returns (method, content)."""
    bookings = list(bookings)
    method = "REQUEST" if any(booking.is_active for booking in bookings) else "CANCEL"
    calendar = _calendar(method)
    for booking in bookings:
        if method == "REQUEST" and not booking.is_active:
            continue
        event = _event(booking, summary)
        event.add("organizer", vCalAddress(f"mailto:{organizer}"))
        participant = vCalAddress(f"mailto:{attendee}")
        participant.params["ROLE"] = "REQ-PARTICIPANT"
        event.add("attendee", participant)
        calendar.add_component(event)
    return method, calendar.to_ical()


def bookings_calendar(
    *,
    name: str,
    bookings: Iterable[Booking],
    summary: Callable[[Booking], str],
) -> bytes:
    """A VCALENDAR with one VEVENT per booking, times in UTC.

    UIDs are stable (``booking_uid``) and SEQUENCE is the booking's version, so a calendar
    application updates an event in place, and shows a cancellation as such.
    """
    calendar = _calendar("PUBLISH")
    calendar.add("x-wr-calname", _text(name))
    calendar.add("x-published-ttl", "PT1H")
    for booking in bookings:
        calendar.add_component(_event(booking, summary(booking)))
    return calendar.to_ical()
