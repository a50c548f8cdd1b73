from datetime import timedelta
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.forms import MessagePreferencesForm
from accounts.models import User
from accounts.services import message_preferences_update
from core.exceptions import DomainError
from platforms.models import Machine
from platforms.services import machine_ical_token_regenerate

from .ical import bookings_calendar
from .models import Booking, BookingKind, Company, Membership, MembershipRole
from .selectors import bookings_in_company_feed, bookings_in_machine_feed
from .services import company_ical_token_regenerate

FEED_HISTORY = timedelta(days=30)


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
    company = get_object_or_404(Company, ical_token=token)
    bookings = bookings_in_company_feed(company=company, since=timezone.now() - FEED_HISTORY)
    content = bookings_calendar(
        name=_("Bookings of %(company)s") % {"company": company.name},
        bookings=bookings,
        summary=lambda b: f"{b.machine.name} — {b.machine.platform.name}",
    )
    return _feed_response(content, f"company-{company.pk}.ics")


def machine_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A machine's busy times for its operators, saying who booked."""
    machine = get_object_or_404(Machine.objects.select_related("platform"), ical_token=token)
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


def _preferences_shown(*, is_operator: bool, is_company_admin: bool) -> tuple[str, ...]:
    return (
        "wants_reminders",
        *(["wants_digests"] if is_operator else []),
        *(["wants_copies"] if is_company_admin else []),
    )


@login_required
@require_POST
def message_preferences(request: HttpRequest) -> HttpResponse:
    """Save the optional e-mails chosen on the profile page (only those it shows the person)."""
    user = _signed_in(request)
    shown = _preferences_shown(
        is_operator=user.operated_platforms.exists(),
        is_company_admin=user.memberships.filter(role=MembershipRole.ADMIN).exists(),
    )
    form = MessagePreferencesForm(request.POST, instance=user, shown=shown)
    if form.is_valid():
        message_preferences_update(user=user, **form.cleaned_data)
        messages.success(request, _("Your e-mail preferences are saved."))
    else:
        messages.error(request, _("Your e-mail preferences could not be saved."))
    return redirect("profile")


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The signed-in person's companies and operated machines, with their calendar addresses."""
    memberships = (
        Membership.objects.filter(user=_signed_in(request))
        .select_related("company")
        .order_by("company__name")
    )
    machines = (
        Machine.objects.filter(platform__operators=_signed_in(request))
        .select_related("platform")
        .order_by("platform__name", "name")
    )
    return render(
        request,
        "bookings/profile.html",
        {
            "memberships": memberships,
            "machines": machines,
            "is_company_admin": any(m.role == MembershipRole.ADMIN for m in memberships),
            "preferences": _signed_in(request),
        },
    )


@login_required
@require_POST
def company_feed_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    company = get_object_or_404(
        Company.objects.filter(memberships__user=_signed_in(request)), pk=pk
    )
    try:
        company_ical_token_regenerate(company=company, user=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("profile")
    messages.success(request, _("New calendar address created; the old one no longer works."))
    return redirect("profile")


@login_required
@require_POST
def machine_feed_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    machine = get_object_or_404(
        Machine.objects.filter(platform__operators=_signed_in(request)).select_related("platform"),
        pk=pk,
    )
    machine_ical_token_regenerate(machine=machine, user=request.user)
    messages.success(request, _("New calendar address created; the old one no longer works."))
    return redirect("profile")
