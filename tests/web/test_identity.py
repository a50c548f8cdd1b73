"""Who the person is (issue 25, 10 and 11): a sign-up confirms its address and tells the
region's operators; the profile sets a name, changes the password, and changes the address only
once the new one is proven."""

import re
from typing import Any
from urllib.parse import quote

import pytest
from django.core import mail
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.addresses import address_token
from accounts.models import User
from tests.factories import PlatformFactory, UserFactory

from .test_pages import SIGN_UP

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s]+/profile/address/[^\s/]+/")


def _link(message: Any) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return "/" + found.group(0).split("/", 3)[3]


@pytest.fixture
def lyon_operator(db: Any) -> Any:
    operator = UserFactory(email="camille@fablab-lyon.fr", preferred_language="fr")
    PlatformFactory(region="84").operators.add(operator)
    PlatformFactory(region="52").operators.add(UserFactory(email="loin@nantes.fr"))
    return operator


def test_a_sign_up_confirms_its_address_and_tells_the_regions_operators(
    client: Any, lyon_operator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # when
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/signup/", SIGN_UP)
    # then: a link to the new administrator, a message to the operator of the region only
    assert answer.status_code == 302
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"claire@dupont.fr", "camille@fablab-lyon.fr"}
    waiting = by_address["camille@fablab-lyon.fr"]
    assert "Mécanique Dupont" in waiting.subject and "/operator/companies/" in waiting.body
    confirmation = by_address["claire@dupont.fr"]
    assert confirmation.subject == "Confirmez votre adresse e-mail"
    user = User.objects.get(email="claire@dupont.fr")
    assert user.email_confirmed_at is None
    # the link opens a page with one button (a mail scanner following it confirms nothing)
    link = _link(confirmation)
    assert client.get(link).status_code == 200
    user.refresh_from_db()
    assert user.email_confirmed_at is None
    # the button confirms the address and signs its owner in
    confirmed = client.post(link)
    assert confirmed.status_code == 302
    user.refresh_from_db()
    assert user.email_confirmed_at is not None
    assert client.get("/").context["user"] == user


def test_asking_again_and_again_sends_one_link_in_ten_minutes(
    signed_in: Any, member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    User.objects.filter(pk=member.pk).update(email_confirmed_at=None)
    assert "Confirmez votre adresse e-mail" in signed_in(member).get("/").content.decode()
    client = signed_in(member)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(20):
            assert client.post(reverse("address-resend")).status_code == 302
    assert len(mail.outbox) == 1


def test_the_name_and_the_password_change_on_the_profile(signed_in: Any, member: Any) -> None:
    client = signed_in(member)
    named = client.post(reverse("name-set"), {"display_name": "  Alice   Dupont "})
    assert named.status_code == 302
    member.refresh_from_db()
    assert member.display_name == "Alice Dupont"
    wrong = client.post(
        reverse("password-change"),
        {"old_password": "pas-le-bon", "new_password1": "x", "new_password2": "x"},
    )
    assert wrong.status_code == 200 and wrong.context["form"].errors
    changed = client.post(
        reverse("password-change"),
        {
            "old_password": "secret-pass-123",
            "new_password1": "une-autre-phrase-longue",
            "new_password2": "une-autre-phrase-longue",
        },
    )
    assert changed.status_code == 302
    member.refresh_from_db()
    assert member.check_password("une-autre-phrase-longue")
    assert client.get(reverse("profile")).status_code == 200  # still signed in


def test_a_new_address_takes_effect_only_through_its_link(
    signed_in: Any, member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(member)
    old = member.email
    taken = UserFactory(email="pris@ailleurs.fr")
    refused = client.post(
        reverse("email-change"), {"email": taken.email, "password": "secret-pass-123"}
    )
    assert refused.status_code == 422 and not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(
            reverse("email-change"), {"email": "alice@nouvelle.fr", "password": "secret-pass-123"}
        )
    assert asked.status_code == 302
    member.refresh_from_db()
    assert member.email == old  # nothing changed yet
    (message,) = mail.outbox
    assert message.to == ["alice@nouvelle.fr"]
    assert client.post(_link(message)).status_code == 302
    member.refresh_from_db()
    assert member.email == "alice@nouvelle.fr" and member.email_confirmed_at is not None
    # the same link, followed again, changes nothing back
    again = client.post(_link(message))
    assert again.status_code == 400 and "plus valable" in again.content.decode()


def test_a_link_for_an_address_taken_meanwhile_is_refused(client: Any, member: Any) -> None:
    token = address_token(user=member, email="convoitee@exemple.fr")
    UserFactory(email="convoitee@exemple.fr")
    answer = client.post(reverse("address-confirm", args=[token]))
    assert answer.status_code == 409
    member.refresh_from_db()
    assert member.email != "convoitee@exemple.fr"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    token=st.one_of(
        st.text(min_size=1, max_size=300).filter(lambda t: "/" not in t and "\x00" not in t),
        st.sampled_from(["a:b:c", "eyJ1IjoxfQ:1abc:def", "x" * 3000]),
    ),
    email=st.text(max_size=80),
    name=st.text(max_size=200),
)
def test_hostile_links_and_identity_forms_never_fail(
    client: Any, member: Any, token: str, email: str, name: str
) -> None:
    address = member.email
    answer = client.post(f"/profile/address/{quote(token, safe='')}/")
    assert answer.status_code in (302, 400, 404, 409)
    client.force_login(member)
    assert client.post(reverse("name-set"), {"display_name": name}).status_code == 302
    changed = client.post(reverse("email-change"), {"email": email, "password": "x"})
    assert changed.status_code == 422
    member.refresh_from_db()
    # a forged link or a wrong password changes no address, and no link went out
    assert member.email == address
    assert not mail.outbox
    client.logout()


def test_a_password_change_or_reset_ends_the_api_keys_and_other_sessions(
    client: Any, member: Any
) -> None:
    from django.test import Client

    from accounts.services import token_create

    _token, raw = token_create(user=member, name="ERP")
    elsewhere = Client()
    elsewhere.force_login(member)
    assert elsewhere.get(reverse("profile")).status_code == 200
    assert Client().get("/api/v1/bookings/", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 200
    client.force_login(member)
    changed = client.post(
        reverse("password-change"),
        {
            "old_password": "secret-pass-123",
            "new_password1": "une-autre-phrase-longue",
            "new_password2": "une-autre-phrase-longue",
        },
        follow=True,
    )
    assert "ne fonctionne plus" in changed.content.decode()
    assert Client().get("/api/v1/bookings/", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 401
    assert elsewhere.get(reverse("profile")).status_code == 302  # signed out there
    assert client.get(reverse("profile")).status_code == 200  # still signed in here
