"""One throttle for every way to sign in: API tokens, /login/ and /admin/login/. Failures
count per account and client address, in the database; a cool-off ends the block."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import ApiToken
from tests.conftest import NOW
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db]

PASSWORD = "secret-pass-123"


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


@pytest.fixture
def user(db):
    return UserFactory(email="jean@pme.fr", is_staff=True, is_superuser=True)


def api_login(username, password, ip="10.0.0.1", forwarded=None):
    extra = {"REMOTE_ADDR": ip}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return APIClient(HTTP_ACCEPT_LANGUAGE="fr").post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        format="json",
        **extra,
    )


def form_login(path, username, password, ip="10.0.0.1", forwarded=None):
    client = Client(REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="fr")
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    response = client.post(path, {"username": username, "password": password}, **extra)
    return response, client


def test_the_api_blocks_after_the_limit_with_a_clear_429(user):
    statuses = [api_login(user.email, "wrong").status_code for _ in range(3)]

    blocked = api_login(user.email, PASSWORD)

    # The failure that reaches the limit already says so.
    assert statuses == [401, 401, 429]
    body = blocked.json()
    assert (blocked.status_code, body["code"]) == (429, "login_blocked")
    assert 0 < body["retry_after"] <= 15 * 60
    assert blocked["Retry-After"] == str(body["retry_after"])
    assert "15 minutes" in body["detail"]  # French: "Réessayez dans 15 minutes."
    assert not ApiToken.objects.exists()


def test_a_forged_x_forwarded_for_does_not_reset_the_count(user):
    for n in range(3):
        api_login(user.email, "wrong", forwarded=f"203.0.113.{n}")

    response = api_login(user.email, PASSWORD, forwarded="198.51.100.77")

    assert response.status_code == 429


def test_behind_a_declared_proxy_the_forwarded_address_counts(user, settings):
    settings.NUM_PROXIES = 1
    for _ in range(3):
        api_login(user.email, "wrong", ip="10.9.9.9", forwarded="203.0.113.5")

    # Another client behind the same proxy is not blocked; the first one is, whatever it forges.
    assert (
        api_login(user.email, PASSWORD, ip="10.9.9.9", forwarded="203.0.113.6").status_code == 201
    )
    forged = api_login(user.email, PASSWORD, ip="10.9.9.9", forwarded="1.2.3.4, 203.0.113.5")
    assert forged.status_code == 429


def test_case_variations_of_the_email_count_as_one_account(user):
    for variant in ("JEAN@pme.fr", "Jean@PME.fr", " jean@pme.FR"):
        api_login(variant, "wrong")

    assert api_login(user.email, PASSWORD).status_code == 429


def test_other_accounts_and_other_addresses_are_not_blocked(user):
    other = UserFactory(email="marie@pme.fr")
    for _ in range(3):
        api_login(user.email, "wrong")

    assert api_login(other.email, PASSWORD).status_code == 201
    assert api_login(user.email, PASSWORD, ip="10.0.0.2").status_code == 201


def test_the_cool_off_ends_and_a_failure_during_it_does_not_extend_it(user):
    with time_machine.travel(NOW, tick=False):
        for _ in range(3):
            api_login(user.email, "wrong")
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        assert api_login(user.email, "wrong").status_code == 429

    with time_machine.travel(NOW + timedelta(minutes=15, seconds=1), tick=False):
        assert api_login(user.email, PASSWORD).status_code == 201


def test_the_admin_signs_in_on_the_one_sign_in_page(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/admin/"


@pytest.mark.parametrize("path", ["/login/"])
def test_the_sign_in_page_is_throttled(user, path):
    for _ in range(3):
        form_login(path, user.email, "wrong", forwarded="203.0.113.9")

    response, client = form_login(path, user.email, PASSWORD, forwarded="198.51.100.1")

    assert response.status_code == 429
    page = response.content.decode()
    assert "Réessayez dans 15 minutes" in page
    # No session was opened: the API refuses the browser.
    assert client.get("/api/v1/bookings/").status_code in (401, 403)


def test_failures_on_one_path_count_on_the_others(user):
    form_login("/login/", user.email, "wrong")
    form_login("/login/", user.email, "wrong")
    api_login(user.email, "wrong")

    assert api_login(user.email, PASSWORD).status_code == 429


def test_a_successful_sign_in_resets_the_count(user):
    for _ in range(2):
        api_login(user.email, "wrong")
    assert api_login(user.email, PASSWORD).status_code == 201

    assert [api_login(user.email, "wrong").status_code for _ in range(2)] == [401, 401]
    assert api_login(user.email, PASSWORD).status_code == 201


def test_sign_in_works_with_redis_unreachable(user, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }

    assert api_login(user.email, "wrong").status_code == 401
    assert api_login(user.email, PASSWORD).status_code == 201
    response, _ = form_login("/login/", user.email, PASSWORD)
    assert response.status_code == 302
