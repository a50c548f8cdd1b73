"""Random and hostile bodies and query strings on every write endpoint and every datetime
parameter: only 2xx and 4xx answers, and after every refusal the database is unchanged."""

import json
import os
from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .test_permissions import snapshot

pytestmark = [pytest.mark.django_db]

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

OFFSETS = ["", "Z", "+00:00", "+01:00", "+14:00", "-12:00", "+23:59"]
# Near the edges of Python's datetime, around DST changes, and plausible booking times.
NOTABLE = [
    "0001-01-01T00:00:00",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59",
    "9999-12-31T23:59:59Z",
    "1999-12-31T23:00:00",
    "2101-01-01T00:00:00",
    "2027-03-28T02:30:00",
    "2027-10-31T02:30:00",
    "2027-01-06T10:00:00",
    "2027-01-07T10:00:00",
    "2027-01-07T11:00:00",
    "2027-01-06",
    "2027-13-45T25:61:00",
    "now",
    "",
]
datetimes = st.one_of(
    st.sampled_from(NOTABLE),
    st.tuples(
        st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)),
        st.sampled_from(OFFSETS),
    ).map(lambda pair: pair[0].isoformat() + pair[1]),
    st.tuples(
        st.datetimes(min_value=datetime(2027, 1, 1), max_value=datetime(2027, 3, 1)),
        st.sampled_from(OFFSETS),
    ).map(lambda pair: pair[0].replace(second=0, microsecond=0).isoformat() + pair[1]),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["<script>alert(1)</script>", "'; DROP TABLE bookings_booking; --", "\x00"]),
)
values = st.one_of(
    datetimes,
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(st.text(max_size=5), scalars, max_size=3),
)


def body_of(*fields: str, ids: st.SearchStrategy[Any] = values) -> st.SearchStrategy[Any]:
    """A dict with some of ``fields`` (hostile values) and maybe extra keys, or any JSON."""
    known = st.fixed_dictionaries(
        {},
        optional={
            field: (datetimes | values)
            if field
            in {"start", "end", "actual_start", "actual_end", "valid_until", "starts_after"}
            else (ids if field in {"machine", "company"} else values)
            for field in fields
        },
    )
    return st.one_of(known, values)


def deep(depth: int) -> str:
    return "[" * depth + "]" * depth


raw_bodies = st.one_of(
    st.integers(min_value=1, max_value=5000).map(deep),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    st.sampled_from(['{"machine": 1', '{"a": NaN}', '{"a": Infinity}', "\ufeff{}", "null", '""']),
)

BOOKING_FIELDS = ("machine", "company", "start", "end", "note")
WRITES = [
    ("/api/v1/auth/token/", ("username", "password", "name")),
    ("/api/v1/bookings/", BOOKING_FIELDS),
    ("/api/v1/bookings/series/", (*BOOKING_FIELDS, "frequency", "count")),
    ("/api/v1/bookings/{booking}/cancel/", ("reason",)),
    ("/api/v1/bookings/{booking}/approve/", ()),
    ("/api/v1/bookings/{booking}/reject/", ("reason",)),
    ("/api/v1/bookings/{booking}/move/", ("start", "end")),
    ("/api/v1/bookings/{booking}/usage/", ("actual_start", "actual_end")),
    ("/api/v1/machines/{machine}/qualification/", ("note",)),
    ("/api/v1/machines/{machine}/waitlist/", ("start", "end", "company")),
    ("/api/v1/qualifications/{qualification}/grant/", ("valid_until",)),
    ("/api/v1/qualifications/{qualification}/refuse/", ()),
    ("/api/v1/companies/{company}/ical-token/", ()),
]
READS = [
    ("/api/v1/bookings/", ("starts_after", "starts_before", "status", "machine")),
    ("/api/v1/machines/", ("available_from", "available_to", "min_free_minutes", "category")),
    ("/api/v1/machines/{machine}/availability/", ("start", "end")),
]


def _url(world: Any, template: str) -> str:
    return template.format(
        booking=world.booking.pk,
        machine=world.machine.pk,
        qualification=world.qualification.pk,
        company=world.company_a.pk,
    )


def _check(response: Any, before: Any) -> None:
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/json"), response.content[:300]
        assert "code" in response.json()
        assert snapshot() == before


@pytest.mark.parametrize(("template", "fields"), WRITES, ids=[w[0] for w in WRITES])
@pytest.mark.parametrize("role", ["member_a", "operator"])
def test_hostile_bodies_never_get_a_5xx_and_a_refusal_writes_nothing(
    world, api_as, template, fields, role
):
    client = api_as(role)
    url = _url(world, template)
    ids = st.one_of(
        st.sampled_from([world.machine.pk, world.other_machine.pk, world.company_a.pk]), values
    )

    @FUZZ
    @given(body=st.one_of(body_of(*fields, ids=ids).map(json.dumps), raw_bodies))
    def send(body: str) -> None:
        before = snapshot()
        response = client.generic("POST", url, body, content_type="application/json")
        _check(response, before)

    send()


@pytest.mark.parametrize(("template", "fields"), READS, ids=[r[0] for r in READS])
def test_hostile_query_strings_never_get_a_5xx(world, api_as, template, fields):
    client = api_as("member_a")
    url = _url(world, template)

    @FUZZ
    @given(
        params=st.fixed_dictionaries(
            {}, optional={field: datetimes | st.text(max_size=30) for field in fields}
        )
    )
    def send(params: dict[str, str]) -> None:
        before = snapshot()
        response = client.get(url, {k: v.replace("\x00", "") for k, v in params.items()})
        _check(response, before)

    send()


@pytest.mark.parametrize(
    ("method", "url", "field"),
    [
        ("get", "/api/v1/bookings/", "machine"),
        ("get", "/api/v1/machines/", "platform"),
        ("post", "/api/v1/bookings/", "machine"),
        ("post", "/api/v1/bookings/", "company"),
    ],
)
def test_a_key_no_table_can_hold_is_a_field_error_and_the_largest_one_an_answer(
    world, api_as, method, url, field
):
    """Hypothesis once sent ?machine=9223372036854775808 (2**63): the database could not bind
    it and the list answered 500. Every id a client sends is bounded like a key
    (core.fields.IdField)."""
    client = api_as("member_a")
    slot = {
        "machine": world.machine.pk,
        "start": "2027-01-06T10:00:00",
        "end": "2027-01-06T11:00:00",
    }

    def send(value: int) -> Any:
        if method == "get":
            return client.get(url, {field: str(value)})
        return client.post(url, {**slot, field: value}, format="json")

    for beyond in (2**63, 2**64 + 1, 0, -1):
        response = send(beyond)
        assert response.status_code == 400, (beyond, response.content[:300])
        assert response.json()["code"] == "invalid"
        assert field in response.json()["errors"]
    # The largest key there can be names nothing: an answer, not a field error or a 5xx.
    response = send(2**63 - 1)
    assert response.status_code < 500 and field not in response.json().get("errors", {})
