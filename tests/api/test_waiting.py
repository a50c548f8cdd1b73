"""The waiting list in the API: join (201), see, leave (204); refusals as {"code", "detail"}."""

import pytest

from bookings.models import WaitingEntry

pytestmark = [pytest.mark.django_db]

RANGE = {"start": "2027-01-06T10:00:00+01:00", "end": "2027-01-06T12:00:00+01:00"}


def test_a_member_joins_sees_and_leaves_a_waiting_list(world, api_as):
    client = api_as("member_b")

    joined = client.post(f"/api/v1/machines/{world.machine.pk}/waitlist/", RANGE, format="json")

    assert joined.status_code == 201, joined.content
    body = joined.json()
    assert body["machine"] == world.machine.pk and body["company"] == world.company_b.pk
    assert body["start"] == "2027-01-06T10:00:00+01:00"
    (listed,) = client.get("/api/v1/waitlist/").json()["results"]
    assert listed["id"] == body["id"]

    assert client.delete(f"/api/v1/waitlist/{body['id']}/").status_code == 204
    assert client.get("/api/v1/waitlist/").json()["results"] == []
    assert WaitingEntry.objects.get().left_at is not None


def test_naive_times_are_the_platforms_and_refusals_say_why_in_the_readers_language(world, api_as):
    client = api_as("member_b", language="en")
    url = f"/api/v1/machines/{world.machine.pk}/waitlist/"

    joined = client.post(
        url, {"start": "2027-01-06T10:00", "end": "2027-01-06T11:00"}, format="json"
    )
    again = client.post(url, RANGE, format="json")
    free = client.post(url, {"start": "2027-01-07T10:00", "end": "2027-01-07T11:00"}, format="json")

    assert joined.json()["start"] == "2027-01-06T10:00:00+01:00"
    assert (again.status_code, again.json()["code"]) == (409, "already_waiting")
    assert (free.status_code, free.json()["code"]) == (409, "range_free")
    assert free.json()["detail"].startswith("Nothing is booked over this time")


def test_nobody_leaves_someone_elses_entry(world, api_as):
    joined = api_as("member_b").post(
        f"/api/v1/machines/{world.machine.pk}/waitlist/", RANGE, format="json"
    )
    entry = joined.json()["id"]

    for role in ("member_a", "operator", "staff"):
        answer = api_as(role).delete(f"/api/v1/waitlist/{entry}/")
        assert (answer.status_code, answer.json()["code"]) == (404, "not_found")
    assert api_as("member_a").delete("/api/v1/waitlist/nope/").status_code == 404
    assert WaitingEntry.objects.get().left_at is None


@pytest.mark.parametrize(
    "pk", ["²", "١", "99999999999999999999"], ids=["superscript", "arabic", "huge"]
)
def test_an_address_that_is_no_key_is_not_found(world, api_as, pk):
    """ "²" passes str.isdigit() but not int(): it once answered 500 here."""
    answer = api_as("member_b").delete(f"/api/v1/waitlist/{pk}/")

    assert (answer.status_code, answer.json()["code"]) == (404, "not_found")
