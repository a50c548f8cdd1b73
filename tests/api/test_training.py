"""Training sessions in the API: the list by machine or platform, enrolling (yourself, a member
you administer), the waiting list, withdrawing, the trainer's attendance granting the
qualification; who may do what; hostile bodies and query strings."""

import json
from decimal import Decimal

import pytest
import time_machine
from django.forms.models import model_to_dict
from hypothesis import given
from hypothesis import strategies as st

from billing.models import BillableLine
from bookings.models import Enrolment, MembershipRole
from bookings.services import training_schedule
from platforms.models import Qualification, QualificationStatus
from tests.api.test_fuzz import FUZZ, body_of, raw_bodies, values
from tests.conftest import paris
from tests.factories import MembershipFactory
from tests.world import ROLES, expect

pytestmark = [pytest.mark.django_db]

START, END = paris(2027, 1, 13, 14), paris(2027, 1, 13, 17)


@pytest.fixture
def session(world):
    return training_schedule(
        operator=world.users["operator"],
        machine=world.machine,
        start=START,
        end=END,
        capacity=1,
        price=Decimal("90.00"),
    )


def snapshot():
    return (
        [model_to_dict(e) for e in Enrolment.objects.order_by("pk")],
        [model_to_dict(q) for q in Qualification.objects.order_by("pk")],
        list(BillableLine.objects.order_by("pk").values_list("pk", "total_ht")),
    )


def test_the_sessions_ahead_by_machine_and_platform(world, session, api_as):
    client = api_as("member_b")

    by_machine = client.get("/api/v1/training-sessions/", {"machine": world.machine.pk})
    by_platform = client.get(
        "/api/v1/training-sessions/", {"platform": world.other_machine.platform_id}
    )

    assert by_machine.status_code == 200
    (listed,) = by_machine.json()["results"]
    assert listed["id"] == session.pk
    assert (listed["seats_left"], listed["waiting"], listed["price"]) == (1, 0, "90.00")
    assert listed["start"] == "2027-01-13T14:00:00+01:00"
    assert by_platform.json()["results"] == []
    bad = client.get("/api/v1/training-sessions/", {"machine": "x"})
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid")


def test_enrol_then_full_then_waiting_then_attendance_grants(world, session, api_as):
    member_a, member_b = world.users["member_a"], world.users["member_b"]
    url = f"/api/v1/training-sessions/{session.pk}/"

    seat = api_as("member_a").post(url + "enrol/", {"user": member_a.pk}, format="json")
    full = api_as("member_b", language="en").post(
        url + "enrol/", {"user": member_b.pk}, format="json"
    )
    waiting = api_as("member_b").post(
        url + "enrol/", {"user": member_b.pk, "waiting": True}, format="json"
    )

    assert seat.status_code == 201, seat.content
    assert (seat.json()["waiting"], seat.json()["company"]) == (False, world.company_a.pk)
    assert (full.status_code, full.json()["code"]) == (409, "session_full")
    assert "waiting list" in full.json()["detail"]
    assert (waiting.status_code, waiting.json()["waiting"]) == (201, True)

    operator = api_as("operator")
    early = operator.post(
        url + "attendance/", {"user": member_a.pk, "attended": True}, format="json"
    )
    assert (early.status_code, early.json()["code"]) == (400, "attendance_not_yet")
    with time_machine.travel(START, tick=False):
        refused = api_as("member_a").post(
            url + "attendance/", {"user": member_a.pk, "attended": True}, format="json"
        )
        recorded = operator.post(
            url + "attendance/", {"user": member_a.pk, "attended": True}, format="json"
        )
        nobody = operator.post(
            url + "attendance/", {"user": member_b.pk, "attended": True}, format="json"
        )
    assert (refused.status_code, refused.json()["code"]) == (403, "not_allowed")
    assert (recorded.status_code, recorded.json()["attended"]) == (200, True)
    assert (nobody.status_code, nobody.json()["code"]) == (404, "not_enrolled")
    granted = Qualification.objects.get(user=member_a, machine=world.machine)
    assert granted.status == QualificationStatus.GRANTED


def test_withdrawing_gives_the_seat_to_the_first_waiting(world, session, api_as):
    member_a, member_b = world.users["member_a"], world.users["member_b"]
    url = f"/api/v1/training-sessions/{session.pk}/"
    api_as("member_a").post(url + "enrol/", {"user": member_a.pk}, format="json")
    api_as("member_b").post(url + "enrol/", {"user": member_b.pk, "waiting": True}, format="json")

    stranger = api_as("member_b").post(url + "withdraw/", {"user": member_a.pk}, format="json")
    withdrawn = api_as("member_a").post(url + "withdraw/", {"user": member_a.pk}, format="json")

    assert (stranger.status_code, stranger.json()["code"]) == (403, "not_allowed")
    assert withdrawn.status_code == 200
    assert Enrolment.objects.get(user=member_b, withdrawn_at__isnull=True).waiting is False


