"""Two-factor sign-in: a TOTP authenticator app, and recovery codes for the day the phone is
lost. Built on django-otp's devices (``TOTPDevice``: RFC 6238, a code used once, a growing delay
after each wrong code; ``StaticDevice``: codes that are deleted when used).

The password alone never opens a session for a person who has a second factor: the sign-in
keeps them pending (``pending_start``) until their code is right (``pending_finish``), so no
page and no API call sees a half-signed-in person. Every path that signs someone in goes
through ``sign_in``."""

import binascii
from base64 import b32encode
from binascii import unhexlify
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth import login
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from .audit import audit_record
from .exceptions import SecondFactorInvalid, SecondFactorThrottled
from .models import Passkey

RECOVERY_CODES = 10
# How long a sign-in waits for its code after the password, and how many wrong codes it takes
# before the password must be typed again (each wrong code also doubles the device's delay).
PENDING_SECONDS = 5 * 60
PENDING_ATTEMPTS = 5
BACKEND = "django.contrib.auth.backends.ModelBackend"
_PENDING = "second_factor_pending"


def has_second_factor(user: Any) -> bool:
    """An authenticator app or a passkey."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or Passkey.objects.filter(user=user).exists()
    )


def has_totp(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def totp_key_new() -> str:
    """A new authenticator's secret (hex, 20 bytes). Kept by the page until a code from it is
    given; nothing is stored before."""
    return default_key()


def totp_url(*, user: Any, key: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return TOTPDevice(user=user, key=key).config_url


def totp_secret(key: str) -> str:
    """The secret as people type it into an app without a camera (base32, by fours)."""
    text = b32encode(unhexlify(key)).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def totp_confirm(*, user: Any, key: str, code: str) -> list[str]:
    """Put the authenticator of secret ``key`` in force once it gave a right code; it replaces
    any earlier one, and new recovery codes replace the old. Returns the recovery codes (shown
    once)."""
    try:
        secret = unhexlify(key.encode())
    except (ValueError, binascii.Error) as error:
        raise SecondFactorInvalid() from error
    device = TOTPDevice(user=user, key=key, confirmed=True)
    totp = TOTP(secret, device.step, device.t0, device.digits, device.drift)
    digits = _digits(code)
    if len(secret) != 20 or not digits or not totp.verify(int(digits), device.tolerance):
        raise SecondFactorInvalid()
    device.last_t = totp.t()
    device.name = "authenticator"
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device.save()
        codes = _recovery_codes_new(user)
        audit_record(actor=user, action="two_factor.enabled", obj=user)
    return codes


def recovery_codes_renew(*, user: Any) -> list[str]:
    with transaction.atomic():
        codes = _recovery_codes_new(user)
        audit_record(actor=user, action="two_factor.recovery_codes_renewed", obj=user)
    return codes


def two_factor_disable(*, user: Any, actor: Any) -> None:
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        Passkey.objects.filter(user=user).delete()
        audit_record(actor=actor, action="two_factor.disabled", obj=user)


def second_factor_check(*, user: Any, code: str) -> None:
    """A code from the authenticator, or a recovery code (then gone). Under a lock of the
    person's devices: the same code given twice at once counts once. Raises
    ``SecondFactorThrottled`` while a device waits out its delay, ``SecondFactorInvalid`` for a
    wrong code (and when the person has no code to give)."""
    with transaction.atomic():
        totp = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        static = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        for device in (totp, static):
            if device is not None and not device.verify_is_allowed()[0]:
                raise SecondFactorThrottled()
        cleaned = code.strip().replace(" ", "").lower()[:16]
        if totp is not None and cleaned.isdigit() and len(cleaned) == totp.digits:
            ok = totp.verify_token(cleaned)
        else:
            # StaticDevice counts its own wrong codes (and slows down after them).
            ok = static is not None and static.verify_token(cleaned)
            if ok:
                audit_record(actor=user, action="two_factor.recovery_code_used", obj=user)
            elif totp is not None:
                # A wrong recovery code slows the authenticator down too: one delay per person.
                totp.throttle_increment()
    if not ok:
        raise SecondFactorInvalid()


def _recovery_codes_new(user: Any) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _digits(code: str) -> str:
    return "".join(c for c in code[:20] if c.isdigit())


# --- Signing in -----------------------------------------------------------------------------


@dataclass
class Pending:
    user_id: int
    attempts: int


def sign_in(request: HttpRequest, user: Any) -> bool:
    """Sign ``user`` in after they proved who they are (a password, a link sent to their
    address): at once if they have no second factor (True), else pending its code (False)."""
    if has_second_factor(user):
        pending_start(request, user)
        return False
    login(request, user, backend=BACKEND)
    return True


def pending_start(request: HttpRequest, user: Any) -> None:
    request.session.cycle_key()
    request.session[_PENDING] = {
        "user": user.pk,
        "until": (timezone.now() + timedelta(seconds=PENDING_SECONDS)).timestamp(),
        "attempts": 0,
    }


def pending(request: HttpRequest) -> Pending | None:
    """The sign-in waiting for its code in this session, if it has not expired."""
    state = request.session.get(_PENDING)
    if not isinstance(state, dict):
        return None
    if float(state.get("until", 0)) < timezone.now().timestamp():
        request.session.pop(_PENDING, None)
        return None
    return Pending(user_id=int(state["user"]), attempts=int(state.get("attempts", 0)))


def pending_failed(request: HttpRequest) -> bool:
    """Count a wrong code; True when the sign-in must start again from the password."""
    state = request.session[_PENDING]
    state["attempts"] = int(state.get("attempts", 0)) + 1
    if state["attempts"] >= PENDING_ATTEMPTS:
        request.session.pop(_PENDING, None)
        return True
    request.session[_PENDING] = state
    return False


def pending_finish(request: HttpRequest, user: Any) -> None:
    request.session.pop(_PENDING, None)
    login(request, user, backend=BACKEND)
