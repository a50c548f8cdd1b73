"""Single sign-on against an OpenID Connect provider the test starts on a local port (issue 30,
3): discovery, an authorization code, a signed ID token. The account with the address the
provider vouches for signs in (after its second factor if it has one); an unknown or unverified
address, a forged state and a provider that is down sign nobody in, and never fail a page."""

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.test import Client
from joserfc import jwt
from joserfc.jwk import RSAKey

from accounts.sso import _clients
from accounts.two_factor import totp_confirm, totp_key_new
from tests.accounts.test_two_factor import code_for
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db]

CLIENT_ID, CLIENT_SECRET = "fablab-booking", "s3cret"


class Provider:
    """A minimal OpenID Connect provider: it signs in whoever ``person`` says, at once."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
        self.person: dict[str, Any] = {"email": "camille@usine-lyon.fr", "email_verified": True}
        self.codes: dict[str, dict[str, Any]] = {}
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def _json(self, body: dict[str, Any], status: int = 200) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path == "/.well-known/openid-configuration":
                    base = provider.issuer
                    self._json(
                        {
                            "issuer": base,
                            "authorization_endpoint": f"{base}/authorize",
                            "token_endpoint": f"{base}/token",
                            "jwks_uri": f"{base}/jwks",
                            "response_types_supported": ["code"],
                            "subject_types_supported": ["public"],
                            "id_token_signing_alg_values_supported": ["RS256"],
                        }
                    )
                elif parts.path == "/jwks":
                    self._json({"keys": [provider.key.as_dict(private=False)]})
                elif parts.path == "/authorize":
                    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = {"nonce": query.get("nonce")}
                    back = (
                        query["redirect_uri"]
                        + "?"
                        + urlencode({"code": code, "state": query["state"]})
                    )
                    self.send_response(302)
                    self.send_header("Location", back)
                    self.end_headers()
                else:
                    self._json({"error": "not_found"}, 404)

            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                grant = provider.codes.pop(form.get("code", ""), None)
                if grant is None:
                    self._json({"error": "invalid_grant"}, 400)
                    return
                now = int(time.time())
                claims = {
                    "iss": provider.issuer,
                    "sub": "user-42",
                    "aud": CLIENT_ID,
                    "iat": now,
                    "exp": now + 300,
                    "nonce": grant["nonce"],
                    **provider.person,
                }
                token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, provider.key)
                self._json(
                    {
                        "access_token": secrets.token_urlsafe(16),
                        "token_type": "Bearer",
                        "expires_in": 300,
                        "id_token": token,
                    }
                )

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def provider(settings: Any) -> Any:
    provider = Provider()
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
    settings.OIDC_NAME = "Usine du Futur (compte Microsoft)"
    settings.SITE_URL = "http://testserver"
    yield provider
    provider.server.shutdown()
    provider.server.server_close()
    _clients.clear()


def through_provider(client: Client, start: str = "/login/sso/?next=/bookings/") -> Any:
    """Our sign-in → the provider (followed for real) → our callback."""
    to_provider = client.get(start)
    assert to_provider.status_code == 302, to_provider.content[:300]
    back = requests.get(to_provider["Location"], allow_redirects=False, timeout=5)
    callback = urlsplit(back.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


def browser() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="fr")


def test_the_account_the_provider_vouches_for_signs_in(provider: Any) -> None:
    UserFactory(email="Camille@usine-lyon.fr")
    client = browser()
    assert "compte Microsoft" in client.get("/login/").content.decode()

    answer = through_provider(client)

    assert answer.status_code == 302 and answer["Location"] == "/bookings/"
    assert client.get("/profile/").status_code == 200


def test_a_second_factor_is_still_asked(provider: Any) -> None:
    user = UserFactory(email="camille@usine-lyon.fr")
    key = totp_key_new()
    totp_confirm(user=user, key=key, code=code_for(key))
    client = browser()

    answer = through_provider(client)

    assert answer["Location"].startswith("/login/code/")
    assert client.get("/profile/").status_code == 302


@pytest.mark.parametrize(
    "person",
    [
        {"email": "inconnu@ailleurs.fr", "email_verified": True},
        {"email": "camille@usine-lyon.fr", "email_verified": False},
        {},
    ],
)
def test_an_address_without_an_account_or_unverified_signs_nobody_in(
    provider: Any, person: dict[str, Any]
) -> None:
    UserFactory(email="camille@usine-lyon.fr")
    provider.person = person
    client = browser()

    answer = through_provider(client)

    assert answer.status_code == 400
    assert "Aucun compte" in answer.content.decode()
    assert client.get("/profile/").status_code == 302


def test_a_domain_outside_the_allowed_ones_is_refused(provider: Any, settings: Any) -> None:
    settings.OIDC_ALLOWED_DOMAINS = ["usine-lyon.fr"]
    UserFactory(email="paul@ailleurs.fr")
    provider.person = {"email": "paul@ailleurs.fr", "email_verified": True}

    assert through_provider(browser()).status_code == 400


def test_a_forged_state_or_a_provider_down_answers_a_page(provider: Any) -> None:
    UserFactory(email="camille@usine-lyon.fr")
    client = browser()
    client.get("/login/sso/")

    forged = client.get("/login/sso/callback/?code=abc&state=forged")
    assert forged.status_code == 400 and "recommencez" in forged.content.decode()
    assert client.get("/profile/").status_code == 302

    provider.server.shutdown()
    provider.server.server_close()
    _clients.clear()
    assert browser().get("/login/sso/").status_code == 400


def test_without_a_provider_there_is_no_button_and_no_route(client: Client) -> None:
    assert "login/sso" not in client.get("/login/").content.decode()
    assert client.get("/login/sso/").status_code == 404
