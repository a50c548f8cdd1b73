"""Signing in: the password, then the code of a second factor for those who have one."""

import json
import logging
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.exceptions import DomainError

from . import passkeys, two_factor
from .models import Passkey
from .sso import sso_account, sso_client, sso_enabled

logger = logging.getLogger(__name__)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if sso_enabled():
            context["sso_name"] = settings.OIDC_NAME or _("your organisation's account")
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        if two_factor.sign_in(self.request, form.get_user()):
            return HttpResponseRedirect(self.get_success_url())
        target = reverse("login-code")
        after = self.get_redirect_url()
        return redirect(f"{target}?{urlencode({'next': after})}" if after else target)


def safe_next(request: HttpRequest, default: str = "home") -> str:
    """The page to go to after a step (``next``), when it is one of this site's."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(default)


def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The second step of a sign-in: the authenticator's code, or a recovery code."""
    state = two_factor.pending(request)
    if state is None:
        return redirect("login")
    user = get_user_model().objects.filter(pk=state.user_id, is_active=True).first()
    if user is None:
        return redirect("login")
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.second_factor_check(user=user, code=form.cleaned_data["code"])
        except DomainError as error:
            status = error.status if error.status == 429 else 422
            if two_factor.pending_failed(request):
                return render(request, "accounts/login_code.html", {"restart": True}, status=status)
            form.add_error("code", error.detail)
        else:
            two_factor.pending_finish(request, user)
            if two_factor.recovery_codes_left(user) <= 2:
                messages.warning(
                    request,
                    _("Few recovery codes are left: make new ones on your profile."),
                )
            return redirect(safe_next(request))
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "accounts/login_code.html",
        {
            "form": form,
            "next": safe_next(request),
            "totp": two_factor.has_totp(user),
            "passkeys": Passkey.objects.filter(user=user).exists(),
        },
        status=status,
    )


# --- Single sign-on -------------------------------------------------------------------------

_SSO_NEXT = "sso_next"


def sso_start(request: HttpRequest) -> HttpResponse:
    """To the provider's sign-in page; back to ``sso_callback``."""
    if not sso_enabled():
        raise Http404
    request.session[_SSO_NEXT] = safe_next(request)
    try:
        return sso_client().authorize_redirect(request, settings.SITE_URL + reverse("sso-callback"))
    except Exception:  # the provider's metadata unreachable or malformed
        logger.warning("Single sign-on: the provider could not be reached", exc_info=True)
        return _sso_failed(request, _("The sign-in service does not answer: try again later."))


def sso_callback(request: HttpRequest) -> HttpResponse:
    """The provider's answer: the account it names is signed in (after its second factor)."""
    if not sso_enabled():
        raise Http404
    try:
        token = sso_client().authorize_access_token(request)
    except Exception:  # refused, tampered with, expired, or the provider unreachable
        logger.warning("Single sign-on refused", exc_info=True)
        return _sso_failed(request, _("The sign-in could not be completed: start again."))
    user = sso_account(token.get("userinfo") or {})
    if user is None:
        return _sso_failed(
            request,
            _(
                "No account here has the address the sign-in service gave. Ask an operator of "
                "your platform to invite you, then sign in again."
            ),
        )
    after = request.session.pop(_SSO_NEXT, None) or reverse("home")
    if two_factor.sign_in(request, user):
        return redirect(after)
    return redirect(f"{reverse('login-code')}?{urlencode({'next': after})}")


def _sso_failed(request: HttpRequest, text: str) -> HttpResponse:
    return render(request, "accounts/login.html", {"form": None, "sso_error": text}, status=400)


# --- Passkeys at sign-in (the browser side is web/static/web/passkeys.js) --------------------


def _pending_user(request: HttpRequest) -> Any:
    state = two_factor.pending(request)
    if state is None:
        return None
    return get_user_model().objects.filter(pk=state.user_id, is_active=True).first()


@require_POST
def passkey_sign_in_options(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        return JsonResponse({"code": "no_sign_in", "detail": _("Sign in again.")}, status=400)
    return HttpResponse(
        passkeys.authentication_options(request, user=user), content_type="application/json"
    )


@require_POST
def passkey_sign_in(request: HttpRequest) -> HttpResponse:
    """The passkey's answer to the pending sign-in: right, the session opens."""
    user = _pending_user(request)
    if user is None:
        return JsonResponse({"code": "no_sign_in", "detail": _("Sign in again.")}, status=400)
    try:
        body = json.loads(request.body[:30_000] or b"{}")
        credential = str(body.get("credential", ""))
        after = str(body.get("next", ""))
        passkeys.authentication_verify(request, user=user, credential=credential)
    except (ValueError, AttributeError, DomainError) as error:
        if two_factor.pending_failed(request):
            return JsonResponse({"redirect": reverse("login")}, status=400)
        detail = error.detail if isinstance(error, DomainError) else _("Malformed request.")
        return JsonResponse({"code": "passkey_invalid", "detail": detail}, status=400)
    two_factor.pending_finish(request, user)
    ok = url_has_allowed_host_and_scheme(
        after, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return JsonResponse({"redirect": after if after and ok else reverse("home")})
