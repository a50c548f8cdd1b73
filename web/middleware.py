"""Operators and staff sign in with two factors where ``SECOND_FACTOR_REQUIRED`` is on (the
default in production): without one, any operator or admin page sends them to set it up."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.two_factor import has_second_factor
from platforms.selectors import platforms_operated_by

GUARDED = ("/operator/", "/admin/")


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.SECOND_FACTOR_REQUIRED
            and request.path.startswith(GUARDED)
            and request.user.is_authenticated
            and (request.user.is_staff or platforms_operated_by(user=request.user).exists())
            and not has_second_factor(request.user)
        ):
            messages.warning(
                request,
                _("Operators and staff sign in with two factors: set yours up to go on."),
            )
            target = reverse("two-factor")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
