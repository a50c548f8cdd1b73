"""Template context every page needs."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from platforms.selectors import platforms_operated_by


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)

    def operates() -> bool:
        # Called only by a template that asks (the header, for a signed-in person): one
        # EXISTS query then, none for a visitor.
        if user is None or not user.is_authenticated:
            return False
        return platforms_operated_by(user=user).exists()

    # Addresses given out (calendar feeds) use the configured site, never the request's Host.
    return {"site_url": settings.SITE_URL, "operates": operates}
