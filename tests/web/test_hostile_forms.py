"""Hostile input on the account pages: sign-up, invitations, API keys, the language switch.
Only a page or a redirect, never a 500, never half a company."""

from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import ApiToken, User
from bookings.models import Company, Membership

pytestmark = pytest.mark.django_db

hostile = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "732 829 320 00074",
            "73282932000074",
            "a@b.fr",
            "x" * 5000,
            "' OR 1=1 --",
            "\x00",
            "２５６２Ｂ",
        ]
    ),
)
FIELDS = [
    "company_name",
    "siret",
    "size_class",
    "region",
    "naf_code",
    "name",
    "email",
    "password1",
    "password2",
    "language",
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.fixed_dictionaries({}, optional={field: hostile for field in FIELDS}))
def test_hostile_sign_ups_answer_a_form_and_leave_no_half_company(
    client: Any, data: dict[str, str]
) -> None:
    client.logout()
    answer = client.post("/signup/", data)
    assert answer.status_code in (302, 422)
    # A company exists only with its administrator, and vice versa.
    for company in Company.objects.all():
        assert Membership.objects.filter(company=company, role="admin").exists()
    assert b"<script>alert(1)</script>" not in answer.content


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(email=hostile, role=hostile, name=hostile, language=hostile)
def test_hostile_invitations_keys_and_languages(
    client: Any, company_admin: Any, email: str, role: str, name: str, language: str
) -> None:
    client.force_login(company_admin)
    users_before = User.objects.count()
    invited = client.post(
        reverse("web:members", args=[company_admin.company.pk]), {"email": email, "role": role}
    )
    assert invited.status_code in (302, 422)
    if invited.status_code == 422:
        assert User.objects.count() == users_before
    keys_before = ApiToken.objects.count()
    key = client.post("/profile/tokens/", {"name": name})
    assert key.status_code == 302
    # A key is made only when its name was accepted, and then shown once.
    made = ApiToken.objects.count() - keys_before
    shown = client.get(key["Location"])
    assert made == (1 if shown.context["new_token"] else 0)
    switched = client.post("/language/", {"language": language, "next": name})
    assert switched.status_code in (302, 400)
    company_admin.refresh_from_db()
    assert company_admin.preferred_language in ("fr", "en")
    mail.outbox.clear()


def test_operator_sees_no_company_booking_on_the_sme_pages(
    client: Any, operator: Any, machine: Any, member: Any, frozen_now: Any
) -> None:
    from bookings.services import booking_create
    from tests.conftest import paris

    booking = booking_create(
        machine=machine,
        company=member.company,
        user=member,
        start=paris(2027, 1, 6, 10),
        end=paris(2027, 1, 6, 11),
    )
    client.force_login(operator)
    assert client.get("/bookings/").context["rows"] == []
    assert client.get(reverse("web:booking", args=[booking.pk])).status_code == 404


VALID_SIGN_UP = {
    "company_name": "Mécanique Martin",
    "siret": "73282932000074",
    "size_class": "small",
    "region": "84",
    "naf_code": "2562B",
    "name": "Claire Martin",
    "email": "claire@mecanique-martin.fr",
    "password1": "Usinage-du-futur-2027",
    "password2": "Usinage-du-futur-2027",
    "language": "fr",
}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("company_name", "Mécanique\x1b[31m Martin"),
        ("company_name", "Mécanique\nMartin"),
        ("name", "Claire\u2028Martin"),
        ("name", "Claire\x7fMartin"),
    ],
)
def test_a_control_character_in_a_name_is_a_clear_form_error(
    client: Any, field: str, value: str
) -> None:
    # given a sign-up that is right but for one name
    data = {**VALID_SIGN_UP, field: value}

    # when
    answer = client.post("/signup/", data, HTTP_ACCEPT_LANGUAGE="fr")

    # then
    assert answer.status_code == 422
    assert "Écrivez-le sur une ligne, sans caractère de contrôle." in answer.content.decode()
    assert not Company.objects.exists() and not User.objects.exists()


def test_the_same_sign_up_without_the_control_character_goes_through(client: Any) -> None:
    answer = client.post("/signup/", VALID_SIGN_UP)

    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert Company.objects.get().name == "Mécanique Martin"
