"""A person's e-mail address, proven by a link sent to it: at sign-up, and before a new
address replaces the old one; and the link to choose a new password, sent to it. The address
link is signed (nothing stored), bound to the address the account had when it was asked for,
and valid three days."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.utils import timezone

from core.events import announce

from .audit import audit_record
from .exceptions import AddressLinkInvalid, AddressTaken
from .signals import address_to_confirm, password_reset_requested

SALT = "accounts.address-confirmation"
LINK_VALIDITY = timedelta(days=3)


def address_token(*, user: Any, email: str) -> str:
    """The token of the link that proves ``email`` for ``user`` (their address now, or the
    new one they asked for)."""
    return signing.dumps({"u": user.pk, "e": email, "was": user.email}, salt=SALT, compress=True)


def address_confirmation_request(*, user: Any, email: str | None = None) -> None:
    """Send ``user`` a link proving ``email`` (their own address by default; a new one takes
    effect only once its link is followed)."""
    email = (email or user.email).strip()
    taken = get_user_model().objects.filter(email__iexact=email).exclude(pk=user.pk).exists()
    if taken:
        raise AddressTaken()
    announce(address_to_confirm, sender=type(user), user=user, email=email, actor=user)


@transaction.atomic
def address_confirm(*, token: str) -> Any:
    """Follow a link: the address is confirmed, and becomes the account's if it was a new one.
    A link for an address the account no longer had when it was asked for is refused."""
    try:
        data = signing.loads(token, salt=SALT, max_age=LINK_VALIDITY)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise AddressLinkInvalid() from error
    if not isinstance(data, dict) or not {"u", "e", "was"} <= set(data):
        raise AddressLinkInvalid()
    user = get_user_model().objects.select_for_update().filter(pk=data["u"], is_active=True).first()
    if user is None or user.email != data["was"]:
        raise AddressLinkInvalid()
    email = data["e"]
    if user.email.lower() != email.lower():
        if get_user_model().objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
            raise AddressTaken()
        # The trail says that it changed, not the addresses (they are personal data).
        audit_record(actor=user, action="account.email_changed", obj=user)
        user.email = email
    user.email_confirmed_at = timezone.now()
    user.save(update_fields=["email", "email_confirmed_at"])
    return user


def password_reset_request(*, email: str, reason: str = "asked") -> None:
    """A link to choose a new password goes to ``email`` if an active account has it (also one
    with no usable password yet), at most ``PASSWORD_RESETS_PER_ADDRESS_PER_HOUR`` an hour;
    otherwise nothing, silently: the caller answers the same either way. ``reason``: "asked",
    or "signup" (someone signed a company up with the address; the message says so)."""
    from core.limits import allow

    email = email.strip()
    user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        return
    limit = int(settings.PASSWORD_RESETS_PER_ADDRESS_PER_HOUR)
    if not allow("password-reset-address", user.email, limit=limit, window=3600):
        return
    announce(password_reset_requested, sender=type(user), user=user, reason=reason, actor=None)
