"""How a person identifies at a platform's kiosk: a personal 6-digit code (shown once, kept as a
keyed digest, unique) or a badge — a QR code holding a signed token, read by the tablet's
scanner as typed text. Neither signs anyone in: each tap at the kiosk names who does it."""

import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction

from .audit import audit_record
from .models import User

SALT = "accounts.kiosk-badge"
CODE_DIGITS = 6


def _digest(code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"kiosk:{code}".encode(), hashlib.sha256).hexdigest()


def kiosk_code_new(*, user: Any) -> str:
    """A new personal code for ``user`` (the previous one stops working); shown once."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        while True:
            code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
            digest = _digest(code)
            if not User.objects.filter(kiosk_code=digest).exists():
                break
        locked.kiosk_code = digest
        locked.save(update_fields=["kiosk_code"])
        audit_record(actor=user, action="kiosk.code_made", obj=locked)
    return code


def kiosk_badge(*, user: Any) -> str:
    """The text of the person's badge (its QR code): signed, of the badge's current version."""
    return "FLB1:" + signing.dumps([user.pk, user.kiosk_badge_version], salt=SALT)


def kiosk_badge_renew(*, user: Any) -> None:
    """A new badge: the printed one stops working (lost, or seen by someone)."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(kiosk_badge_version=user.kiosk_badge_version + 1)
        audit_record(actor=user, action="kiosk.badge_renewed", obj=user)
    user.kiosk_badge_version += 1


def person_at_kiosk(text: str) -> User | None:
    """Who a typed code or a scanned badge names (active accounts only), or None."""
    text = text.strip()[:300]
    if text.startswith("FLB1:"):
        try:
            pk, version = signing.loads(text[5:], salt=SALT)
        except (signing.BadSignature, ValueError, TypeError):
            return None
        if not isinstance(pk, int) or not isinstance(version, int):
            return None
        return User.objects.filter(pk=pk, kiosk_badge_version=version, is_active=True).first()
    digits = "".join(c for c in text if c.isascii() and c.isdigit())
    if len(digits) != CODE_DIGITS or digits != text.replace(" ", ""):
        return None
    return User.objects.filter(kiosk_code=_digest(digits), is_active=True).first()
