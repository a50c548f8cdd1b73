"""Optional single sign-on with the OpenID Connect provider a platform's staff already use
(``OIDC_ISSUER``, ``OIDC_CLIENT_ID``, ``OIDC_CLIENT_SECRET``; off when no issuer is set).

Authlib does the protocol: the provider's metadata and keys, ``state``, ``nonce`` and PKCE, the
ID token's signature and claims. The provider vouches for an address only: it signs in the
active account that has it (verified by the provider, within ``OIDC_ALLOWED_DOMAINS`` when set),
it never makes one — people join by invitation as before — and a second factor set up here is
still asked."""

from typing import Any

from authlib.integrations.django_client import OAuth
from django.conf import settings

from .models import User

_clients: dict[tuple[str, str, str], Any] = {}


def sso_enabled() -> bool:
    return bool(settings.OIDC_ISSUER)


def sso_client() -> Any:
    """The provider's client, made once per configuration (its metadata fetched once)."""
    key = (settings.OIDC_ISSUER, settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET)
    if key not in _clients:
        oauth = OAuth()
        oauth.register(
            "oidc",
            client_id=settings.OIDC_CLIENT_ID,
            client_secret=settings.OIDC_CLIENT_SECRET,
            server_metadata_url=settings.OIDC_ISSUER.rstrip("/")
            + "/.well-known/openid-configuration",
            client_kwargs={
                "scope": "openid email profile",
                "code_challenge_method": "S256",
                "timeout": 10,
            },
        )
        _clients[key] = oauth.create_client("oidc")
    return _clients[key]


def sso_account(claims: dict[str, Any]) -> User | None:
    """The active account the provider's claims name, or None: an address the provider has
    verified, in an allowed domain."""
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email or claims.get("email_verified") is False:
        return None
    domains = [d.lower() for d in settings.OIDC_ALLOWED_DOMAINS]
    if domains and email.rsplit("@", 1)[1].lower() not in domains:
        return None
    return User.objects.filter(email__iexact=email.strip(), is_active=True).first()
