"""A platform's kiosks: made by an operator (the key shown once, as the address to open on the
tablet), revoked by one, recognised by their key."""

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record

from ..exceptions import OperatorOnly
from ..kiosk_models import Kiosk
from ..models import Platform
from ..selectors import user_operates


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def kiosk_create(*, platform: Platform, user: Any, name: str) -> tuple[Kiosk, str]:
    if not user_operates(user=user, platform=platform):
        raise OperatorOnly()
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        kiosk = Kiosk.objects.create(
            platform=platform, name=name, digest=_digest(key), created_by=user
        )
        audit_record(actor=user, action="kiosk.created", obj=platform, after={"kiosk": name})
    return kiosk, key


def kiosk_revoke(*, kiosk: Kiosk, user: Any) -> None:
    if not user_operates(user=user, platform=kiosk.platform):
        raise OperatorOnly()
    with transaction.atomic():
        Kiosk.objects.filter(pk=kiosk.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit_record(
            actor=user, action="kiosk.revoked", obj=kiosk.platform, after={"kiosk": kiosk.name}
        )


def kiosk_from_key(key: str) -> Kiosk | None:
    """The kiosk a key opens (not revoked, its platform active); its last sight noted."""
    if not key or len(key) > 100:
        return None
    kiosk = (
        Kiosk.objects.select_related("platform")
        .filter(digest=_digest(key), revoked_at__isnull=True, platform__active=True)
        .first()
    )
    if kiosk is not None:
        now = timezone.now()
        if kiosk.last_seen_at is None or (now - kiosk.last_seen_at).total_seconds() > 300:
            Kiosk.objects.filter(pk=kiosk.pk).update(last_seen_at=now)
    return kiosk
