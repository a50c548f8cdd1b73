import re
from datetime import timedelta
from typing import cast

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from platforms.models import Machine

from .ical import bookings_calendar, machine_and_platform
from .models import Booking, BookingKind, Company
from .selectors import bookings_in_company_feed, bookings_in_machine_feed

FEED_HISTORY = timedelta(days=30)
# What ``new_feed_token`` makes: URL-safe base64. Anything else (a NUL, a megabyte) is no feed.
FEED_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _token(token: str) -> str:
    if not FEED_TOKEN.fullmatch(token):
        raise Http404
    return token


def _signed_in(request: HttpRequest) -> User:
    # Views below are behind login_required.
    return cast(User, request.user)


def _feed_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def company_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A company's bookings from 30 days back; cancelled and rejected ones as CANCELLED."""
    company = get_object_or_404(Company, ical_token=_token(token))
    bookings = bookings_in_company_feed(company=company, since=timezone.now() - FEED_HISTORY)
    content = bookings_calendar(
        name=_("Bookings of %(company)s") % {"company": company.name},
        bookings=bookings,
        summary=machine_and_platform,
    )
    return _feed_response(content, f"company-{company.pk}.ics")


def machine_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A machine's busy times for its operators, saying who booked."""
    machine = get_object_or_404(
        Machine.objects.select_related("platform"), ical_token=_token(token)
    )
    bookings = bookings_in_machine_feed(machine=machine, since=timezone.now() - FEED_HISTORY)

    def summary(booking: Booking) -> str:
        if booking.kind == BookingKind.INTERNAL:
            return _("Internal: %(note)s") % {"note": booking.note or machine.platform.name}
        who = booking.booked_by.get_full_name() if booking.booked_by else ""
        return f"{booking.company} — {who}".rstrip(" —") if booking.company else who

    content = bookings_calendar(
        name=f"{machine.name} — {machine.platform.name}",
        bookings=bookings,
        summary=summary,
    )
    return _feed_response(content, f"machine-{machine.pk}.ics")
