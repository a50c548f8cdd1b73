"""The operator's day: approve or reject, record usage, answer qualification requests,
validate companies, the platform's week, a booking's page, booking on a company's behalf —
on the platforms they operate only; anything else is a 404."""

from datetime import date, time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bookings.models import Booking, BookingStatus, Company
from bookings.selectors import (
    bookings_affected_by_closure,
    companies_booking_on,
    company_booking_counts,
    company_bookings_on,
    company_seen_by_operator,
    operator_day,
    platform_week,
    platforms_operated_by,
)
from bookings.services import (
    booking_approve,
    booking_block,
    booking_cancel,
    booking_create,
    booking_move,
    booking_reject,
    company_refuse,
    company_validate,
    usage_record,
    usage_start,
)
from core.datetimes import in_range
from core.events import announcements_muted
from core.exceptions import DomainError
from platforms.models import Closure, Machine, Platform, Qualification
from platforms.recurrence import closure_occurrence_rows
from platforms.services import (
    closure_create,
    closure_delete,
    closure_occurrence_cancel,
    closure_occurrence_move,
    machine_update,
    opening_hours_set,
    qualification_grant,
    qualification_refuse,
)
from platforms.timezones import aware_lenient, local_midnight

from ..calendar import platform_day, platform_grid, week_label, week_monday
from ..forms import (
    ClosureForm,
    MachineRulesForm,
    MoveForm,
    OccurrenceForm,
    OnBehalfForm,
    OpeningHoursFormSet,
    OperatorCancelForm,
    QualificationGrantForm,
    RejectForm,
    UsageForm,
)
from ..history import history
from ..templatetags.web import slot_range
from .common import HtmxHttpRequest, page_of

# A recurring closure's page lists its next occurrences, to skip or move one.
OCCURRENCES_SHOWN = 12
OCCURRENCES_AHEAD_DAYS = 400


def _operated(request: HtmxHttpRequest) -> list[int]:
    ids = list(platforms_operated_by(user=request.user).values_list("pk", flat=True))
    if not ids:
        raise Http404
    return ids


def _booking(request: HtmxHttpRequest, pk: int) -> Booking:
    return get_object_or_404(
        Booking.objects.select_related("machine__platform", "company"),
        pk=pk,
        machine__platform_id__in=_operated(request),
    )


@login_required
def operator_home(request: HtmxHttpRequest) -> HttpResponse:
    """Everything waiting for the operator today, across their platforms."""
    _operated(request)
    day = operator_day(user=request.user, now=timezone.now())
    return render(
        request,
        "web/operator.html",
        {
            "day": day,
            "platforms": platforms_operated_by(user=request.user).order_by("name"),
            "reject_form": RejectForm(),
            "usage_form": UsageForm(),
        },
    )


def _named(booking: Booking) -> dict[str, str]:
    slot = slot_range(booking.start, booking.end, booking.machine.platform.timezone)
    company = booking.company.name if booking.company else ""
    return {"booking": f"{booking.machine.name}, {slot} ({company})"}


def _done(request: HtmxHttpRequest, text: str) -> HttpResponse:
    """htmx: the row goes, replaced by what was done; otherwise back to the day."""
    if request.htmx:
        return render(request, "web/_done.html", {"text": text})
    messages.success(request, text)
    return redirect("web:operator")


def _refused(request: HtmxHttpRequest, error: DomainError) -> HttpResponse:
    if request.htmx:
        return render(request, "web/_done.html", {"text": error.detail, "error": True}, status=422)
    messages.error(request, error.detail)
    return redirect("web:operator")