def test_an_admin_enrols_a_member_and_no_one_else(world, session, api_as):
    colleague = MembershipFactory(company=world.company_a, role=MembershipRole.MEMBER).user
    url = f"/api/v1/training-sessions/{session.pk}/enrol/"

    by_admin = api_as("member_a").post(url, {"user": colleague.pk}, format="json")
    outsider = api_as("member_b").post(
        url, {"user": world.users["member_a"].pk, "waiting": True}, format="json"
    )

    assert by_admin.status_code == 201, by_admin.content
    assert by_admin.json()["user"] == colleague.pk
    assert (outsider.status_code, outsider.json()["code"]) == (403, "not_allowed")


MATRIX = [
    ("list", "get", "", None, expect(401, 200, 200, 200, 200, 200, 200)),
    ("detail", "get", "{session}/", None, expect(401, 200, 200, 200, 200, 200, 200)),
    # Each role enrols member A: only A themselves, and the platform's operator (or staff).
    (
        "enrol member A",
        "post",
        "{session}/enrol/",
        {"user": "{member_a}"},
        expect(401, 201, 403, 201, 403, 403, 201),
    ),
    (
        "attendance",
        "post",
        "{session}/attendance/",
        {"user": "{member_a}", "attended": True},
        expect(401, 403, 403, 404, 403, 403, 404),
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("label", "method", "path", "body", "expected"), MATRIX)
def test_who_may_do_what(world, session, api_as, role, label, method, path, body, expected):
    ids = {"session": session.pk, "member_a": world.users["member_a"].pk}
    url = "/api/v1/training-sessions/" + path.format(**ids)
    data = (
        None
        if body is None
        else {k: v.format(**ids) if isinstance(v, str) else v for k, v in body.items()}
    )
    before = snapshot()
    with time_machine.travel(START if label == "attendance" else paris(2027, 1, 4, 9), tick=False):
        response = getattr(api_as(role), method)(url, data, format="json")

    assert response.status_code == expected[role], (role, response.content[:300])
    if response.status_code >= 400:
        assert "code" in response.json()
        assert snapshot() == before


@pytest.mark.parametrize("action", ["enrol", "withdraw", "attendance"])
@pytest.mark.parametrize("role", ["member_a", "operator"])
def test_hostile_bodies_never_get_a_5xx(world, session, api_as, action, role):
    client = api_as(role)
    url = f"/api/v1/training-sessions/{session.pk}/{action}/"
    ids = st.one_of(
        st.sampled_from([world.users["member_a"].pk, world.users["member_b"].pk]), values
    )

    @FUZZ
    @given(
        body=st.one_of(
            body_of("user", "company", "waiting", "attended", ids=ids).map(json.dumps), raw_bodies
        )
    )
    def send(body: str) -> None:
        before = snapshot()
        response = client.generic("POST", url, body, content_type="application/json")
        assert response.status_code < 500, response.content[:300]
        if response.status_code >= 400:
            assert "code" in response.json()
            assert snapshot() == before

    send()


def test_hostile_query_strings_and_ids_never_get_a_5xx(world, session, api_as):
    client = api_as("member_a")

    @FUZZ
    @given(
        params=st.fixed_dictionaries(
            {}, optional={"machine": st.text(max_size=25), "platform": st.text(max_size=25)}
        ),
        pk=st.text(min_size=1, max_size=25).filter(lambda s: "/" not in s and "?" not in s),
    )
    def send(params: dict[str, str], pk: str) -> None:
        listed = client.get(
            "/api/v1/training-sessions/", {k: v.replace("\x00", "") for k, v in params.items()}
        )
        enrolled = client.post(
            f"/api/v1/training-sessions/{pk.replace(chr(0), '')}/enrol/",
            {"user": world.users["member_a"].pk},
            format="json",
        )
        assert listed.status_code < 500 and enrolled.status_code < 500

    send()


def test_a_booking_refused_for_want_of_qualification_names_the_next_session(world, session, api_as):
    world.machine.requires_qualification = True
    world.machine.save(update_fields=["requires_qualification"])

    refused = api_as("member_b").post(
        "/api/v1/bookings/",
        {
            "machine": world.machine.pk,
            "start": "2027-01-07T10:00:00+01:00",
            "end": "2027-01-07T11:00:00+01:00",
        },
        format="json",
    )

    assert (refused.status_code, refused.json()["code"]) == (400, "not_qualified")
    assert refused.json()["next_training_session"] == {
        "id": session.pk,
        "start": "2027-01-13T14:00:00+01:00",
        "url": f"/api/v1/training-sessions/{session.pk}/",
    }
