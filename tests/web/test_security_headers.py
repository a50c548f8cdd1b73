"""Every page answers with the strict Content-Security-Policy (no inline script or style),
refuses to be framed, keeps its referrer and asks for no device."""

from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client

from tests.factories import MachineFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/machines/", "/login/", "/signup/", "/api/docs/"])
def test_pages_forbid_inline_code_framing_and_devices(client: Client, path: str) -> None:
    MachineFactory()
    answer = client.get(path)
    policy = answer["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert answer.status_code == 200
    assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["object-src"] == "'none'"
    assert answer["X-Frame-Options"] == "DENY"
    assert answer["Referrer-Policy"] == "same-origin"
    assert "camera=()" in answer["Permissions-Policy"]


def test_the_api_docs_have_no_inline_script_or_style(client: Client) -> None:
    page = client.get("/api/docs/").content.decode()
    assert "<style" not in page and "<script>" not in page


def test_passwords_are_hashed_with_argon2_and_old_hashes_upgrade_at_sign_in(
    client: Client, settings: Any
) -> None:
    from config import settings as project

    settings.PASSWORD_HASHERS = project.PASSWORD_HASHERS
    fresh = UserFactory(email="nouveau@pme.fr")
    fresh.set_password("un mot de passe solide")
    fresh.save()
    assert fresh.password.startswith("argon2")
    old = UserFactory(email="ancien@pme.fr")
    old.password = make_password("un mot de passe solide", hasher="pbkdf2_sha256")
    old.save()
    assert old.password.startswith("pbkdf2_sha256")
    client.post("/login/", {"username": "ancien@pme.fr", "password": "un mot de passe solide"})
    old.refresh_from_db()
    assert old.password.startswith("argon2")
