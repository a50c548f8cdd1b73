"""Sign-in costs are bounded (issue 26, 4): Argon2 with OWASP's parameters, older hashes re-made
at sign-in, and a bound on attempts per client address whatever the names tried."""

from typing import Any

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_hash_with_djangos_parameters_is_remade_with_ours_at_sign_in(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["accounts.hashers.Argon2Hasher"]
    user = UserFactory()
    user.password = Argon2PasswordHasher().encode(
        "une-phrase-secrete", Argon2PasswordHasher().salt()
    )
    user.save(update_fields=["password"])
    assert "m=102400,t=2,p=8" in user.password
    assert user.check_password("une-phrase-secrete")
    user.refresh_from_db()
    assert "m=19456,t=2,p=1" in user.password


def test_a_flood_of_random_names_from_one_address_stops_before_any_hash(
    client: Any, settings: Any
) -> None:
    settings.SIGN_INS_PER_CLIENT_PER_MINUTE = 5
    user = UserFactory(email="alice@pme.fr")
    url = reverse("login")
    for n in range(5):
        client.post(url, {"username": f"random{n}@x.fr", "password": "nope"})
    # the sixth attempt, even the right password, is refused from that address this minute
    refused = client.post(url, {"username": user.email, "password": "secret-pass-123"})
    assert refused.status_code in (200, 403, 429)
    assert "_auth_user_id" not in client.session
    # from another address the person signs in
    other = client.__class__(REMOTE_ADDR="10.0.0.7")
    signed = other.post(url, {"username": user.email, "password": "secret-pass-123"})
    assert signed.status_code == 302
