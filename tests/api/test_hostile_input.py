"""The inputs a hostile client sent that once answered 500: each is now a 4xx JSON error and
writes nothing."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings.models import Booking

pytestmark = [pytest.mark.django_db]

DEEP = "[" * 1000 + "]" * 1000
YEAR_ONE = ["0001-01-01T00:00:00", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00-05:00"]
YEAR_9999 = ["9999-12-31T23:00:00", "9999-12-31T23:59:59Z", "9999-12-31T23:00:00+14:00"]


def post_raw(client, url, body, content_type="application/json"):
    return client.generic("POST", url, body, content_type=content_type)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/auth/token/",
        "/api/v1/bookings/",
        "/api/v1/bookings/series/",
    ],
)
def test_a_body_nested_a_thousand_levels_is_400(world, api_as, url):
    response = post_raw(api_as("member_a"), url, DEEP)

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_a_body_larger_than_the_upload_limit_is_413(world, api_as, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"machine": 1, "note": "x" * 20_000})

    response = post_raw(api_as("member_a"), "/api/v1/bookings/", body)

    assert (response.status_code, response.json()["code"]) == (413, "too_large")


def test_a_form_body_is_415_not_a_silent_guess(world, api_as):
    response = post_raw(
        api_as("member_a"), "/api/v1/bookings/", "machine=1", "application/x-www-form-urlencoded"
    )

    assert (response.status_code, response.json()["code"]) == (415, "unsupported_media_type")


@pytest.mark.parametrize("value", YEAR_ONE + YEAR_9999)
def test_dates_near_year_1_or_9999_in_a_booking_are_400_naming_the_field(world, api_as, value):
    before = Booking.objects.count()

    response = api_as("member_a").post(
        "/api/v1/bookings/",
        {"machine": world.machine.pk, "start": value, "end": "2027-01-07T11:00:00"},
        format="json",
    )

    body = response.json()
    assert (response.status_code, body["code"]) == (400, "invalid"), body
    assert list(body["errors"]) == ["start"]
    assert "2000" in body["errors"]["start"][0]
    assert Booking.objects.count() == before


@pytest.mark.parametrize(
    "value",
    ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00", "9999-12-31T23:59:59"],
)
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/bookings/?starts_after={v}",
        "/api/v1/bookings/?starts_before={v}",
        "/api/v1/machines/?available_from={v}&available_to=2027-01-10T00:00:00Z",
        "/api/v1/machines/?available_from=2027-01-10T00:00:00Z&available_to={v}",
        "/api/v1/machines/{machine}/availability/?start={v}&end=2027-01-10T00:00:00Z",
        "/api/v1/machines/{machine}/availability/?start=2027-01-10T00:00:00Z&end={v}",
    ],
)
def test_dates_near_year_1_or_9999_in_query_parameters_are_400(world, api_as, path, value):
    url = path.format(v=value.replace("+", "%2B"), machine=world.machine.pk)

    response = api_as("member_a").get(url)

    assert (response.status_code, response.json()["code"]) == (400, "invalid")


def test_a_series_reaching_past_year_9999_is_400(world, api_as):
    response = api_as("member_a").post(
        "/api/v1/bookings/series/",
        {
            "machine": world.machine.pk,
            "start": "9999-06-01T10:00:00",
            "end": "9999-06-01T11:00:00",
            "frequency": "weekly",
            "count": 52,
        },
        format="json",
    )

    assert (response.status_code, response.json()["code"]) == (400, "invalid")


@pytest.mark.parametrize("value", ["0001-01-01T09:00:00", "9999-12-31T09:00:00Z"])
def test_an_operator_cannot_move_a_booking_to_year_1_or_9999(world, api_as, value):
    booking = world.booking

    response = api_as("operator").post(
        f"/api/v1/bookings/{booking.pk}/move/",
        {"start": value, "end": "2027-01-06T12:00:00"},
        format="json",
    )

    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    booking.refresh_from_db()
    assert booking.version == 1


@pytest.mark.parametrize("value", ["0001-01-01T09:00:00", "9999-12-31T09:00:00+01:00"])
def test_usage_in_year_1_or_9999_is_400(world, api_as, value):
    response = api_as("operator").post(
        f"/api/v1/bookings/{world.booking.pk}/usage/",
        {"actual_start": value, "actual_end": "2027-01-06T12:00:00"},
        format="json",
    )

    assert (response.status_code, response.json()["code"]) == (400, "invalid")


def test_a_qualification_valid_until_year_9999_is_400(world, api_as):
    response = api_as("operator").post(
        f"/api/v1/qualifications/{world.qualification.pk}/grant/",
        {"valid_until": "9999-12-31"},
        format="json",
    )

    assert (response.status_code, response.json()["code"]) == (400, "invalid")


@given(
    noise=st.sampled_from(["\x07", "\x1b[2J", "\x7f", "\x85", "\x0b"]),
    text=st.text(alphabet=st.characters(blacklist_categories=["Cc", "Cs"]), max_size=30),
)
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_a_control_character_in_a_note_is_400_naming_the_field(world, api_as, noise, text):
    before = Booking.objects.count()

    response = api_as("member_a", language="en").post(
        "/api/v1/bookings/",
        {
            "machine": world.machine.pk,
            "company": world.company_a.pk,
            "start": "2027-01-07T10:00:00",
            "end": "2027-01-07T11:00:00",
            # inside the text: at its ends, white space (NEL, VT) would be trimmed away
            "note": f"{text}début{noise}fin",
        },
        format="json",
    )

    body = response.json()
    assert (response.status_code, body["code"]) == (400, "invalid"), body
    assert body["errors"] == {"note": ["This text holds a control character: remove it."]}
    assert Booking.objects.count() == before
