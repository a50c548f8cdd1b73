"""Two-factor sign-in in a browser (issue 30, 3): an operator, made to set up a second factor
before their pages, scans nothing (types the key's code as an app would), keeps the recovery
codes, reaches their day; signing in again asks the code after the password. 1,280 and 390 px."""

import re
import time
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.factories import MachineFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def code_for(secret: str) -> str:
    from base64 import b32decode

    totp = TOTP(b32decode(secret.replace(" ", "")), 30, 0, 6, 0)
    totp.time = time.time()
    return f"{totp.token():06d}"


@pytest.mark.parametrize("width", [1280, 390])
def test_an_operator_sets_up_a_second_factor_then_signs_in_with_it(
    open_page: Any, live_server: Any, settings: Any, width: int
) -> None:
    settings.SECOND_FACTOR_REQUIRED = True
    machine = MachineFactory(name="Robot Fanuc")
    machine.platform.operators.add(UserFactory(email="camille@usine-lyon.fr"))

    page, shot = open_page(width, "two-factor")
    sign_in(page, live_server, "camille@usine-lyon.fr")
    page.goto(f"{live_server.url}/operator/")
    expect(page.get_by_role("heading", name="Connexion à deux facteurs")).to_be_visible()
    expect(page.locator(".qr svg")).to_be_visible()
    shot("setup")
    secret = page.locator("code.secret").inner_text()
    page.get_by_label("Code").fill(code_for(secret))
    page.get_by_role("button", name="Activer la connexion à deux facteurs").click()
    expect(page.get_by_role("heading", name="Codes de secours")).to_be_visible()
    assert page.locator("ol.codes li").count() == 10
    shot("recovery-codes")
    page.get_by_role("link", name="Je les ai conservés").click()
    expect(page).to_have_url(re.compile(r"/operator/$"))

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/?next=/operator/")
    page.get_by_label("Adresse e-mail").fill("camille@usine-lyon.fr")
    page.get_by_label("Mot de passe").fill("secret-pass-123")
    page.locator("main").get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Code de connexion")).to_be_visible()
    page.get_by_label("Code").fill("000000")
    page.locator("main").get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("Ce code n’est pas le bon")
    shot("wrong-code")
    # The code that set the app up is spent: the next one, 30 s later.
    with time_machine.travel(timedelta(seconds=31), tick=True):
        page.get_by_label("Code").fill(code_for(secret))
        page.locator("main").get_by_role("button", name="Se connecter").click()
        expect(page).to_have_url(re.compile(r"/operator/$"))


@pytest.mark.parametrize("width", [1280, 390])
def test_a_member_adds_a_passkey_then_signs_in_with_it(
    open_page: Any, live_server: Any, width: int
) -> None:
    from accounts.models import Passkey

    UserFactory(email="alice@pme-dupont.fr")
    page, shot = open_page(width, "passkey")
    # The browser's own authenticator, as a phone's fingerprint would answer.
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    sign_in(page, live_server, "alice@pme-dupont.fr")
    page.goto(f"{live_server.url}/profile/two-factor/")
    page.get_by_label("Nom de cette clé d’accès").fill("Mon téléphone")
    page.get_by_role("button", name="Ajouter une clé d’accès").click()
    expect(page.get_by_role("status").filter(has_text="Clé d’accès ajoutée")).to_be_visible()
    # the first factor brings the recovery codes, shown once
    assert page.locator("ol.codes li").count() == 10
    shot("added")
    assert Passkey.objects.get().name == "Mon téléphone"

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/?next=/bookings/")
    page.get_by_label("Adresse e-mail").fill("alice@pme-dupont.fr")
    page.get_by_label("Mot de passe").fill("secret-pass-123")
    page.locator("main").get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Code de connexion")).to_be_visible()
    shot("code-page")
    page.get_by_role("button", name="Utiliser ma clé d’accès").click()
    expect(page).to_have_url(f"{live_server.url}/bookings/")
    assert Passkey.objects.get().last_used_at is not None
    assert page.js_errors == []
