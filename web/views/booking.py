"""Booking a machine and managing the company's bookings."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from billing.pricing import Quote, quote
from bookings.exceptions import SeriesRefused, SlotUnavailable
from bookings.ical import bookings_calendar, machine_and_platform
from bookings.models import Booking, UsageFeedback
from bookings.selectors import (
    bookings_visible_to,
    companies_of,
    enrolments_of,
    qualification_standing,
    waiting_of,
)
from bookings.services import (
    booking_cancel,
    booking_create,
    booking_create_series,
    booking_move,
)
from bookings.services.feedback import USED
from core.datetimes import in_range
from core.exceptions import DomainError
from core.fields import key_of
from platforms.services import qualification_request

from ..calendar import week_label
from ..forms import (
    BookingFilterForm,
    BookingForm,
    CancelForm,
    FeedbackForm,
    MoveForm,
    QualificationRequestForm,
)
from ..history import history
from .catalogue import _machine, week_context
from .common import HtmxHttpRequest, page_of, query_without_page, signed_in, told_mark, told_text
from .waiting import waiting_joined


def _prefill(
    request: HtmxHttpRequest,
    machine: Any,
    length: timedelta | None = None,
    companies: Iterable[int] = (),
) -> dict[str, Any]:
    """The range chosen in the week (``?start=…&end=…``, ISO 8601 with offset) and the company
    (``&company=``, one of ``companies``: a waiting list's offer) as initial values; anything
    unreadable is simply not used. A start alone lasts ``length`` (the machine's minimum by
    default)."""
    initial: dict[str, Any] = {}
    for name in ("start", "end"):
        raw = request.GET.get(name, "")[:40]
        try:
            value = parse_datetime(raw)
        except ValueError:
            value = None
        if value is not None and in_range(value):
            if timezone.is_naive(value):
                value = value.replace(tzinfo=machine.platform.tz)
            initial[name] = value.astimezone(machine.platform.tz)
    company = key_of(request.GET.get("company", ""))
    if company in companies:
        initial["company"] = company
    if "start" in initial and "end" not in initial:
        initial["end"] = initial["start"] + (length or timedelta(minutes=machine.min_minutes))
    return initial


def form_quote(machine: Any, form: BookingForm) -> Quote | None:
    """What the range in the form costs, as the booking will be priced (``pricing.quote``):
    for the company chosen (its price group), with assistance if asked; None without a
    range. A form being filled in is read as far as it goes, its other fields aside."""
    start, end = form.range_so_far()
    if not (start and end and end > start):
        return None
    company, assisted = form.priced_as()
    return quote(machine=machine, start=start, end=end, company=company, assisted=assisted)


def booking_quote(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The price of the range the booking form holds, refreshed as it changes (htmx)."""
    machine = _machine(pk)
    companies = [c for c in companies_of(user=request.user) if c.is_validated]
    with timezone.override(machine.platform.tz):
        form = BookingForm(request.GET, companies=companies, machine=machine)
        return render(
            request,
            "web/booking/_price.html",
            {"quote": form_quote(machine, form)},
        )


@login_required
@require_http_methods(["GET", "POST"])
def book(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The booking form of a machine, pre-filled with the chosen range; books through the
    booking service and shows every refusal in the form."""
    machine = _machine(pk)
    companies = [c for c in companies_of(user=request.user) if c.is_validated]
    waiting = not companies and companies_of(user=request.user).exists()
    template = "web/booking/_form.html" if request.htmx else "web/booking/book.html"
    with timezone.override(machine.platform.tz):
        form = BookingForm(
            request.POST if request.method == "POST" else None,
            companies=companies,
            machine=machine,
            initial=_prefill(request, machine, companies=[c.pk for c in companies]),
        )
        refused: list[dict[str, Any]] = []
        can_wait = False
        if request.method == "POST" and companies and form.is_valid():
            data = form.cleaned_data
            try:
                if request.POST.get("wait"):
                    return waiting_joined(request, machine, data)
                if data.get("repeat"):
                    created = booking_create_series(
                        machine=machine,
                        company=data["company"],
                        user=request.user,
                        start=data["start"],
                        end=data["end"],
                        frequency=data["repeat"],
                        count=data["count"],
                        note=data["note"],
                        assisted=data.get("assisted", False),
                    )
                else:
                    created = [
                        booking_create(
                            machine=machine,
                            company=data["company"],
                            user=request.user,
                            start=data["start"],
                            end=data["end"],
                            note=data["note"],
                            assisted=data.get("assisted", False),
                        )
                    ]
            except SeriesRefused as error:
                form.add_error(None, error.detail)
                refused = error.conflicts
            except DomainError as error:
                form.add_error(None, error.detail)
                # Taken: the person may wait for it to free up.
                can_wait = error.code == SlotUnavailable.code
            else:
                return _booked(request, created)
        return render(
            request,
            template,
            {
                "machine": machine,
                "form": form,
                "quote": form_quote(machine, form),
                "refused": refused,
                "can_wait": can_wait,
                "waiting": waiting,
                "no_company": not companies and not waiting,
            },
            status=422 if form.errors and request.method == "POST" else 200,
        )


def _booked(request: HtmxHttpRequest, created: list[Booking]) -> HttpResponse:
    first = created[0]
    if len(created) > 1:
        messages.success(
            request, _("%(count)d bookings made; each is listed below.") % {"count": len(created)}
        )
    if request.htmx:
        week = week_label(first.start.astimezone(first.machine.platform.tz).date())
        response = render(
            request,
            "web/booking/_booked.html",
            {"booking": first, "bookings": created, "week": week},
        )
        response["HX-Trigger"] = "booked"
        return response
    return redirect("web:booking", pk=first.pk)


def _own_bookings(request: HtmxHttpRequest) -> QuerySet[Booking]:
    """The bookings of the person's companies; anything else is a 404 to them."""
    return bookings_visible_to(user=request.user, own_companies_only=True).select_related(
        "machine__platform", "company", "booked_by"
    )


@login_required
def booking(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    shown = get_object_or_404(_own_bookings(request), pk=pk)
    series = []
    if shown.series_id:
        series = list(_own_bookings(request).filter(series_id=shown.series_id).order_by("start"))
    given = UsageFeedback.objects.filter(booking=shown).first()
    # After its start, a booking kept asks how it went (once).
    asks = given is None and shown.status in USED and shown.start <= timezone.now()
    return render(
        request,
        "web/booking/booking.html",
        {
            "booking": shown,
            "series": series,
            "history": history(shown),
            "feedback": given,
            "feedback_form": FeedbackForm() if asks else None,
        },
    )


@login_required
def bookings(request: HtmxHttpRequest) -> HttpResponse:
    """The company's bookings, upcoming first (soonest first), then the past (latest first)."""
    own = _own_bookings(request)
    machines = sorted(
        {
            (b_pk, f"{name} — {platform}")
            for b_pk, name, platform in own.values_list(
                "machine_id", "machine__name", "machine__platform__name"
            ).distinct()
        },
        key=lambda item: item[1],
    )
    form = BookingFilterForm(request.GET or None, machines=machines)
    rows = own
    if form.is_valid():
        if form.cleaned_data.get("status"):
            rows = rows.filter(status=form.cleaned_data["status"])
        if form.cleaned_data.get("machine"):
            rows = rows.filter(machine_id=form.cleaned_data["machine"])
    now = timezone.now()
    upcoming = Case(
        When(end__gte=now, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    # Upcoming soonest first, then the past latest first (last week on the first page).
    rows = rows.annotate(past=upcoming).order_by(
        "past",
        Case(When(past=0, then=F("start"))).asc(nulls_last=True),
        F("start").desc(),
    )
    page = page_of(rows, form.cleaned_data.get("page") if form.is_valid() else None)
    context = {
        "form": form,
        "page": page,
        "rows": list(page.object_list),
        "now": now,
        "query": query_without_page(request),
        "waiting": waiting_of(user=request.user),
        "enrolments": enrolments_of(user=request.user),
    }
    template = "web/booking/_table.html" if request.htmx else "web/booking/bookings.html"
    return render(request, template, context)


def _late_from(booking: Booking) -> datetime:
    return booking.start - timedelta(hours=booking.machine.min_notice_hours)


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Confirm, then cancel: the page states the platform's late-cancellation policy."""
    shown = get_object_or_404(_own_bookings(request), pk=pk)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            cancelled = booking_cancel(
                booking=shown, user=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form.add_error(None, error.detail)
        else:
            if cancelled.late_cancellation:
                messages.warning(
                    request,
                    _("Booking cancelled, late: the platform may charge for it."),
                )
            else:
                messages.success(request, _("Booking cancelled."))
            return redirect("web:bookings")
    now = timezone.now()
    return render(
        request,
        "web/booking/cancel.html",
        {
            "booking": shown,
            "form": form,
            "late": now > _late_from(shown),
            "late_from": _late_from(shown),
        },
        status=422 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def move(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Another slot for one of the company's bookings."""
    shown = get_object_or_404(_own_bookings(request), pk=pk)
    return move_page(request, shown, done=reverse("web:booking", args=[shown.pk]))


def move_page(
    request: HtmxHttpRequest, shown: Booking, *, done: str, operator: bool = False
) -> HttpResponse:
    """Another slot for ``shown``, chosen in the machine's week (its current slot marked) or
    typed, within the same rules as booking; the SME's and the operator's move alike (an
    operator is told whether the company heard of it)."""
    machine = shown.machine
    with timezone.override(machine.platform.tz):
        week = week_context(request, machine, moving=shown)
        context: dict[str, Any] = {
            "machine": machine,
            "booking": shown,
            "moving": shown,
            "done": done,
            **week,
        }
        if request.htmx and request.htmx.target == "week":
            return render(request, "web/catalogue/_week.html", context)
        form = MoveForm(
            request.POST if request.method == "POST" else None,
            machine=machine,
            initial={"start": shown.start, "end": shown.end}
            | _prefill(request, machine, shown.end - shown.start),
        )
        if request.method == "POST" and form.is_valid():
            mark = told_mark()
            try:
                booking_move(
                    booking=shown,
                    user=request.user,
                    start=form.cleaned_data["start"],
                    end=form.cleaned_data["end"],
                )
            except DomainError as error:
                form.add_error(None, error.detail)
            else:
                told = told_text(shown.pk, mark) if operator else ""
                messages.success(request, _("Booking moved.") + told)
                return redirect(done)
        return render(
            request,
            "web/booking/move.html",
            context | {"form": form},
            status=422 if form.errors else 200,
        )


@login_required
def booking_ics(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    shown = get_object_or_404(_own_bookings(request), pk=pk)
    content = bookings_calendar(
        name=shown.machine.name,
        bookings=[shown],
        summary=machine_and_platform,
    )
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="booking-{shown.pk}.ics"'
    return response


@login_required
@require_POST
def request_qualification(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    machine = _machine(pk)
    form = QualificationRequestForm(request.POST)
    if form.is_valid() and machine.requires_qualification:
        user = signed_in(request)
        # A qualification held before, expired or lapsed, is asked for again.
        standing = qualification_standing(user=user, machine=machine, start=timezone.now())
        qualification_request(
            user=user,
            machine=machine,
            note=form.cleaned_data["note"],
            renew=standing.ended_on is not None and not standing.qualified,
        )
        messages.success(
            request,
            _(
                "Your request is recorded: the platform's operators will answer it, and you "
                "will get an e-mail."
            ),
        )
    elif not form.is_valid():
        messages.error(request, _("Your request could not be sent."))
    return redirect(reverse("web:machine", args=[machine.pk]))
