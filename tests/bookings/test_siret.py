import pytest
from django.core.exceptions import ValidationError

from bookings.siret import normalize_siret, validate_siret
from tests.factories import CompanyFactory


@pytest.mark.parametrize("siret", ["73282932000074", "35600000000048", "35600000049837"])
def test_valid_siret_numbers_pass(siret):
    validate_siret(siret)


@pytest.mark.parametrize(
    ("siret", "code"),
    [
        ("73282932000075", "siret_checksum"),
        ("7328293200007", "siret_format"),
        ("7328293200007A", "siret_format"),
        ("732 829 320 00074", "siret_format"),
        # Digits to str.isdigit(), not to int() or to INSEE.
        ("7328293200007¹", "siret_format"),
        ("٧٣٢٨٢٩٣٢٠٠٠٠٧٤", "siret_format"),
    ],
)
def test_invalid_siret_numbers_are_refused_with_a_reason(siret, code):
    with pytest.raises(ValidationError) as raised:
        validate_siret(siret)

    assert raised.value.code == code


def test_written_forms_are_normalised():
    assert normalize_siret("732 829 320 00074") == "73282932000074"


@pytest.mark.django_db
def test_the_siren_is_the_first_nine_digits():
    company = CompanyFactory(siret="73282932000074")

    assert company.siren == "732829320"
