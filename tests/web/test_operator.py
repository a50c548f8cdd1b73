"""The operator's day: what it lists, its actions in place, and the platforms it does not
reach (404, database unchanged)."""

from typing import Any

import pytest
import time_machine
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings.models import Booking, BookingStatus
from bookings.services import booking_create
from platforms.models import QualificationStatus
from platforms.services import qualification_request
from tests.conftest import paris
from tests.factories import CompanyFactory, MachineFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: Any, make_member: Any) -> dict[str, Any]:
    """An operator of platforms A and B; platform C is someone else's."""
    operator = UserFactory(display_name="Opératrice")
    a = MachineFactory(name="Laser A", requires_approval=True, min_notice_hours=0)
    b = MachineFactory(name="Tour B", min_notice_hours=0)
    c = MachineFactory(name="Robot C", requires_approval=True, min_notice_hours=0)
    a.platform.operators.add(operator)
    b.platform.operators.add(operator)
    member = make_member()
    return {"operator": operator, "a": a, "b": b, "c": c, "member": member}


def _book(world: dict[str, Any], machine: str, day: int = 6, hour: int = 10) -> Booking:
    return booking_create(
        machine=world[machine],
        company=world["member"].company,
        user=world["member"],
        start=paris(2027, 1, day, hour),
        end=paris(2027, 1, day, hour + 1),
    )


def test_the_day_lists_only_the_operators_platforms(
    client: Any, world: dict[str, Any], frozen_now: Any
) -> None:
    mine = _book(world, "a")
    _book(world, "c")
    client.force_login(world["operator"])
    page = client.get("/operator/")
    assert [b.pk for b in page.context["day"].pending] == [mine.pk]
    assert "Robot C" not in page.content.decode()


def test_someone_operating_nothing_gets_a_404(client: Any, member: Any) -> None:
    client.force_login(member)
    assert client.get("/operator/").status_code == 404


def test_approve_and_reject_in_place(client: Any, world: dict[str, Any], frozen_now: Any) -> None:
    first, second = _book(world, "a", hour=10), _book(world, "a", hour=14)
    client.force_login(world["operator"])
    approved = client.post(reverse("web:operator-approve", args=[first.pk]), HTTP_HX_REQUEST="true")
    no_reason = client.post(
        reverse("web:operator-reject", args=[second.pk]), {"reason": ""}, HTTP_HX_REQUEST="true"
    )
    rejected = client.post(
        reverse("web:operator-reject", args=[second.pk]), {"reason": "Machine en révision"}
    )
    assert approved.status_code == 200 and "Laser A" in approved.content.decode()
    assert no_reason.status_code == 422
    assert rejected.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == BookingStatus.CONFIRMED
    assert second.status == BookingStatus.REJECTED
    assert second.rejection_reason == "Machine en révision"


def test_usage_of_yesterday_is_recorded(client: Any, world: dict[str, Any]) -> None:
    with time_machine.travel(paris(2027, 1, 4, 9), tick=False):
        booking = _book(world, "b", day=5, hour=10)
    with time_machine.travel(paris(2027, 1, 6, 9), tick=False):
        client.force_login(world["operator"])
        page = client.get("/operator/")
        assert [b.pk for b in page.context["day"].to_record] == [booking.pk]
        answer = client.post(
            reverse("web:operator-usage", args=[booking.pk]),
            {"actual_start": "2027-01-05T10:15", "actual_end": "2027-01-05T11:00"},
        )
    assert answer.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED
    assert booking.actual_start == paris(2027, 1, 5, 10, 15)


def test_qualification_requests_and_companies_are_answered(
    client: Any, world: dict[str, Any], member: Any
) -> None:
    request = qualification_request(user=member, machine=world["a"])
    waiting = CompanyFactory(name="Nouvelle PME", validated_at=None)
    client.force_login(world["operator"])
    page = client.get("/operator/")
    assert request in page.context["day"].qualifications
    assert waiting in page.context["day"].companies
    client.post(reverse("web:operator-qualification", args=[request.pk, "grant"]))
    client.post(reverse("web:operator-validate", args=[waiting.pk]))
    request.refresh_from_db()
    waiting.refresh_from_db()
    assert request.status == QualificationStatus.GRANTED
    assert waiting.validated_at is not None and waiting.validated_by == world["operator"]


def test_another_platforms_objects_are_not_found_and_unchanged(
    client: Any, world: dict[str, Any], member: Any, frozen_now: Any
) -> None:
    theirs = _book(world, "c")
    request = qualification_request(user=member, machine=world["c"])
    client.force_login(world["operator"])
    answers = [
        client.post(reverse("web:operator-approve", args=[theirs.pk])),
        client.post(reverse("web:operator-reject", args=[theirs.pk]), {"reason": "x"}),
        client.post(
            reverse("web:operator-usage", args=[theirs.pk]),
            {"actual_start": "2027-01-06T10:00", "actual_end": "2027-01-06T11:00"},
        ),
        client.post(reverse("web:operator-qualification", args=[request.pk, "grant"])),
        client.post(reverse("web:operator-qualification", args=[request.pk, "refuse"])),
        client.post(reverse("web:operator-qualification", args=[request.pk, "other"])),
    ]
    assert [answer.status_code for answer in answers] == [404] * 6
    theirs.refresh_from_db()
    request.refresh_from_db()
    assert theirs.status == BookingStatus.PENDING and theirs.version == 1
    assert request.status == QualificationStatus.REQUESTED


