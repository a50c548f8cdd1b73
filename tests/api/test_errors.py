"""Every error code of the booking core reachable through the API, with its status."""

from datetime import datetime, time
from decimal import Decimal

import pytest

from bookings.models import Booking
from platforms.services import closure_create
from tests.factories import MachineFactory, PlatformFactory

pytestmark = [pytest.mark.django_db]


def book(client, machine, start, end, **extra):
    return client.post(
        "/api/v1/bookings/",
        {"machine": machine.pk, "start": start, "end": end, **extra},
        format="json",
    )


@pytest.mark.parametrize(
    ("machine_kwargs", "start", "end", "code"),
    [
        ({}, "2027-01-07T10:15:00", "2027-01-07T11:00:00", "not_aligned"),
        ({"min_minutes": 60}, "2027-01-07T10:00:00", "2027-01-07T10:30:00", "too_short"),
        ({"max_minutes": 60}, "2027-01-07T10:00:00", "2027-01-07T12:00:00", "too_long"),
        ({}, "2027-01-04T15:00:00", "2027-01-04T16:00:00", "too_soon"),
        ({"max_advance_days": 10}, "2027-02-01T10:00:00", "2027-02-01T11:00:00", "too_far"),
        ({}, "2027-01-07T18:00:00", "2027-01-07T19:00:00", "outside_opening_hours"),
        (
            {"requires_qualification": True},
            "2027-01-07T10:00:00",
            "2027-01-07T11:00:00",
            "not_qualified",
        ),
        ({"active": False}, "2027-01-07T10:00:00", "2027-01-07T11:00:00", "machine_inactive"),
        (
            {"max_advance_days": 365},
            "2027-03-28T02:30:00",
            "2027-03-28T04:00:00",
            "invalid_local_time",
        ),
        ({}, "2027-01-07T11:00:00", "2027-01-07T10:00:00", "invalid_range"),
    ],
)
def test_rule_codes_are_400(world, api_as, machine_kwargs, start, end, code):
    machine = MachineFactory(platform=world.machine.platform, **machine_kwargs)
    if machine_kwargs.get("max_advance_days") == 365:
        world.machine.platform.opening_hours.create(weekday=6, opens=time(0), closes=time(0))
    before = Booking.objects.count()

    response = book(api_as("member_a"), machine, start, end)

    assert response.status_code == 400, response.json()
    assert response.json()["code"] == code
    assert Booking.objects.count() == before


def test_closed_is_400(world, api_as):
    closure_create(
        platform=world.machine.platform,
        user=world.users["operator"],
        title="Inventaire",
        start=datetime(2027, 1, 7, 0, 0),
        end=datetime(2027, 1, 8, 0, 0),
    )

    response = book(api_as("member_a"), world.machine, "2027-01-07T10:00:00", "2027-01-07T11:00:00")

    assert (response.status_code, response.json()["code"]) == (400, "closed")


def test_quota_exceeded_is_400(world, api_as):
    machine = MachineFactory(platform=world.machine.platform, weekly_quota_hours=Decimal(1))
    client = api_as("member_a")
    assert book(client, machine, "2027-01-07T10:00:00", "2027-01-07T11:00:00").status_code == 201

    response = book(client, machine, "2027-01-08T10:00:00", "2027-01-08T11:00:00")

    assert (response.status_code, response.json()["code"]) == (400, "quota_exceeded")


def test_slot_unavailable_is_409_and_not_member_is_403(world, api_as):
    response = book(api_as("member_b"), world.machine, "2027-01-06T11:00:00", "2027-01-06T13:00:00")
    assert (response.status_code, response.json()["code"]) == (409, "slot_unavailable")

    response = book(
        api_as("member_b"),
        world.machine,
        "2027-01-07T10:00:00",
        "2027-01-07T11:00:00",
        company=world.company_a.pk,
    )
    assert (response.status_code, response.json()["code"]) == (403, "not_member")


def test_a_refused_series_lists_every_conflict(world, api_as):
    response = api_as("member_b").post(
        "/api/v1/bookings/series/",
        {
            "machine": world.machine.pk,
            "start": "2026-12-30T10:00:00",
            "end": "2026-12-30T12:00:00",
            "frequency": "weekly",
            "count": 3,
        },
        format="json",
    )

    body = response.json()
    assert response.status_code == 409
    assert body["code"] == "series_refused"
    assert [(c["start"], c["code"]) for c in body["conflicts"]] == [
        ("2026-12-30T10:00:00+01:00", "too_soon"),
        ("2027-01-06T10:00:00+01:00", "slot_unavailable"),
    ]
    assert Booking.objects.count() == 1


