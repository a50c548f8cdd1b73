"""Passkeys (WebAuthn) as a second factor, where the browser has them: py_webauthn makes the
options and checks what the authenticator answers (the challenge kept in the session, the
origin and relying party of the request's own host, the signature against the stored public
key, the signature counter). The browser side is ``web/static/web/passkeys.js``."""

import json
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from .audit import audit_record
from .exceptions import PasskeyInvalid
from .models import Passkey
from .two_factor import recovery_codes_left, recovery_codes_renew

_CHALLENGE = "passkey_challenge"
MAX_PASSKEYS = 10


def _relying_party(request: HttpRequest) -> tuple[str, str]:
    """The relying party's id and the expected origin: this request's host (checked against
    ALLOWED_HOSTS by Django), as the browser saw it."""
    host = request.get_host()
    return urlsplit(f"//{host}").hostname or host, f"{request.scheme}://{host}"


def _descriptors(user: Any) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(id=bytes(key.credential_id))
        for key in Passkey.objects.filter(user=user)
    ]


def registration_options(request: HttpRequest, *, user: Any) -> str:
    rp_id, _origin = _relying_party(request)
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=settings.OTP_TOTP_ISSUER,
        user_id=str(user.pk).encode(),
        user_name=user.email,
        user_display_name=user.get_full_name(),
        exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    request.session[_CHALLENGE] = bytes_to_base64url(options.challenge)
    return options_to_json(options)


def _challenge(request: HttpRequest) -> bytes:
    challenge = request.session.pop(_CHALLENGE, None)
    if not isinstance(challenge, str):
        raise PasskeyInvalid()
    return base64url_to_bytes(challenge)


def _credential(text: str) -> dict[str, Any]:
    try:
        credential = json.loads(text[:20_000])
    except ValueError as error:
        raise PasskeyInvalid() from error
    if not isinstance(credential, dict):
        raise PasskeyInvalid()
    return credential


def registration_verify(request: HttpRequest, *, user: Any, credential: str, name: str) -> Passkey:
    """The new passkey, once what the authenticator made checks out."""
    rp_id, origin = _relying_party(request)
    expected = _challenge(request)
    try:
        verified = verify_registration_response(
            credential=_credential(credential),
            expected_challenge=expected,
            expected_rp_id=rp_id,
            expected_origin=origin,
        )
    except PasskeyInvalid:
        raise
    except Exception as error:  # the library's refusals: malformed, wrong origin, challenge…
        raise PasskeyInvalid() from error
    with transaction.atomic():
        if Passkey.objects.filter(user=user).count() >= MAX_PASSKEYS:
            raise PasskeyInvalid()
        passkey, created = Passkey.objects.get_or_create(
            credential_id=verified.credential_id,
            defaults={
                "user": user,
                "name": " ".join(name.split())[:100] or "Passkey",
                "public_key": verified.credential_public_key,
                "sign_count": verified.sign_count,
            },
        )
        if not created:
            raise PasskeyInvalid()
        audit_record(actor=user, action="two_factor.passkey_added", obj=user)
    return passkey


def first_factor_codes(*, user: Any) -> list[str] | None:
    """Recovery codes for someone whose first second factor this passkey is (else None)."""
    if recovery_codes_left(user) or TOTPDevice.objects.filter(user=user).exists():
        return None
    return recovery_codes_renew(user=user)


def authentication_options(request: HttpRequest, *, user: Any) -> str:
    rp_id, _origin = _relying_party(request)
    options = generate_authentication_options(
        rp_id=rp_id,
        allow_credentials=_descriptors(user),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    request.session[_CHALLENGE] = bytes_to_base64url(options.challenge)
    return options_to_json(options)


def authentication_verify(request: HttpRequest, *, user: Any, credential: str) -> Passkey:
    """The user's passkey that signed the challenge (its counter moved on), or PasskeyInvalid."""
    rp_id, origin = _relying_party(request)
    expected = _challenge(request)
    answer = _credential(credential)
    try:
        raw_id = base64url_to_bytes(str(answer.get("rawId") or answer.get("id") or ""))
    except Exception as error:
        raise PasskeyInvalid() from error
    with transaction.atomic():
        passkey = (
            Passkey.objects.select_for_update().filter(user=user, credential_id=raw_id).first()
        )
        if passkey is None:
            raise PasskeyInvalid()
        try:
            verified = verify_authentication_response(
                credential=answer,
                expected_challenge=expected,
                expected_rp_id=rp_id,
                expected_origin=origin,
                credential_public_key=bytes(passkey.public_key),
                credential_current_sign_count=passkey.sign_count,
            )
        except Exception as error:  # a wrong signature, origin, challenge or counter
            raise PasskeyInvalid() from error
        passkey.sign_count = verified.new_sign_count
        passkey.last_used_at = timezone.now()
        passkey.save(update_fields=["sign_count", "last_used_at"])
    return passkey


def passkey_remove(*, passkey: Passkey, actor: Any) -> None:
    with transaction.atomic():
        passkey.delete()
        audit_record(actor=actor, action="two_factor.passkey_removed", obj=passkey.user)
