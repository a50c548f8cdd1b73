"""Log lines carry no personal data and no secret (issue 13): what the project's handler writes
after a failed sign-in, a calendar address that no longer works, a password-reset link, an API
call with a wrong key and an e-mail refused by the recipient's server."""

import logging
import logging.config
import runpy
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from gunicorn.config import Config
from gunicorn.glogging import Logger
from hypothesis import given
from hypothesis import strategies as st

from core.log_redaction import redact
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_failed_sign_in_logs_no_address_or_password(client: Any, log_output: Any) -> None:
    UserFactory(email="claire.martin@pme.example.fr")

    for _ in range(4):
        client.post(
            "/login/", {"username": "claire.martin@pme.example.fr", "password": "Secret-123"}
        )
    client.post(
        "/api/v1/auth/token/",
        {"username": "claire.martin@pme.example.fr", "password": "Secret-123"},
    )

    written = log_output.getvalue()
    assert written, "the failed sign-ins were not logged at all"
    assert "claire.martin" not in written and "Secret-123" not in written


def test_a_dead_calendar_address_logs_no_secret(client: Any, log_output: Any) -> None:
    company = CompanyFactory()
    secret = company.ical_token
    company.ical_token = "renewed-token-value"
    company.save(update_fields=["ical_token"])

    response = client.get(f"/ical/company/{secret}.ics")

    assert response.status_code == 404
    written = log_output.getvalue()
    assert "Not Found: /ical/company/[secret].ics" in written
    assert secret not in written


def test_a_password_reset_link_logs_no_token(client: Any, log_output: Any) -> None:
    response = client.get("/password-reset/MTIz/cb9z3k-0123456789abcdef/")
    logging.getLogger("django.request").warning("Not Found: %s", response.wsgi_request.path)

    written = log_output.getvalue()
    assert "/password-reset/[secret]" in written
    assert "cb9z3k-0123456789abcdef" not in written


def test_an_api_key_in_a_logged_header_is_hidden(log_output: Any) -> None:
    logging.getLogger("config").warning(
        "refused %s", {"HTTP_AUTHORIZATION": "Token 0f3c9a8b7e6d5c4b3a29180706f5e4d3"}
    )

    written = log_output.getvalue()
    assert "Token [secret]" in written and "0f3c9a8b7e6d" not in written


def test_a_traceback_is_redacted_too(log_output: Any) -> None:
    try:
        raise ValueError("no account for jean.dupont@pme.example.fr")
    except ValueError:
        logging.getLogger("notifications.services").exception("compose failed")

    written = log_output.getvalue()
    assert "ValueError: no account for [e-mail]" in written
    assert "jean.dupont" not in written


@given(
    local=st.from_regex(r"[a-z][a-z0-9._+-]{0,20}", fullmatch=True),
    domain=st.from_regex(r"[a-z0-9-]{1,15}\.[a-z]{2,6}", fullmatch=True),
    before=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30),
)
def test_no_e_mail_address_survives_redaction(local: str, domain: str, before: str) -> None:
    address = f"{local}@{domain}"

    redacted = redact(f"{before} <{address}> refused")

    assert address not in redacted


def test_gunicorns_access_log_hides_a_feed_address(capsys: Any) -> None:
    # given gunicorn's logger as config/gunicorn.py sets it up
    config = Config()
    gunicorn_settings = runpy.run_path("config/gunicorn.py")
    for name in ("accesslog", "logconfig_dict"):
        config.set(name, gunicorn_settings[name])
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/ical/company/s3cr3t-feed-token.ics",
        "PATH_INFO": "/ical/company/s3cr3t-feed-token.ics",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
    }
    response = SimpleNamespace(status="200 OK", status_code=200, sent=120, headers=[])

    # when a feed is fetched
    try:
        Logger(config).access(response, SimpleNamespace(headers=[]), environ, timedelta(0))
    finally:  # gunicorn configured the root logger: give it back to Django's settings
        logging.config.dictConfig(settings.LOGGING)

    # then
    written = capsys.readouterr().out
    assert "GET /ical/company/[secret].ics HTTP/1.1" in written
    assert "s3cr3t-feed-token" not in written
