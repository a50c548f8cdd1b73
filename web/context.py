"""Template context every page needs."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    # Addresses given out (calendar feeds) use the configured site, never the request's Host.
    return {"site_url": settings.SITE_URL}
