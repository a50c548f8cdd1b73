"""The profile's two-factor sign-in: set up an authenticator app (its QR code, or its secret to
type), the recovery codes shown once, new codes, turning it off. Each change past the set-up
asks a current code: a session left open on someone's desk cannot take the factor away."""

import json

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import passkeys, two_factor
from accounts.models import Passkey
from accounts.views import CodeForm, safe_next
from core.exceptions import DomainError

from .common import signed_in

_KEY = "two_factor_key"
NEW_CODES = "new_recovery_codes"


def _page(
    request: HttpRequest, form: CodeForm, status: int = 200, setup: CodeForm | None = None
) -> HttpResponse:
    """The authenticator app (set up, or its QR code to scan), the passkeys, the recovery
    codes; ``form`` asks a current code for changes, ``setup`` the new app's first code."""
    user = signed_in(request)
    context: dict[str, object] = {
        "form": form,
        "setup": setup or CodeForm(),
        "enabled": two_factor.has_second_factor(user),
        "totp": two_factor.has_totp(user),
        "passkeys": list(Passkey.objects.filter(user=user)),
        "codes_left": two_factor.recovery_codes_left(user),
        "new_codes": request.session.pop(NEW_CODES, None),
        "next": safe_next(request, default="profile"),
    }
    if not context["totp"]:
        key = request.session.get(_KEY) or two_factor.totp_key_new()
        request.session[_KEY] = key
        url = two_factor.totp_url(user=user, key=key)
        # segno writes the SVG from the otpauth address alone: markup of its own.
        svg = segno.make(url, error="m").svg_inline(
            scale=5, dark="#1b2631", light="#ffffff", omitsize=True
        )
        context |= {"qr": mark_safe(svg), "secret": two_factor.totp_secret(key)}
    return render(request, "web/account/two_factor.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_page(request: HttpRequest) -> HttpResponse:
    """Set-up of the app: scan the code, type what the app shows; the recovery codes follow,
    once."""
    user = signed_in(request)
    if request.method == "POST" and not two_factor.has_totp(user):
        setup = CodeForm(request.POST)
        key = request.session.get(_KEY, "")
        if setup.is_valid() and key:
            try:
                codes = two_factor.totp_confirm(user=user, key=key, code=setup.cleaned_data["code"])
            except DomainError as error:
                setup.add_error("code", error.detail)
            else:
                request.session.pop(_KEY, None)
                return _codes(request, codes, _("Two-factor sign-in is on."))
        elif setup.is_valid():
            setup.add_error("code", _("Scan the code again: it was renewed."))
        return _page(request, CodeForm(), status=422, setup=setup)
    return _page(request, CodeForm())


def _codes(request: HttpRequest, codes: list[str], text: str) -> HttpResponse:
    messages.success(request, text)
    return render(
        request,
        "web/account/recovery_codes.html",
        {"codes": codes, "next": safe_next(request, default="profile")},
    )


def _refused(request: HttpRequest) -> HttpResponse | None:
    """Changes past the set-up ask a current code (the app's or a recovery code): the page
    again with the form's error, or None when the code is right."""
    user = signed_in(request)
    if not two_factor.has_second_factor(user):
        return redirect("two-factor")
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            two_factor.second_factor_check(user=user, code=form.cleaned_data["code"])
        except DomainError as error:
            form.add_error("code", error.detail)
        else:
            return None
    return _page(request, form, status=422)


@never_cache
@login_required
@require_POST
def recovery_codes_new(request: HttpRequest) -> HttpResponse:
    if refused := _refused(request):
        return refused
    codes = two_factor.recovery_codes_renew(user=signed_in(request))
    return _codes(request, codes, _("New recovery codes: the old ones no longer work."))


@login_required
@require_POST
def two_factor_off(request: HttpRequest) -> HttpResponse:
    if refused := _refused(request):
        return refused
    user = signed_in(request)
    two_factor.two_factor_disable(user=user, actor=user)
    messages.success(request, _("Two-factor sign-in is off: your password alone signs you in."))
    return redirect("profile")


# --- Passkeys (the browser side is web/static/web/passkeys.js) -------------------------------


@login_required
@require_POST
def passkey_options(request: HttpRequest) -> HttpResponse:
    """The options the browser hands its authenticator to make a passkey."""
    options = passkeys.registration_options(request, user=signed_in(request))
    return HttpResponse(options, content_type="application/json")


@login_required
@require_POST
def passkey_add(request: HttpRequest) -> HttpResponse:
    """What the authenticator made, checked and kept; the first factor brings recovery codes."""
    user = signed_in(request)
    try:
        body = json.loads(request.body[:30_000] or b"{}")
        credential, name = str(body.get("credential", "")), str(body.get("name", ""))
        passkeys.registration_verify(request, user=user, credential=credential, name=name)
    except (ValueError, AttributeError, DomainError) as error:
        detail = error.detail if isinstance(error, DomainError) else _("Malformed request.")
        return JsonResponse({"code": "passkey_invalid", "detail": detail}, status=400)
    codes = passkeys.first_factor_codes(user=user)
    if codes:
        request.session[NEW_CODES] = codes
    messages.success(request, _("Passkey added: it signs you in after your password."))
    return JsonResponse({"redirect": reverse("two-factor")})


@login_required
@require_POST
def passkey_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    passkey = Passkey.objects.filter(user=user, pk=pk).first()
    if passkey is None:
        return redirect("two-factor")
    if refused := _refused(request):
        return refused
    passkeys.passkey_remove(passkey=passkey, actor=user)
    messages.success(request, _("Passkey removed."))
    return redirect("two-factor")
