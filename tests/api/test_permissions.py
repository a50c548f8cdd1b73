"""The permission matrix: every endpoint and verb, for every kind of user, with the database
unchanged after every refused call."""

import contextlib

import pytest
import time_machine
from django.forms.models import model_to_dict

from billing.models import Invoice
from bookings.models import Booking, Company, WaitingEntry
from bookings.services import booking_approve
from platforms.models import Qualification
from tests.conftest import paris
from tests.world import ROLES, expect, fill

pytestmark = [pytest.mark.django_db]

A, B, OP, OP2, F, S = "member_a", "member_b", "operator", "other_operator", "funder", "staff"


def snapshot():
    return (
        [model_to_dict(b) for b in Booking.objects.order_by("pk")],
        sorted(Company.objects.values_list("pk", "ical_token")),
        [model_to_dict(q) for q in Qualification.objects.order_by("pk")],
        list(Invoice.objects.order_by("pk").values("pk", "sha256")),
        list(WaitingEntry.objects.order_by("pk").values()),
    )


MATRIX = [
    # (label, method, url, body, expected statuses per role)
    (
        "platforms list",
        "get",
        "/api/v1/platforms/",
        None,
        expect(200, 200, 200, 200, 200, 200, 200),
    ),
    (
        "platform detail",
        "get",
        "/api/v1/platforms/{platform}/",
        None,
        expect(200, 200, 200, 200, 200, 200, 200),
    ),
    ("machines list", "get", "/api/v1/machines/", None, expect(200, 200, 200, 200, 200, 200, 200)),
    (
        "machine detail",
        "get",
        "/api/v1/machines/{machine}/",
        None,
        expect(200, 200, 200, 200, 200, 200, 200),
    ),
    (
        "availability",
        "get",
        "/api/v1/machines/{machine}/availability/?start=2027-01-06T00:00:00Z&end=2027-01-07T00:00:00Z",
        None,
        expect(200, 200, 200, 200, 200, 200, 200),
    ),
    ("bookings list", "get", "/api/v1/bookings/", None, expect(401, 200, 200, 200, 200, 200, 200)),
    (
        "booking detail",
        "get",
        "/api/v1/bookings/{booking}/",
        None,
        expect(401, 200, 404, 200, 404, 404, 200),
    ),
    (
        "book for company A",
        "post",
        "/api/v1/bookings/",
        {
            "machine": "{machine}",
            "company": "{company_a}",
            "start": "2027-01-07T10:00:00",
            "end": "2027-01-07T11:00:00",
        },
        expect(401, 201, 403, 201, 403, 403, 201),
    ),
    (
        "series for company A",
        "post",
        "/api/v1/bookings/series/",
        {
            "machine": "{machine}",
            "company": "{company_a}",
            "start": "2027-01-07T10:00:00",
            "end": "2027-01-07T11:00:00",
            "frequency": "weekly",
            "count": 2,
        },
        expect(401, 201, 403, 201, 403, 403, 201),
    ),
    (
        "cancel",
        "post",
        "/api/v1/bookings/{booking}/cancel/",
        {"reason": "x"},
        expect(401, 200, 404, 200, 404, 404, 200),
    ),
    (
        "approve",
        "post",
        "/api/v1/bookings/{booking}/approve/",
        {},
        expect(401, 403, 404, 200, 404, 404, 200),
    ),
    (
        "reject",
        "post",
        "/api/v1/bookings/{booking}/reject/",
        {"reason": "non"},
        expect(401, 403, 404, 200, 404, 404, 200),
    ),
    (
        "move",
        "post",
        "/api/v1/bookings/{booking}/move/",
        {"start": "2027-01-08T10:00:00", "end": "2027-01-08T11:00:00"},
        expect(401, 200, 404, 200, 404, 404, 200),
    ),
    (
        "usage",
        "post",
        "/api/v1/bookings/{confirmed}/usage/",
        {"actual_start": "2027-01-06T10:00:00", "actual_end": "2027-01-06T11:30:00"},
        expect(401, 403, 404, 200, 404, 404, 200),
    ),
    ("companies", "get", "/api/v1/companies/", None, expect(401, 200, 200, 200, 200, 200, 200)),
    (
        "company detail",
        "get",
        "/api/v1/companies/{company_a}/",
        None,
        expect(401, 200, 404, 404, 404, 404, 404),
    ),
    (
        "regenerate feed",
        "post",
        "/api/v1/companies/{company_a}/ical-token/",
        {},
        expect(401, 200, 404, 404, 404, 404, 404),
    ),
    ("tokens", "get", "/api/v1/auth/tokens/", None, expect(401, 200, 200, 200, 200, 200, 200)),
    (
        "request qualification",
        "post",
        "/api/v1/machines/{machine}/qualification/",
        {"note": "formé"},
        expect(401, 201, 201, 201, 201, 201, 201),
    ),
    (
        # Over company A's pending booking; one needs a company to wait for.
        "join waiting list",
        "post",
        "/api/v1/machines/{machine}/waitlist/",
        {"start": "2027-01-06T10:00:00+01:00", "end": "2027-01-06T11:00:00+01:00"},
        expect(401, 201, 201, 403, 403, 403, 403),
    ),
    ("waiting lists", "get", "/api/v1/waitlist/", None, expect(401, 200, 200, 200, 200, 200, 200)),
    (
        "qualifications",
        "get",
        "/api/v1/qualifications/",
        None,
        expect(401, 200, 200, 200, 200, 200, 200),
    ),
    (
        "qualification detail",
        "get",
        "/api/v1/qualifications/{qualification}/",
        None,
        expect(401, 200, 404, 200, 404, 404, 200),
    ),
    (
        "grant qualification",
        "post",
        "/api/v1/qualifications/{qualification}/grant/",
        {"valid_until": "2027-12-31"},
        expect(401, 403, 404, 200, 404, 404, 200),
    ),
    (
        "refuse qualification",
        "post",
        "/api/v1/qualifications/{qualification}/refuse/",
        {},
        expect(401, 403, 404, 200, 404, 404, 200),
    ),
    ("invoices", "get", "/api/v1/invoices/", None, expect(401, 200, 200, 200, 200, 200, 200)),
    (
        "invoice detail",
        "get",
        "/api/v1/invoices/{invoice}/",
        None,
        expect(401, 200, 404, 200, 404, 404, 200),
    ),
    (
        "invoice PDF",
        "get",
        "/api/v1/invoices/{invoice}/pdf/",
        None,
        expect(401, 200, 404, 200, 404, 404, 200),
    ),
    (
        "credit an invoice",
        "post",
        "/api/v1/invoices/{invoice}/credit/",
        {"reason": "Erreur de quantité"},
        expect(401, 403, 404, 201, 404, 404, 201),
    ),
    (
        "usage report",
        "get",
        "/api/v1/reports/usage/?start=2027-01-01&end=2027-01-31",
        None,
        expect(401, 200, 200, 200, 200, 200, 200),
    ),
    (
        "platform P's usage report",
        "get",
        "/api/v1/reports/usage/?start=2027-01-01&end=2027-01-31&platform={platform}",
        None,
        expect(401, 404, 404, 200, 404, 200, 200),
    ),
    (
        "platform Q's usage report",
        "get",
        "/api/v1/reports/usage/?start=2027-01-01&end=2027-01-31&platform={other_platform}",
        None,
        expect(401, 404, 404, 404, 200, 404, 200),
    ),
    (
        "platform P's usage as CSV",
        "get",
        "/api/v1/reports/usage/?start=2027-01-01&end=2027-01-31&platform={platform}&format=csv",
        None,
        expect(401, 404, 404, 200, 404, 200, 200),
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("label", "method", "url", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX]
)
def test_permission_matrix(world, api_as, role, label, method, url, body, expected):
    # given
    confirmed = world.booking
    if "{confirmed}" in url:
        booking_approve(booking=world.booking, user=world.users["staff"])
    ids = {
        "platform": world.machine.platform_id,
        "other_platform": world.other_machine.platform_id,
        "machine": world.machine.pk,
        "booking": world.booking.pk,
        "confirmed": confirmed.pk,
        "company_a": world.company_a.pk,
        "qualification": world.qualification.pk,
        "invoice": world.invoice.pk,
    }
    client = api_as(role)
    before = snapshot()

    # when (usage is recorded once the booking is over)
    later = time_machine.travel(paris(2027, 1, 6, 18), tick=False) if label == "usage" else None
    with later or contextlib.nullcontext():
        response = getattr(client, method)(fill(url, ids), fill(body, ids), format="json")

    # then
    assert response.status_code == expected[role], response.content[:500]
    if response.status_code >= 400:
        body = response.json()
        assert set(body) >= {"code", "detail"}
        assert snapshot() == before, "a refused call changed the database"


def test_lists_show_only_what_each_role_may_see(world, api_as):
    seen = {
        role: [row["id"] for row in api_as(role).get("/api/v1/bookings/").json()["results"]]
        for role in ROLES
        if role != "anonymous"
    }

    mine = [world.booking.pk]
    assert seen == {A: mine, B: [], OP: mine, OP2: [], F: [], S: mine}


def test_other_companies_bookings_are_anonymous_busy_time(world, api_as):
    url = (
        f"/api/v1/machines/{world.machine.pk}/availability/"
        "?start=2027-01-06T00:00:00Z&end=2027-01-07T00:00:00Z"
    )

    as_b = api_as(B).get(url).json()["busy"]
    as_a = api_as(A).get(url).json()["busy"]

    assert as_b == [
        {
            "start": "2027-01-06T10:00:00+01:00",
            "end": "2027-01-06T12:00:00+01:00",
            "mine": False,
            "booking": None,
        }
    ]
    assert as_a[0]["mine"] is True and as_a[0]["booking"] == world.booking.pk
    assert "company" not in str(as_b)
