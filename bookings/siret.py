"""SIRET numbers: 14 digits (SIREN + establishment number), checked with the Luhn key."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# La Poste's establishments share one SIREN and do not follow Luhn: INSEE's rule for them is
# that the digits add up to a multiple of 5.
LA_POSTE_SIREN = "356000000"


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def validate_siret(value: str) -> None:
    # ASCII digits only: str.isdigit() also accepts "¹" (which int() refuses) and "١".
    if len(value) != 14 or not (value.isascii() and value.isdigit()):
        raise ValidationError(_("A SIRET number has exactly 14 digits."), code="siret_format")
    valid = luhn_valid(value)
    if not valid and value.startswith(LA_POSTE_SIREN):
        valid = sum(int(char) for char in value) % 5 == 0
    if not valid:
        raise ValidationError(
            _("This SIRET number is not valid (check digit mismatch)."), code="siret_checksum"
        )


def normalize_siret(value: str) -> str:
    """Accept the common written forms ("123 456 789 00012") and keep the digits."""
    return "".join(char for char in value if not char.isspace())


def siret_complete(first13: str) -> str:
    """Complete 13 digits with the Luhn check digit (demo and benchmark data)."""
    for key in "0123456789":
        if luhn_valid(first13 + key):
            return first13 + key
    raise AssertionError("unreachable: one key digit always fits")