@login_required
@require_POST
def approve(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    booking = _booking(request, pk)
    try:
        booking_approve(booking=booking, user=request.user)
    except DomainError as error:
        return _refused(request, error)
    return _done(
        request, _("Approved: %(booking)s. The company is told by e-mail.") % _named(booking)
    )


@login_required
@require_POST
def reject(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    booking = _booking(request, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _refused(request, DomainError(_("Give the company a reason.")))
    try:
        booking_reject(booking=booking, user=request.user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        return _refused(request, error)
    return _done(
        request, _("Refused: %(booking)s. The company is told by e-mail.") % _named(booking)
    )


@login_required
@require_POST
def record_usage(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    booking = _booking(request, pk)
    with timezone.override(booking.machine.platform.tz):
        form = UsageForm(request.POST)
        if not form.is_valid():
            return _refused(request, DomainError(_("Give the actual start and end times.")))
        try:
            usage_record(
                booking=booking,
                user=request.user,
                actual_start=form.cleaned_data["actual_start"],
                actual_end=form.cleaned_data["actual_end"],
            )
        except DomainError as error:
            return _refused(request, error)
    return _done(request, _("Usage recorded: %(booking)s.") % _named(booking))


@login_required
@require_POST
def started(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One click: the use begins now."""
    booking = _booking(request, pk)
    try:
        usage_start(booking=booking, user=request.user)
    except DomainError as error:
        return _refused(request, error)
    return _done(request, _("Started: %(booking)s.") % _named(booking))


@login_required
@require_POST
def ended(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One click: the use ends now; it started when recorded, or at the booking's start."""
    booking = _booking(request, pk)
    now = timezone.now().replace(second=0, microsecond=0)
    try:
        usage_record(
            booking=booking,
            user=request.user,
            actual_start=booking.actual_start or booking.start,
            actual_end=now,
        )
    except DomainError as error:
        return _refused(request, error)
    return _done(request, _("Ended; usage recorded: %(booking)s.") % _named(booking))


def _qualification(request: HtmxHttpRequest, pk: int) -> Qualification:
    return get_object_or_404(
        Qualification.objects.select_related("machine__platform", "user"),
        pk=pk,
        machine__platform_id__in=_operated(request),
    )


@login_required
@require_POST
def qualification_answer(request: HtmxHttpRequest, pk: int, answer: str) -> HttpResponse:
    if answer not in ("grant", "refuse"):
        raise Http404
    qualification = _qualification(request, pk)
    expiry = QualificationGrantForm(request.POST)
    if not expiry.is_valid():
        return _refused(request, DomainError(str(next(iter(expiry.errors.values()))[0])))
    try:
        if answer == "grant":
            qualification_grant(
                operator=request.user,
                user=qualification.user,
                machine=qualification.machine,
                valid_until=expiry.cleaned_data["valid_until"],
            )
            text = _("%(person)s is qualified on %(machine)s.")
        else:
            qualification_refuse(operator=request.user, qualification=qualification)
            text = _("Qualification refused to %(person)s on %(machine)s.")
    except DomainError as error:
        return _refused(request, error)
    return _done(
        request,
        text
        % {"person": qualification.user.get_full_name(), "machine": qualification.machine.name},
    )


@login_required
def qualifications(request: HtmxHttpRequest) -> HttpResponse:
    """Who is qualified, refused or waiting on the machines of the operator's platforms:
    qualify (with an expiry date or none), refuse, withdraw."""
    operated = _operated(request)
    rows = (
        Qualification.objects.filter(machine__platform_id__in=operated)
        .select_related("machine__platform", "user")
        .order_by("machine__platform__name", "machine__name", "user__email")
    )
    return render(
        request, "web/operator_qualifications.html", {"rows": rows, "today": timezone.now().date()}
    )


def _waiting_company(request: HtmxHttpRequest, pk: int) -> Company:
    """A company not validated yet: any operator decides for the whole network."""
    _operated(request)
    return get_object_or_404(Company, pk=pk, validated_at__isnull=True)


@login_required
@require_POST
def validate_company(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    company = _waiting_company(request, pk)
    try:
        company_validate(company=company, user=request.user)
    except DomainError as error:
        return _refused(request, error)
    return _done(request, _("%(company)s may book.") % {"company": company.name})


@login_required
@require_POST
def refuse_company(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    company = _waiting_company(request, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _refused(request, DomainError(_("Give the company a reason.")))
    try:
        company_refuse(company=company, user=request.user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        return _refused(request, error)
    return _done(
        request,
        _("%(company)s is refused; its administrators are told why.") % {"company": company.name},
    )


@login_required
def companies(request: HtmxHttpRequest) -> HttpResponse:
    """Companies waiting for validation (the whole network's), those refused, and those that
    book on the operator's platforms."""
    operated = _operated(request)
    waiting = Company.objects.filter(validated_at__isnull=True).order_by("created_at")
    return render(
        request,
        "web/operator_companies.html",
        {
            "waiting": [company for company in waiting if not company.is_refused],
            "refused": [company for company in waiting if company.is_refused],
            "booking": page_of(
                companies_booking_on(platform_ids=operated), _page(request), per_page=50
            ),
            "reject_form": RejectForm(),
        },
    )


def _page(request: HtmxHttpRequest) -> int | None:
    value = request.GET.get("page", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 6 else None


@login_required
def company(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A company and its bookings on the operator's platforms (not elsewhere)."""
    operated = _operated(request)
    shown = company_seen_by_operator(company_id=pk, platform_ids=operated)
    if shown is None:
        raise Http404
    bookings = page_of(
        company_bookings_on(company=shown, platform_ids=operated), _page(request), per_page=50
    )
    counts = company_booking_counts(company=shown, platform_ids=operated)
    return render(
        request,
        "web/operator_company.html",
        {
            "company": shown,
            "bookings": bookings,
            "counts": [
                (label, counts.get(status, 0))
                for status, label in BookingStatus.choices
                if counts.get(status)
            ],
            "reject_form": RejectForm(),
        },
    )


def _platform(request: HtmxHttpRequest, pk: int) -> Platform:
    return get_object_or_404(Platform, pk=pk, pk__in=_operated(request))


def _day(value: str) -> date | None:
    try:
        chosen = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return chosen if chosen and in_range(chosen) else None


@login_required
def platform_week_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The platform's week: machines as rows, days as columns, bookings labelled by status and
    company, closures marked; each booking opens its page, each day offers to book. With
    ``?day=2026-12-02``, that day by half hours, for a busy platform."""
    platform = _platform(request, pk)
    tz = platform.tz
    with timezone.override(tz):
        today = timezone.now().astimezone(tz).date()
        if "day" in request.GET:
            chosen = _day(request.GET["day"])
            if chosen is not None:
                return _platform_day_view(request, platform, chosen, today)
            messages.warning(request, _("That day could not be read; here is this week."))
        monday, refused = week_monday(request.GET.get("week"), today)
        if refused:
            messages.warning(request, _("That week could not be read; here is this week."))
        start = local_midnight(monday, tz)
        end = local_midnight(monday + timedelta(days=7), tz)
        week = platform_week(platform=platform, start=start, end=end)
        days = [monday + timedelta(days=offset) for offset in range(7)]
        return render(
            request,
            "web/operator_week.html",
            {
                "platform": platform,
                "rows": platform_grid(week=week, monday=monday, tz=tz),
                "days": days,
                "today": today,
                "label": week_label(monday),
                "previous": week_label(monday - timedelta(days=7)),
                "next": week_label(monday + timedelta(days=7)),
                # Hundreds of links: their common paths once, not a reverse() per cell.
                "booking_path": reverse("web:operator-booking", args=[0]).removesuffix("0/"),
                "machine_path": reverse("web:operator-book", args=[0]).removesuffix("0/book/"),
                "book_label": _("Book"),
                "closure_label": _("Closure"),
            },
        )


def _platform_day_view(
    request: HtmxHttpRequest, platform: Platform, day: date, today: date
) -> HttpResponse:
    tz = platform.tz
    start, end = local_midnight(day, tz), local_midnight(day + timedelta(days=1), tz)
    grid = platform_day(
        platform=platform,
        week=platform_week(platform=platform, start=start, end=end),
        day=day,
        hours=list(platform.opening_hours.all()),
        now=timezone.now(),
    )
    return render(
        request,
        "web/operator_day.html",
        {
            "platform": platform,
            "grid": grid,
            "today": today,
            "week": week_label(day),
            "previous": (day - timedelta(days=1)).isoformat(),
            "next": (day + timedelta(days=1)).isoformat(),
            "booking_path": reverse("web:operator-booking", args=[0]).removesuffix("0/"),
            "machine_path": reverse("web:operator-book", args=[0]).removesuffix("0/book/"),
            "day_iso": day.isoformat(),
            "book_label": _("Book"),
            "closure_label": _("Closure"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def operator_booking(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One booking of the operator's platforms: approve, reject, move, cancel with a reason,
    record usage."""
    booking = _booking(request, pk)
    with timezone.override(booking.machine.platform.tz):
        action = request.POST.get("action") if request.method == "POST" else None
        move = MoveForm(
            request.POST if action == "move" else None,
            initial={"start": booking.start, "end": booking.end},
        )
        cancel = OperatorCancelForm(request.POST if action == "cancel" else None)
        usage = UsageForm(
            request.POST if action == "usage" else None,
            initial={
                "actual_start": booking.actual_start or booking.start,
                "actual_end": booking.actual_end or booking.end,
            },
        )
        try:
            if action == "move" and move.is_valid():
                booking_move(
                    booking=booking,
                    user=request.user,
                    start=move.cleaned_data["start"],
                    end=move.cleaned_data["end"],
                )
                messages.success(request, _("Booking moved; the company is told by e-mail."))
                return redirect("web:operator-booking", pk=booking.pk)
            if action == "cancel" and cancel.is_valid():
                booking_cancel(
                    booking=booking, user=request.user, reason=cancel.cleaned_data["reason"]
                )
                messages.success(request, _("Booking cancelled; the company is told by e-mail."))
                return redirect("web:operator-booking", pk=booking.pk)
            if action == "usage" and usage.is_valid():
                usage_record(
                    booking=booking,
                    user=request.user,
                    actual_start=usage.cleaned_data["actual_start"],
                    actual_end=usage.cleaned_data["actual_end"],
                )
                messages.success(request, _("Usage recorded: %(booking)s.") % _named(booking))
                return redirect("web:operator-booking", pk=booking.pk)
        except DomainError as error:
            {"move": move, "cancel": cancel, "usage": usage}[action or "move"].add_error(
                None, error.detail
            )
        status = 422 if action and (move.errors or cancel.errors or usage.errors) else 200
        return render(
            request,
            "web/operator_booking.html",
            {
                "booking": booking,
                "move": move,
                "cancel": cancel,
                "usage": usage,
                "reject_form": RejectForm(),
                "week": week_label(booking.start.astimezone(booking.machine.platform.tz).date()),
                "history": history(booking),
            },
            status=status,
        )


@login_required
@require_http_methods(["GET", "POST"])
def book_on_behalf(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Free time of a machine of the operator's platforms, booked for a company or blocked."""
    machine = get_object_or_404(
        Machine.objects.select_related("platform"), pk=pk, platform_id__in=_operated(request)
    )
    with timezone.override(machine.platform.tz):
        initial: dict[str, Any] = {}
        chosen = _day(request.GET.get("day", ""))
        if chosen is not None:
            # From the day view's free half hour, or 09:00 from the week's "+ Book".
            clock = _clock(request.GET.get("time", "")) or time(9)
            start = aware_lenient(chosen, clock, machine.platform.tz)
            length = max(60, machine.min_minutes)
            initial = {"start": start, "end": start + timedelta(minutes=length)}
        form = OnBehalfForm(request.POST if request.method == "POST" else None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data["company"]:
                    booking = booking_create(
                        machine=machine,
                        company=data["company"],
                        user=request.user,
                        start=data["start"],
                        end=data["end"],
                        note=data["note"],
                    )
                else:
                    booking = booking_block(
                        machine=machine,
                        user=request.user,
                        start=data["start"],
                        end=data["end"],
                        note=data["note"],
                    )
            except DomainError as error:
                form.add_error(None, error.detail)
            else:
                messages.success(request, _("Booked: %(booking)s.") % _named(booking))
                return redirect("web:operator-booking", pk=booking.pk)
        return render(
            request,
            "web/operator_book.html",
            {"machine": machine, "form": form},
            status=422 if form.errors else 200,
        )


def _clock(value: str) -> time | None:
    try:
        return time.fromisoformat(value) if value else None
    except ValueError:
        return None


class _Preview(Exception):
    """Raised inside the preview's savepoint so that nothing it wrote is kept."""


def _closure_from(form: ClosureForm, platform: Platform, user: Any) -> Closure:
    frequency, params, until = form.recurrence()
    data = form.cleaned_data
    return closure_create(
        platform=platform,
        user=user,
        title=data["title"],
        start=data["start"],
        end=data["end"],
        machine=data["machine"],
        kind=data["kind"],
        reason=data["reason"],
        frequency=frequency,
        params=params,
        until=until,
    )


def _preview(form: ClosureForm, platform: Platform, user: Any) -> list[Booking]:
    """The bookings a closure would cover, before it exists: placed in a savepoint, with
    announcements muted, read, then rolled back."""
    covered: list[Booking] = []
    try:
        with announcements_muted(), transaction.atomic():
            closure = _closure_from(form, platform, user)
            covered = list(bookings_affected_by_closure(closure=closure))
            raise _Preview
    except _Preview:
        pass
    return covered


@login_required
@require_http_methods(["GET", "POST"])
def closures(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A platform's closures and maintenance, and a new one in plain words: first the
    bookings it would cover, then, confirmed, it is placed (the companies are told)."""
    platform = _platform(request, pk)
    with timezone.override(platform.tz):
        form = ClosureForm(request.POST if request.method == "POST" else None, platform=platform)
        covered = None
        if request.method == "POST" and form.is_valid():
            try:
                if request.POST.get("action") == "save":
                    closure = _closure_from(form, platform, request.user)
                    messages.success(
                        request, _("Placed: %(title)s.") % {"title": closure.event.title}
                    )
                    return redirect("web:operator-closure", pk=closure.pk)
                covered = _preview(form, platform, request.user)
            except DomainError as error:
                form.add_error(None, error.detail)
        rows = (
            Closure.objects.filter(platform=platform)
            .select_related("event__rule", "machine")
            .order_by("-event__start")
        )
        return render(
            request,
            "web/operator_closures.html",
            {"platform": platform, "form": form, "covered": covered, "rows": rows},
            status=422 if form.errors else 200,
        )


def _closure(request: HtmxHttpRequest, pk: int) -> Closure:
    return get_object_or_404(
        Closure.objects.select_related("event__rule", "machine", "platform"),
        pk=pk,
        platform_id__in=_operated(request),
    )


@login_required
def closure(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One closure: its bookings still covered, each to cancel with a reason or move; for a
    recurring one, its coming occurrences, each to skip or move."""
    shown = _closure(request, pk)
    occurrences = []
    if shown.event.rule_id:
        now = timezone.now()
        occurrences = closure_occurrence_rows(
            event=shown.event,
            timezone_name=shown.platform.timezone,
            start=now,
            end=now + timedelta(days=OCCURRENCES_AHEAD_DAYS),
            limit=OCCURRENCES_SHOWN,
        )
    with timezone.override(shown.platform.tz):
        return render(
            request,
            "web/operator_closure.html",
            {
                "closure": shown,
                "covered": list(bookings_affected_by_closure(closure=shown)),
                "occurrences": occurrences,
            },
        )


@login_required
@require_POST
def closure_occurrence(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Skip one occurrence of a recurring closure, or move it (the companies whose bookings
    it then covers are told)."""
    shown = _closure(request, pk)
    action = request.POST.get("action")
    with timezone.override(shown.platform.tz):
        form = OccurrenceForm(request.POST)
        if action not in ("skip", "move") or not form.is_valid():
            errors = [str(error) for errors in form.errors.values() for error in errors]
            messages.error(request, errors[0] if errors else _("Choose skip or move."))
            return redirect("web:operator-closure", pk=shown.pk)
        data = form.cleaned_data
        try:
            if action == "skip":
                closure_occurrence_cancel(
                    closure=shown, user=request.user, original_start=form.original_start()
                )
                messages.success(request, _("Skipped: that time can be booked again."))
            elif not (data["start"] and data["end"]):
                messages.error(request, _("Give the new start and end."))
            else:
                closure_occurrence_move(
                    closure=shown,
                    user=request.user,
                    original_start=form.original_start(),
                    start=data["start"],
                    end=data["end"],
                )
                messages.success(
                    request, _("Moved; the companies whose bookings it covers are told.")
                )
        except DomainError as error:
            messages.error(request, error.detail)
    return redirect("web:operator-closure", pk=shown.pk)


@login_required
@require_POST
def closure_remove(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    shown = _closure(request, pk)
    platform = shown.platform
    try:
        closure_delete(closure=shown, user=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("web:operator-closure", pk=pk)
    messages.success(request, _("Removed; its times can be booked again."))
    return redirect("web:operator-closures", pk=platform.pk)


@login_required
@require_http_methods(["GET", "POST"])
def machine_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A machine's description, specifications, rate and booking rules."""
    machine = get_object_or_404(
        Machine.objects.select_related("platform"), pk=pk, platform_id__in=_operated(request)
    )
    form = MachineRulesForm(request.POST if request.method == "POST" else None, instance=machine)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        fields["specs"] = form.cleaned_data["specs_text"]
        try:
            machine_update(machine=machine, user=request.user, **fields)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except DomainError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(request, _("Saved: the rules apply to bookings made from now on."))
            return redirect("web:operator-machine", pk=machine.pk)
    return render(
        request,
        "web/operator_machine.html",
        {"machine": machine, "form": form, "history": history(machine)},
        status=422 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def opening_hours(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The platform's week of opening hours, several ranges a day."""
    platform = _platform(request, pk)
    current = [
        {"weekday": row.weekday, "opens": row.opens, "closes": row.closes}
        for row in platform.opening_hours.order_by("weekday", "opens")
    ]
    formset = OpeningHoursFormSet(
        request.POST if request.method == "POST" else None, initial=current, prefix="hours"
    )
    if request.method == "POST" and formset.is_valid():
        ranges = [
            (form.cleaned_data["weekday"], form.cleaned_data["opens"], form.cleaned_data["closes"])
            for form in formset.forms
            # Blank extra rows have no data; ticked rows are removed.
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        try:
            opening_hours_set(platform=platform, user=request.user, ranges=ranges)
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(request, _("Opening hours saved."))
            return redirect("web:operator-hours", pk=platform.pk)
    return render(
        request,
        "web/operator_hours.html",
        {"platform": platform, "formset": formset},
        status=422 if request.method == "POST" else 200,
    )
