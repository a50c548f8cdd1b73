"""Domain errors of accounts."""

from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError


class LoginBlocked(DomainError):
    """Too many failed sign-ins for this account from this address: a cool-off."""

    code = "login_blocked"
    status = 429
    message = _(
        "Too many failed sign-in attempts for this account from your address. "
        "Try again in %(minutes)d minutes."
    )

    def __init__(self, *, retry_after: int) -> None:
        super().__init__(minutes=max((retry_after + 59) // 60, 1))
        self.retry_after = retry_after


class ReadOnlyToken(DomainError):
    code = "read_only_token"
    status = 403
    message = _("This API key is for reading only: use another key to make changes.")


class InvalidIdempotencyKey(DomainError):
    code = "invalid_idempotency_key"
    message = _("The Idempotency-Key header must be 1 to 255 visible ASCII characters.")


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    status = 422
    message = _(
        "This Idempotency-Key was already used, within the last 24 hours, for another request: "
        "use a new key for a new request."
    )


class AddressLinkInvalid(DomainError):
    code = "address_link_invalid"
    status = 400
    message = _(
        "This confirmation link is not valid any more (used, replaced by a newer one or over "
        "three days old). Ask for a new one on your profile."
    )


class AddressTaken(DomainError):
    code = "address_taken"
    status = 409
    message = _("Another account already uses this e-mail address.")


class SecondFactorRequired(DomainError):
    code = "second_factor_required"
    status = 401
    message = _("This account signs in with two factors: send the authenticator's code too.")


class SecondFactorInvalid(DomainError):
    code = "second_factor_invalid"
    status = 401
    message = _("This code is not right. Type the 6 digits your app shows now, or a recovery code.")


class SecondFactorThrottled(DomainError):
    code = "second_factor_throttled"
    status = 429
    message = _("Too many wrong codes: wait a few seconds before typing the next one.")


class PasskeyInvalid(DomainError):
    code = "passkey_invalid"
    message = _("The passkey could not be checked: try again, or use a code.")