def test_malformed_input_is_400_invalid_with_errors_per_field(world, api_as):
    response = api_as("member_a").post("/api/v1/bookings/", {"machine": "laser"}, format="json")

    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"machine", "start", "end"}


def test_a_member_of_several_companies_must_say_which_books(world, api_as):
    from bookings.models import Membership

    Membership.objects.create(user=world.users["member_a"], company=world.company_b)

    response = book(api_as("member_a"), world.machine, "2027-01-07T10:00:00", "2027-01-07T11:00:00")

    assert response.status_code == 400
    assert "company" in response.json()["errors"]


def test_the_detail_speaks_the_language_of_the_request(world, api_as):
    url = "2027-01-06T11:00:00"
    french = book(api_as("member_b", "fr"), world.machine, url, "2027-01-06T13:00:00").json()
    english = book(api_as("member_b", "en"), world.machine, url, "2027-01-06T13:00:00").json()

    assert french["code"] == english["code"] == "slot_unavailable"
    assert "créneau" in french["detail"]
    assert "time slot" in english["detail"]


def test_availability_window_is_at_most_31_days(world, api_as):
    url = f"/api/v1/machines/{world.machine.pk}/availability/"
    too_long = api_as("anonymous").get(url + "?start=2027-01-01T00:00:00Z&end=2027-02-02T00:00:00Z")
    missing = api_as("anonymous").get(url)

    assert (too_long.status_code, too_long.json()["code"]) == (400, "window_too_long")
    assert (missing.status_code, missing.json()["code"]) == (400, "invalid")


def test_network_search_through_the_api(world, api_as):
    PlatformFactory(name="Z", active=False)

    response = api_as("anonymous").get(
        "/api/v1/machines/?available_from=2027-01-06T00:00:00%2B01:00"
        "&available_to=2027-01-07T00:00:00%2B01:00&min_free_minutes=120"
    )

    results = response.json()["results"]
    assert [r["name"] for r in results] == ["Découpe laser P", "Robot Q"]
    assert results[0]["first_free"] == [
        {"start": "2027-01-06T08:00:00+01:00", "end": "2027-01-06T10:00:00+01:00"},
        {"start": "2027-01-06T12:00:00+01:00", "end": "2027-01-06T18:00:00+01:00"},
    ]


def test_an_unknown_machine_is_400(world, api_as):
    response = api_as("member_a").post(
        "/api/v1/bookings/",
        {"machine": 999999, "start": "2027-01-07T10:00:00", "end": "2027-01-07T11:00:00"},
        format="json",
    )

    assert (response.status_code, response.json()["code"]) == (400, "unknown_machine")


def test_an_unknown_company_is_400_in_the_callers_language_and_books_nothing(world, api_as):
    from bookings.models import Booking

    before = Booking.objects.count()
    body = {
        "machine": world.machine.pk,
        "company": 999999,
        "start": "2027-01-07T10:00:00",
        "end": "2027-01-07T11:00:00",
    }
    french = api_as("staff").post("/api/v1/bookings/", body, format="json")
    english = api_as("staff", "en").post("/api/v1/bookings/", body, format="json")

    assert (french.status_code, french.json()["code"]) == (400, "unknown_company")
    assert french.json()["detail"] == "Il n’existe pas d’entreprise 999999."
    assert english.json()["detail"] == "There is no company 999999."
    assert Booking.objects.count() == before


def test_a_member_asks_for_a_qualification_and_books_once_granted(world, api_as):
    from platforms.models import Machine

    Machine.objects.filter(pk=world.other_machine.pk).update(requires_qualification=True)
    member = api_as("member_b")
    refused = book(member, world.other_machine, "2027-01-07T10:00:00", "2027-01-07T11:00:00")
    assert (refused.status_code, refused.json()["code"]) == (400, "not_qualified")

    asked = member.post(
        f"/api/v1/machines/{world.other_machine.pk}/qualification/", {}, format="json"
    )
    assert asked.json()["status"] == "requested"
    granted = api_as("other_operator").post(
        f"/api/v1/qualifications/{asked.json()['id']}/grant/", {}, format="json"
    )
    assert (granted.status_code, granted.json()["status"]) == (200, "granted")

    booked = book(member, world.other_machine, "2027-01-07T10:00:00", "2027-01-07T11:00:00")
    assert booked.status_code == 201
