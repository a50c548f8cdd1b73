"""State changes of accounts: API tokens and the answers kept for idempotent retries.
(Failed sign-ins: django-axes, see ``throttle``.)"""

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.events import announce

from .audit import audit_record
from .models import ApiToken, IdempotencyKey
from .signals import account_erased

TOKEN_BYTES = 32


def token_digest(raw: str) -> str:
    # Tokens are 256-bit random secrets: a plain SHA-256 is enough (no password stretching).
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, user: Any, name: str, read_only: bool = False) -> tuple[ApiToken, str]:
    """A new named token for ``user`` (``read_only``: for reading only); returns it with the
    raw token, shown only this once."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100] or "API",
        prefix=raw[:8],
        digest=token_digest(raw),
        read_only=read_only,
    )
    audit_record(
        actor=user,
        action="token.created",
        obj=token,
        after={"name": token.name, "prefix": token.prefix, "read_only": read_only},
    )
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token: requests carrying it are refused from now on."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=token.user, action="token.revoked", obj=token, after={"prefix": token.prefix}
        )
    return token


@transaction.atomic
def password_changed(*, user: Any, address_proven: bool = False) -> int:
    """After a password change or reset: every API key of the person stops working (a key
    made by whoever knew the old password must not outlive it); Django's sessions signed with
    the old password already end. A reset's link came to the address (``address_proven``),
    which confirms it. Returns how many keys were revoked."""
    if address_proven and user.email_confirmed_at is None:
        user.email_confirmed_at = timezone.now()
        user.save(update_fields=["email_confirmed_at"])
    tokens = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at=None))
    for token in tokens:
        token_revoke(token=token)
    audit_record(actor=user, action="account.password_changed", obj=user)
    return len(tokens)


def token_touch(*, token: ApiToken) -> None:
    """Record use, at most once a minute (a write per request would cost more than it tells)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


IDEMPOTENCY_LIFETIME = timedelta(hours=24)


def idempotency_answer_record(
    *, user: Any, key: str, fingerprint: str, status_code: int, body: str, now: datetime
) -> bool:
    """Keep the answer to a keyed request for 24 h, unless a live answer under the same key
    is already there. True when kept. Runs in the request's transaction, last: if another
    request with the key is in flight, PostgreSQL makes the insert wait for its outcome."""
    answer = {
        "fingerprint": fingerprint,
        "status_code": status_code,
        "response_body": body,
        "created_at": now,
        "expires_at": now + IDEMPOTENCY_LIFETIME,
    }
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(user=user, key=key, **answer)
        return True
    except IntegrityError:
        # Answered already: replaced only if that answer has expired.
        expired = IdempotencyKey.objects.filter(user=user, key=key, expires_at__lte=now)
        return expired.update(**answer) == 1


def idempotency_keys_purge(*, now: datetime | None = None) -> int:
    """Forget the answers older than 24 h (periodic). Returns how many."""
    deleted, _ = IdempotencyKey.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


PREFERENCES = ("wants_reminders", "wants_digests", "wants_copies")


@transaction.atomic
def message_preferences_update(*, user: Any, **choices: bool) -> Any:
    """Which optional e-mails ``user`` receives: reminders (``wants_reminders``), operators'
    digests (``wants_digests``), copies of their members' confirmations (``wants_copies``).
    Preferences not given are left as they are."""
    changed = [name for name in PREFERENCES if name in choices]
    for name in changed:
        setattr(user, name, bool(choices[name]))
    if changed:
        user.save(update_fields=changed)
    return user


def display_name_set(*, user: Any, name: str) -> Any:
    """The name a person goes by on the pages and in the e-mails."""
    name = " ".join(name.split())
    if name and user.display_name != name:
        user.display_name = name
        user.save(update_fields=["display_name"])
    return user


def preferred_language_set(*, user: Any, language: str) -> Any:
    """The language of a person's pages and e-mails, chosen with the language switch."""
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return user


@transaction.atomic
def account_erase(*, user: Any) -> None:
    """Delete a person's account as the GDPR's right to erasure asks: the row stays, without
    anything that names them (so the bookings their companies made keep counting in the usage
    figures, with no person attached), unable to sign in; their API tokens and remembered API
    answers go, and so do their failed sign-ins. Every app above removes or detaches the rest
    (``account_erased``)."""
    from axes.models import AccessAttempt, AccessLog
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    email = user.email
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    ApiToken.objects.filter(user=user).delete()
    IdempotencyKey.objects.filter(user=user).delete()
    AccessAttempt.objects.filter(username__iexact=email).delete()
    AccessLog.objects.filter(username__iexact=email).delete()
    user.email = f"erased-{user.pk}@invalid.example"
    user.display_name = ""
    user.kiosk_code = ""
    user.kiosk_badge_version += 1

    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()
    announce(account_erased, sender=type(user), user=user, actor=user)
