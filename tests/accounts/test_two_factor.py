"""Two-factor sign-in: setting up an authenticator, signing in with its code or a recovery code
(each once), wrong codes slowed down then the sign-in restarted, operators and staff sent to set
one up, the API's password exchange and the password-reset link asking for the code too."""

import json
import re
import time
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from accounts.models import AuditEntry
from accounts.two_factor import (
    PENDING_ATTEMPTS,
    recovery_codes_left,
    totp_confirm,
    totp_key_new,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db]

PASSWORD = "secret-pass-123"


def code_for(key: str, at: float | None = None) -> str:
    totp = TOTP(bytes.fromhex(key), 30, 0, 6, 0)
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


def signed_up(**fields):
    """A person with an authenticator (its secret returned) and their recovery codes."""
    user = UserFactory(**fields)
    key = totp_key_new()
    codes = totp_confirm(user=user, key=key, code=code_for(key))
    return user, key, codes


def password_step(client: Client, user, next_page: str = "") -> object:
    data = {"username": user.email, "password": PASSWORD}
    if next_page:
        data["next"] = next_page
    return client.post("/login/", data)


def browser() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="fr")


def signed_in(client: Client) -> bool:
    return client.get("/profile/").status_code == 200


def test_setting_up_an_authenticator_from_the_profile():
    user = UserFactory()
    client = browser()
    client.force_login(user)

    page = client.get("/profile/two-factor/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', body).group(1)
    key = client.session["two_factor_key"]
    wrong = client.post("/profile/two-factor/", {"code": "000000"})
    assert wrong.status_code == 422
    assert "Ce code n’est pas le bon" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()

    done = client.post("/profile/two-factor/", {"code": code_for(key)})

    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == 10
    assert recovery_codes_left(user) == 10
    assert TOTPDevice.objects.get(user=user).confirmed
    assert secret.replace(" ", "") in TOTPDevice.objects.get(user=user).config_url
    assert AuditEntry.objects.filter(action="two_factor.enabled", object_id=str(user.pk)).exists()
    assert "Activée" in client.get("/profile/").content.decode()


def test_the_password_alone_opens_no_session_then_the_code_does():
    user, key, _ = signed_up()
    client = browser()

    step = password_step(client, user, next_page="/bookings/")

    assert step.status_code == 302
    assert step["Location"] == "/login/code/?next=%2Fbookings%2F"
    assert not signed_in(client)
    assert APIClient().get("/api/v1/bookings/").status_code in (401, 403)
    assert client.get("/api/v1/bookings/").status_code in (401, 403)
    page = client.get("/login/code/?next=/bookings/")
    assert "application d’authentification" in page.content.decode()

    # A code of a minute ago no longer counts; the current one does.
    assert client.post("/login/code/", {"code": code_for(key, time.time() - 120)}).status_code in (
        422,
        429,
    )
    # (The code that set the app up is spent: the next one, 30 s later.)
    with time_machine.travel(timedelta(seconds=31)):
        answer = client.post("/login/code/", {"code": code_for(key), "next": "/bookings/"})

    assert answer.status_code == 302
    assert answer["Location"] == "/bookings/"
    assert signed_in(client)


def test_a_code_serves_once():
    user, key, _ = signed_up()
    used = code_for(key, time.time() + 30)
    with time_machine.travel(timedelta(seconds=30)):
        first, second = browser(), browser()
        password_step(first, user)
        password_step(second, user)
        assert first.post("/login/code/", {"code": used}).status_code == 302
        assert second.post("/login/code/", {"code": used}).status_code == 422

    assert not signed_in(second)


def test_wrong_codes_are_slowed_down_then_the_sign_in_starts_again():
    user, key, _ = signed_up()
    client = browser()
    password_step(client, user)

    assert client.post("/login/code/", {"code": "123456"}).status_code == 422
    # The device waits a second after the first wrong code, two after the second…
    throttled = client.post("/login/code/", {"code": code_for(key)})
    assert throttled.status_code == 429
    assert "Trop de codes faux" in throttled.content.decode()
    for _ in range(PENDING_ATTEMPTS - 2):
        client.post("/login/code/", {"code": "123456"})

    # The fifth wrong code ends this sign-in: the password again, which django-axes counts.
    assert client.get("/login/code/")["Location"] == "/login/"
    assert not signed_in(client)


def test_recovery_codes_sign_in_once_each():
    user, _, codes = signed_up()
    client = browser()
    password_step(client, user)

    assert client.post("/login/code/", {"code": codes[0].upper()}).status_code == 302
    assert signed_in(client)
    assert recovery_codes_left(user) == 9
    assert AuditEntry.objects.filter(action="two_factor.recovery_code_used").count() == 1

    again = browser()
    password_step(again, user)
    assert again.post("/login/code/", {"code": codes[0]}).status_code == 422
    assert not signed_in(again)


def test_new_recovery_codes_and_turning_off_ask_a_current_code():
    user, key, codes = signed_up()
    client = browser()
    client.force_login(user)

    assert client.post("/profile/two-factor/off/", {"code": "000000"}).status_code == 422
    assert TOTPDevice.objects.filter(user=user).exists()
    with time_machine.travel(timedelta(seconds=31)):
        renewed = client.post("/profile/two-factor/codes/", {"code": code_for(key)})
    assert renewed.status_code == 200
    assert codes[1] not in renewed.content.decode()
    assert recovery_codes_left(user) == 10

    with time_machine.travel(timedelta(seconds=62)):
        off = client.post("/profile/two-factor/off/", {"code": code_for(key)})

    assert off.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert recovery_codes_left(user) == 0
    assert signed_in(client)


@pytest.mark.parametrize("who", ["operator", "staff"])
def test_operators_and_staff_set_up_a_second_factor_before_any_of_their_pages(
    settings, operator, who
):
    settings.SECOND_FACTOR_REQUIRED = True
    user = operator if who == "operator" else UserFactory(is_staff=True, is_superuser=True)
    page = "/operator/" if who == "operator" else "/admin/"
    client = browser()
    client.force_login(user)

    sent = client.get(page)

    assert sent.status_code == 302
    assert sent["Location"] == f"/profile/two-factor/?next={page.replace('/', '%2F')}"
    setup = client.get(sent["Location"])
    assert "deux facteurs" in setup.content.decode()
    key = client.session["two_factor_key"]
    done = client.post("/profile/two-factor/", {"code": code_for(key), "next": page})
    assert f'href="{page}"' in done.content.decode()
    assert client.get(page).status_code == 200


def test_a_member_is_offered_a_second_factor_not_made_to(settings, member):
    settings.SECOND_FACTOR_REQUIRED = True
    client = browser()
    client.force_login(member)

    assert client.get("/bookings/").status_code == 200
    assert client.get("/operator/").status_code == 404


def test_without_the_setting_operators_are_not_stopped(operator):
    client = browser()
    client.force_login(operator)

    assert client.get("/operator/").status_code == 200


def test_the_api_password_exchange_asks_the_code_of_such_an_account():
    user, key, _ = signed_up()
    api = APIClient(HTTP_ACCEPT_LANGUAGE="fr")
    url = "/api/v1/auth/token/"

    missing = api.post(url, {"username": user.email, "password": PASSWORD}, format="json")
    wrong = api.post(
        url, {"username": user.email, "password": PASSWORD, "code": "000000"}, format="json"
    )
    with time_machine.travel(timedelta(seconds=31)):
        right = api.post(
            url,
            {"username": user.email, "password": PASSWORD, "code": code_for(key)},
            format="json",
        )

    assert (missing.status_code, missing.json()["code"]) == (401, "second_factor_required")
    assert (wrong.status_code, wrong.json()["code"]) == (401, "second_factor_invalid")
    assert right.status_code == 201
    # The key it gives works as any other: machines use it without a code.
    token = right.json()["token"]
    assert (
        APIClient(HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/bookings/").status_code == 200
    )


def test_a_password_reset_link_still_asks_the_code(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user, key, _ = signed_up()
    client = browser()
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = client.get(f"/password-reset/{uid}/{token}/")
    assert link.status_code == 302
    chosen = client.post(
        link["Location"], {"new_password1": "a-new-pass-456!", "new_password2": "a-new-pass-456!"}
    )

    assert chosen.status_code == 302
    assert chosen["Location"] == "/login/code/"
    assert not signed_in(client)
    with time_machine.travel(timedelta(seconds=31)):
        assert client.post("/login/code/", {"code": code_for(key)}).status_code == 302
    assert signed_in(client)
    assert not mail.outbox or all("code" not in m.subject for m in mail.outbox)


def test_erasing_an_account_removes_its_factors():
    user, _, _ = signed_up()
    client = browser()
    client.force_login(user)
    from accounts.services import account_erase

    account_erase(user=user)

    assert not TOTPDevice.objects.filter(user=user).exists()
    assert recovery_codes_left(user) == 0


@hsettings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(code=st.text(max_size=40))
def test_any_typed_code_is_a_form_answer_never_a_session(code):
    user = UserFactory(email="fuzz@example.fr")
    key = totp_key_new()
    totp_confirm(user=user, key=key, code=code_for(key))
    try:
        client = browser()
        password_step(client, user)

        answer = client.post("/login/code/", {"code": code})

        assert answer.status_code in (302, 422, 429)
        if answer.status_code == 302 and answer["Location"] != "/login/":
            # Only a right code signs in: hypothesis cannot guess one.
            raise AssertionError(f"signed in with {code!r}")
        assert not signed_in(client)
    finally:
        user.delete()


@hsettings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=st.one_of(
        st.binary(max_size=200),
        st.builds(
            lambda c, n: json.dumps({"credential": c, "name": n}).encode(),
            st.one_of(
                st.text(max_size=50),
                st.builds(
                    json.dumps,
                    st.fixed_dictionaries(
                        {},
                        optional={
                            "id": st.text(max_size=20),
                            "rawId": st.text(max_size=20),
                            "type": st.just("public-key"),
                            "response": st.dictionaries(st.text(max_size=10), st.text(max_size=20)),
                        },
                    ),
                ),
            ),
            st.text(max_size=20),
        ),
    )
)
def test_hostile_passkey_answers_get_a_json_refusal_never_a_passkey(body):
    from accounts.models import Passkey

    user, _key, _codes = signed_up(email="passkey-fuzz@example.fr")
    try:
        profile = browser()
        profile.force_login(user)
        profile.post("/profile/two-factor/passkeys/options/")
        added = profile.generic(
            "POST", "/profile/two-factor/passkeys/", body, content_type="application/json"
        )
        signing_in = browser()
        password_step(signing_in, user)
        signing_in.post("/login/passkey/options/")
        used = signing_in.generic("POST", "/login/passkey/", body, content_type="application/json")

        assert added.status_code == 400 and "detail" in added.json()
        assert used.status_code == 400
        assert not Passkey.objects.filter(user=user).exists()
        assert not signed_in(signing_in)
    finally:
        user.delete()


def test_the_personal_data_download_names_the_second_factors():
    from accounts.models import Passkey

    user, _key, _codes = signed_up()
    Passkey.objects.create(user=user, name="Mon téléphone", credential_id=b"id", public_key=b"k")
    client = browser()
    client.force_login(user)

    account = client.get("/profile/my-data.json").json()["account"]

    assert account["two_factor"] is True
    assert [key["name"] for key in account["passkeys"]] == ["Mon téléphone"]