def test_the_day_reads_a_fixed_number_of_queries(
    client: Any, world: dict[str, Any], frozen_now: Any, django_assert_max_num_queries: Any
) -> None:
    for hour in range(8, 16):
        _book(world, "a", hour=hour)
        if hour >= 10:
            _book(world, "b", day=5, hour=hour)
    client.force_login(world["operator"])
    client.get("/operator/")
    # session, user, platforms (twice), six lists, the problems reported after use, the
    # header's "Operator" link
    with django_assert_max_num_queries(12):
        client.get("/operator/")


def test_the_header_leads_operators_only_to_their_pages(
    client: Any, world: dict[str, Any], member: Any
) -> None:
    operator_link = f'href="{reverse("web:operator")}"'
    client.force_login(world["operator"])
    seen_by_operator = client.get(reverse("web:machines")).content.decode()
    client.force_login(member)
    seen_by_member = client.get(reverse("web:machines")).content.decode()
    assert operator_link in seen_by_operator and operator_link not in seen_by_member


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    reason=st.text(max_size=1200),
    start=st.one_of(
        st.text(max_size=30), st.sampled_from(["0001-01-01T00:00", "9999-12-31T23:59"])
    ),
    end=st.text(max_size=30),
)
def test_hostile_operator_forms_never_fail(
    client: Any, world: dict[str, Any], reason: str, start: str, end: str
) -> None:
    booking = Booking.objects.filter(machine=world["a"]).first()
    if booking is None:
        with time_machine.travel(paris(2027, 1, 4, 9), tick=False):
            booking = _book(world, "a")
    client.force_login(world["operator"])
    rejected = client.post(reverse("web:operator-reject", args=[booking.pk]), {"reason": reason})
    usage = client.post(
        reverse("web:operator-usage", args=[booking.pk]),
        {"actual_start": start, "actual_end": end},
    )
    assert rejected.status_code == 302 and usage.status_code == 302
    # Refused with a reason or left pending; never completed (a pending booking has no usage).
    booking.refresh_from_db()
    assert booking.status in (BookingStatus.PENDING, BookingStatus.REJECTED)
    assert booking.actual_start is None


def test_qualifications_page_grants_with_expiry_and_withdraws(
    client: Any, world: dict[str, Any], member: Any
) -> None:
    mine = qualification_request(user=member, machine=world["a"])
    theirs = qualification_request(user=member, machine=world["c"])
    client.force_login(world["operator"])
    page = client.get("/operator/qualifications/")
    assert list(page.context["rows"]) == [mine]
    bad = client.post(
        reverse("web:operator-qualification", args=[mine.pk, "grant"]),
        {"valid_until": "0001-01-01"},
    )
    granted = client.post(
        reverse("web:operator-qualification", args=[mine.pk, "grant"]),
        {"valid_until": "2027-06-30"},
    )
    mine.refresh_from_db()
    assert bad.status_code == 302 and granted.status_code == 302
    assert mine.status == QualificationStatus.GRANTED and str(mine.valid_until) == "2027-06-30"
    client.post(reverse("web:operator-qualification", args=[mine.pk, "refuse"]))
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == QualificationStatus.REFUSED
    assert theirs.status == QualificationStatus.REQUESTED


def test_started_then_ended_in_one_click_each(client: Any, world: dict[str, Any]) -> None:
    with time_machine.travel(paris(2027, 1, 4, 9), tick=False):
        booking = _book(world, "b", day=6, hour=10)
    with time_machine.travel(paris(2027, 1, 6, 10, 5), tick=False):
        client.force_login(world["operator"])
        page = client.get("/operator/")
        assert "Démarrée" in page.content.decode()
        client.post(reverse("web:operator-started", args=[booking.pk]), HTTP_HX_REQUEST="true")
    booking.refresh_from_db()
    assert booking.actual_start == paris(2027, 1, 6, 10, 5)
    assert booking.status == BookingStatus.CONFIRMED
    with time_machine.travel(paris(2027, 1, 6, 11, 20), tick=False):
        client.post(reverse("web:operator-ended", args=[booking.pk]))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED
    assert booking.actual_end == paris(2027, 1, 6, 11, 20)


def test_started_is_refused_on_another_day(client: Any, world: dict[str, Any]) -> None:
    with time_machine.travel(paris(2027, 1, 4, 9), tick=False):
        booking = _book(world, "b", day=8, hour=10)
        client.force_login(world["operator"])
        answer = client.post(reverse("web:operator-started", args=[booking.pk]))
    assert answer.status_code == 302
    booking.refresh_from_db()
    assert booking.actual_start is None
