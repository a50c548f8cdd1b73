"""A platform's tablet in kiosk mode: opened once with its key (kept in a cookie), it lists the
platform's machines; at a machine, a member types their personal code or scans their badge,
and the tap starts or stops their booking under way there. The tablet signs nobody in."""

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.kiosk import kiosk_badge, kiosk_badge_renew, kiosk_code_new, person_at_kiosk
from bookings.selectors.measure import booking_to_measure, bookings_left_today
from bookings.services import usage_measure_start, usage_measure_stop
from core.exceptions import DomainError
from core.limits import allow
from platforms.kiosk_models import Kiosk
from platforms.services import kiosk_from_key

from .common import signed_in

COOKIE = "kiosk"
YEAR = 365 * 24 * 3600


def _kiosk(request: HttpRequest) -> Kiosk | None:
    return kiosk_from_key(request.COOKIES.get(COOKIE, ""))


def _closed(request: HttpRequest) -> HttpResponse:
    return render(request, "web/kiosk/closed.html", status=403)


@never_cache
def kiosk_open(request: HttpRequest) -> HttpResponse:
    """The address an operator opens once on the tablet: its key goes into a cookie."""
    key = request.GET.get("key", "")[:100]
    if kiosk_from_key(key) is None:
        return _closed(request)
    response = redirect("web:kiosk")
    response.set_cookie(
        COOKIE,
        key,
        max_age=YEAR,
        httponly=True,
        samesite="Strict",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


@never_cache
def kiosk_home(request: HttpRequest) -> HttpResponse:
    kiosk = _kiosk(request)
    if kiosk is None:
        return _closed(request)
    today = bookings_left_today(platform=kiosk.platform, now=timezone.now())
    machines = [
        (machine, today.get(machine.pk, [])[:2])
        for machine in kiosk.platform.machines.filter(active=True).order_by("name")
    ]
    return render(
        request,
        "web/kiosk/home.html",
        {"kiosk": kiosk, "machines": machines, "now": timezone.now()},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def kiosk_machine(request: HttpRequest, pk: int) -> HttpResponse:
    """One machine: who taps (code or badge), then their booking starts or stops."""
    kiosk = _kiosk(request)
    if kiosk is None:
        return _closed(request)
    machine = get_object_or_404(kiosk.platform.machines.filter(active=True), pk=pk)
    context: dict[str, object] = {"kiosk": kiosk, "machine": machine}
    if request.method != "POST":
        return render(request, "web/kiosk/machine.html", context)
    limit = int(settings.KIOSK_TAPS_PER_MINUTE)
    if not allow("kiosk-tap", str(kiosk.pk), limit=limit, window=60):
        context["error"] = _("Too many tries on this kiosk: wait a minute.")
        return render(request, "web/kiosk/machine.html", context, status=429)
    person = person_at_kiosk(request.POST.get("code", ""))
    if person is None:
        context["error"] = _("Unknown code or badge. Your personal code is on your profile.")
        return render(request, "web/kiosk/machine.html", context, status=422)
    booking = booking_to_measure(machine=machine, user=person)
    if booking is None:
        context["error"] = _(
            "%(person)s, you have no booking under way or about to begin on this machine."
        ) % {"person": person.get_full_name()}
        return render(request, "web/kiosk/machine.html", context, status=422)
    try:
        if booking.actual_start is None:
            booking = usage_measure_start(booking=booking, user=person)
            context["done"] = _("Started, %(person)s. Tap your code again when you finish.") % {
                "person": person.get_full_name()
            }
        else:
            booking = usage_measure_stop(booking=booking, user=person)
            context["done"] = _("Stopped, %(person)s: your use is recorded. Thank you!") % {
                "person": person.get_full_name()
            }
    except DomainError as error:
        context["error"] = error.detail
        return render(request, "web/kiosk/machine.html", context, status=error.status)
    context["booking"] = booking
    return render(request, "web/kiosk/machine.html", context)


# --- The member's side: their personal code and badge (on their profile) ---------------------

NEW_CODE = "new_kiosk_code"


@login_required
@require_POST
def kiosk_code(request: HttpRequest) -> HttpResponse:
    """A new personal code, shown once on the profile."""
    request.session[NEW_CODE] = kiosk_code_new(user=signed_in(request))
    return redirect(reverse("profile") + "#kiosk")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def badge(request: HttpRequest) -> HttpResponse:
    """The person's badge to print (a QR code the kiosk's scanner reads); a new one voids it."""
    user = signed_in(request)
    if request.method == "POST":
        kiosk_badge_renew(user=user)
        messages.success(request, _("New badge: the previous one no longer works."))
        return redirect("badge")
    # segno writes the SVG from the signed token alone: markup of its own.
    svg = segno.make(kiosk_badge(user=user), error="m").svg_inline(
        scale=6, dark="#1b2631", light="#ffffff", omitsize=True
    )
    return render(request, "web/kiosk/badge.html", {"qr": mark_safe(svg)})
