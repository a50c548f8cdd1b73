"""State changes of accounts: API tokens. (Failed sign-ins: django-axes, see ``throttle``.)"""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import ApiToken

TOKEN_BYTES = 32


def token_digest(raw: str) -> str:
    # Tokens are 256-bit random secrets: a plain SHA-256 is enough (no password stretching).
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, user: Any, name: str) -> tuple[ApiToken, str]:
    """A new named token for ``user``; returns it with the raw token, shown only this once."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken.objects.create(
        user=user, name=name[:100] or "API", prefix=raw[:8], digest=token_digest(raw)
    )
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token: requests carrying it are refused from now on."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_touch(*, token: ApiToken) -> None:
    """Record use, at most once a minute (a write per request would cost more than it tells)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
