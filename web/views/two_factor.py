"""The profile's two-factor sign-in: set up an authenticator app (its QR code, or its secret to
type), the recovery codes shown once, new codes, turning it off. Each change past the set-up
asks a current code: a session left open on someone's desk cannot take the factor away."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import two_factor
from accounts.views import CodeForm, safe_next
from core.exceptions import DomainError

from .common import signed_in

_KEY = "two_factor_key"


def _page(request: HttpRequest, form: CodeForm, status: int = 200) -> HttpResponse:
    user = signed_in(request)
    context: dict[str, object] = {
        "form": form,
        "enabled": two_factor.has_second_factor(user),
        "next": safe_next(request, default="profile"),
    }
    if context["enabled"]:
        context["codes_left"] = two_factor.recovery_codes_left(user)
    else:
        key = request.session.get(_KEY) or two_factor.totp_key_new()
        request.session[_KEY] = key
        url = two_factor.totp_url(user=user, key=key)
        # segno writes the SVG from the otpauth address alone: markup of its own.
        svg = segno.make(url, error="m").svg_inline(
            scale=5, dark="#1b2631", light="#ffffff", omitsize=True
        )
        context |= {"qr": mark_safe(svg), "secret": two_factor.totp_secret(key)}
    response = render(request, "web/account/two_factor.html", context, status=status)
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_page(request: HttpRequest) -> HttpResponse:
    """Set-up: scan the code, type what the app shows; the recovery codes follow, once."""
    user = signed_in(request)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not two_factor.has_second_factor(user):
        key = request.session.get(_KEY, "")
        if form.is_valid() and key:
            try:
                codes = two_factor.totp_confirm(user=user, key=key, code=form.cleaned_data["code"])
            except DomainError as error:
                form.add_error("code", error.detail)
            else:
                request.session.pop(_KEY, None)
                return _codes(request, codes, _("Two-factor sign-in is on."))
        return _page(request, form, status=422)
    return _page(request, CodeForm())


def _codes(request: HttpRequest, codes: list[str], text: str) -> HttpResponse:
    messages.success(request, text)
    return render(
        request,
        "web/account/recovery_codes.html",
        {"codes": codes, "next": safe_next(request, default="profile")},
    )


def _checked(request: HttpRequest) -> tuple[CodeForm, bool]:
    form = CodeForm(request.POST)
    if not form.is_valid():
        return form, False
    try:
        two_factor.second_factor_check(user=signed_in(request), code=form.cleaned_data["code"])
    except DomainError as error:
        form.add_error("code", error.detail)
        return form, False
    return form, True


@never_cache
@login_required
@require_POST
def recovery_codes_new(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    if not two_factor.has_second_factor(user):
        return redirect("two-factor")
    form, ok = _checked(request)
    if not ok:
        return _page(request, form, status=422)
    codes = two_factor.recovery_codes_renew(user=user)
    return _codes(request, codes, _("New recovery codes: the old ones no longer work."))


@login_required
@require_POST
def two_factor_off(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    if not two_factor.has_second_factor(user):
        return redirect("two-factor")
    form, ok = _checked(request)
    if not ok:
        return _page(request, form, status=422)
    two_factor.two_factor_disable(user=user, actor=user)
    messages.success(request, _("Two-factor sign-in is off: your password alone signs you in."))
    return redirect("profile")
