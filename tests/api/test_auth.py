"""Named API tokens, stored hashed, revocable. (The login throttle: tests/accounts.)"""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import ApiToken

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def obtain(client, username, password, ip="10.0.0.1", name="ERP"):
    return client.post(
        "/api/v1/auth/token/",
        {"username": username, "password": password, "name": name},
        format="json",
        REMOTE_ADDR=ip,
    )


def test_a_token_is_obtained_used_listed_and_revoked(world):
    client = APIClient()
    user = world.users["member_a"]

    response = obtain(client, user.email.upper(), "secret-pass-123")

    assert response.status_code == 201
    raw = response.json()["token"]
    stored = ApiToken.objects.get(user=user)
    assert raw not in {stored.digest, stored.prefix} and len(stored.digest) == 64  # hashed
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    listed = client.get("/api/v1/auth/tokens/").json()["results"]
    assert [(t["name"], t["prefix"]) for t in listed] == [("ERP", raw[:8])]

    assert client.delete(f"/api/v1/auth/tokens/{stored.pk}/").status_code == 204

    refused = client.get("/api/v1/bookings/")
    assert (refused.status_code, refused.json()["code"]) == (401, "authentication_failed")


def test_a_user_holds_several_tokens_and_revoking_one_keeps_the_other(world):
    client = APIClient()
    email = world.users["member_a"].email
    first = obtain(client, email, "secret-pass-123", name="ERP").json()
    second = obtain(client, email, "secret-pass-123", name="Script").json()

    client.credentials(HTTP_AUTHORIZATION=f"Token {first['token']}")
    client.delete(f"/api/v1/auth/tokens/{second['id']}/")

    assert client.get("/api/v1/bookings/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {second['token']}")
    assert client.get("/api/v1/bookings/").status_code == 401


def test_a_read_only_token_reads_and_changes_nothing(world):
    from bookings.models import Booking

    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    user = world.users["member_a"]
    obtained = client.post(
        "/api/v1/auth/token/",
        {
            "username": user.email,
            "password": "secret-pass-123",
            "name": "Tableau",
            "read_only": True,
        },
        format="json",
        REMOTE_ADDR="10.0.0.2",
    )
    assert obtained.status_code == 201 and obtained.json()["read_only"] is True
    client.credentials(HTTP_AUTHORIZATION=f"Token {obtained.json()['token']}")
    before = list(Booking.objects.order_by("pk").values())

    read = client.get("/api/v1/bookings/")
    cancel = client.post(f"/api/v1/bookings/{world.booking.pk}/cancel/", {}, format="json")
    booked = client.post(
        "/api/v1/bookings/",
        {
            "machine": world.machine.pk,
            "start": "2027-01-07T10:00:00+01:00",
            "end": "2027-01-07T11:00:00+01:00",
        },
        format="json",
    )

    assert read.status_code == 200 and read.json()["results"]
    for refused in (cancel, booked):
        assert (refused.status_code, refused.json()["code"]) == (403, "read_only_token")
    assert cancel.json()["detail"].startswith("This API key is for reading only")
    assert list(Booking.objects.order_by("pk").values()) == before
    # A key for changes still makes them.
    full = obtain(APIClient(), user.email, "secret-pass-123", ip="10.0.0.3", name="ERP")
    writer = APIClient()
    writer.credentials(HTTP_AUTHORIZATION=f"Token {full.json()['token']}")
    assert (
        writer.post(f"/api/v1/bookings/{world.booking.pk}/cancel/", {}, format="json").status_code
        == 200
    )
