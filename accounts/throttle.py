"""One login throttle for every way in (API tokens, the sign-in page, the admin, and the
password-reset form when it comes): django-axes, counting failures in the database per account
and client address, with a cool-off.

Why per account *and* address together: by account alone, anyone could lock an SME out of its
own account; by address alone, one company's colleagues behind a single NAT would lock each
other out. The address is the socket's unless the deployment declares its proxies
(``core.network.client_ip``), so a forged X-Forwarded-For changes nothing.
"""

from datetime import timedelta
from typing import Any

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.limits import allow
from core.network import client_ip

from .exceptions import LoginBlocked


def login_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The account a login attempt is for, as the user model reads it: case-insensitively,
    so that "Jean@PME.fr" and "jean@pme.fr" share one failure count."""
    username = (credentials or {}).get("username") or request.POST.get("username")
    return str(username).strip().lower()[:255] if username else None


def login_retry_after(*, request: HttpRequest, username: str | None) -> int:
    """Seconds until this account may be tried again from this address (at least 1)."""
    last = AccessAttempt.objects.filter(
        username=login_username(request, {"username": username}), ip_address=client_ip(request)
    ).aggregate(last=Max("attempt_time"))["last"]
    cool_off = get_cool_off(request) or timedelta(seconds=settings.LOGIN_COOLOFF_SECONDS)
    if last is None:
        return int(cool_off.total_seconds())
    return max(int((last + cool_off - timezone.now()).total_seconds()), 1)


def locked_out(
    request: HttpRequest, original_response: HttpResponse, credentials: Any = None
) -> HttpResponse:
    """What a locked-out sign-in gets. The API has already answered for itself (429
    ``login_blocked`` through the exception handler); a page gets a 429 page in the visitor's
    language saying when to come back."""
    if request.path.startswith("/api/"):
        return original_response
    username = login_username(request, credentials if isinstance(credentials, dict) else None)
    seconds = login_retry_after(request=request, username=username)
    response = render(
        request,
        "accounts/locked_out.html",
        {"message": LoginBlocked(retry_after=seconds).detail},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


class ClientSignInLimit:
    """An authentication backend placed before Django's: past
    ``SIGN_INS_PER_CLIENT_PER_MINUTE`` attempts from one client address in a minute, it refuses
    before any password is hashed (random names never lock an account, so django-axes alone
    let a flood of them pin the CPUs). The refusal counts as a failure for django-axes. It has
    no ``get_user``: sessions never name it as their backend."""

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        if request is None:
            return None
        limit = int(settings.SIGN_INS_PER_CLIENT_PER_MINUTE)
        if not allow("sign-in-client", client_ip(request), limit=limit, window=60):
            raise PermissionDenied
        return None
