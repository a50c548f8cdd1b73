"""A person downloads what is kept about them and deletes their account: it is anonymised and
cannot sign in, their keys and calendar addresses stop working, their companies' bookings stay
for the usage figures with no person attached, and every report figure is unchanged."""

import json
from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import token_create
from bookings.models import Booking, Membership
from notifications.models import Message
from platforms.models import Qualification
from reports.selectors import Scope, usage_report
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(october: Any) -> Any:
    """A member of Dupont Lyon who made its bookings, with a key, a qualification, a message."""
    member = MembershipFactory(
        company=october.dupont_lyon,
        user__email="jeanne@dupont.fr",
        user__display_name="Jeanne Martin",
    ).user
    Booking.objects.filter(company=october.dupont_lyon).update(booked_by=member)
    Qualification.objects.create(user=member, machine=october.laser, status="granted")
    Message.objects.create(
        kind="booking_confirmed",
        recipient=member,
        platform=october.laser.platform,
        idempotency_key="k1",
        to_email="jeanne@dupont.fr",
        subject="Réservation confirmée",
    )
    member.raw_token = token_create(user=member, name="ERP")[1]
    return member


def test_the_download_holds_what_is_kept_and_nobody_elses(
    client: Any, october: Any, person: Any
) -> None:
    other = MembershipFactory(company=october.eti, user__email="autre@eti.fr").user
    Booking.objects.filter(company=october.eti).update(booked_by=other)
    client.force_login(person)
    answer = client.get(reverse("personal-data"))
    data = json.loads(answer.content)
    assert answer["Content-Disposition"].startswith("attachment")
    assert data["account"]["email"] == "jeanne@dupont.fr"
    assert [m["company"] for m in data["memberships"]] == ["Dupont Lyon"]
    assert {b["company"] for b in data["bookings_made"]} == {"Dupont Lyon"}
    assert len(data["bookings_made"]) == 5
    assert [m["subject"] for m in data["messages"]] == ["Réservation confirmée"]
    assert [k["name"] for k in data["api_keys"]] == ["ERP"]
    assert "autre@eti.fr" not in answer.content.decode()


def test_deleting_the_account_anonymises_it_and_keeps_every_figure(
    client: Any, october: Any, person: Any
) -> None:
    scope = Scope(platform_ids=(october.laser.platform_id,))
    period = {"start": date(2026, 10, 1), "end": date(2026, 11, 1)}
    before = usage_report(scope=scope, **period)
    old_feed = october.dupont_lyon.ical_token
    client.force_login(person)
    wrong = client.post(reverse("account-delete"), {"password": "nope", "understood": "on"})
    assert wrong.status_code == 422 and User.objects.get(pk=person.pk).is_active
    done = client.post(
        reverse("account-delete"), {"password": "secret-pass-123", "understood": "on"}
    )
    assert done.status_code == 302
    erased = User.objects.get(pk=person.pk)
    assert not erased.is_active and not erased.has_usable_password()
    assert "jeanne" not in erased.email.lower() and erased.display_name == ""
    # no person on the bookings, which all stay; no membership, qualification, key or address
    assert Booking.objects.filter(company=october.dupont_lyon).count() == 5
    assert not Booking.objects.filter(booked_by=erased).exists()
    assert not Membership.objects.filter(user=erased).exists()
    assert not Qualification.objects.filter(user=erased).exists()
    assert Message.objects.get(idempotency_key="k1").to_email == ""
    api = APIClient(HTTP_AUTHORIZATION=f"Token {person.raw_token}")
    assert api.get("/api/v1/bookings/").status_code == 401
    october.dupont_lyon.refresh_from_db()
    assert october.dupont_lyon.ical_token != old_feed
    assert client.get(reverse("ical-company", args=[old_feed])).status_code == 404
    # signed out, and cannot sign in again
    assert client.get(reverse("profile")).status_code == 302
    client.post(reverse("login"), {"username": "jeanne@dupont.fr", "password": "secret-pass-123"})
    assert client.get(reverse("profile")).status_code == 302
    # every report figure is the same
    assert usage_report(scope=scope, **period) == before


def test_deleting_needs_the_tick_too(client: Any, person: Any) -> None:
    client.force_login(person)
    answer = client.post(reverse("account-delete"), {"password": "secret-pass-123"})
    assert answer.status_code == 422 and User.objects.get(pk=person.pk).is_active
