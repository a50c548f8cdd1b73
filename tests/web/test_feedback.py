"""After use: a member says how it went; a problem reaches the operators, who close it or put
the machine in maintenance in one step."""

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings import exceptions as exc
from bookings.models import UsageFeedback
from bookings.services import booking_create, feedback_give
from platforms.models import Closure, ClosureKind
from tests.conftest import paris

pytestmark = pytest.mark.django_db

START = paris(2027, 1, 6, 10)


@pytest.fixture
def used(machine: Any, member: Any, frozen_now: Any) -> Any:
    booking = booking_create(
        machine=machine,
        company=member.company,
        user=member,
        start=START,
        end=START + timedelta(hours=2),
    )
    with time_machine.travel(START + timedelta(hours=3), tick=False):
        yield booking


def signed_in(person: Any) -> Client:
    person.preferred_language = "en"
    person.save(update_fields=["preferred_language"])
    client = Client()
    client.force_login(person)
    return client


def test_the_booking_page_asks_how_it_went_once_it_began(used, member):
    browser = signed_in(member)

    page = browser.get(f"/bookings/{used.pk}/").content.decode()
    assert "How did it go?" in page and "Did the machine work?" in page

    answered = browser.post(
        f"/bookings/{used.pk}/feedback/",
        {"worked": "no", "report": "La buse est bouchée."},
        follow=True,
    )

    page = answered.content.decode()
    assert "the platform&#x27;s operators will look into the problem" in page
    assert "The machine did not work." in page and "La buse est bouchée." in page
    assert "Did the machine work?" not in page
    feedback = UsageFeedback.objects.get()
    assert (feedback.worked, feedback.given_by) == (False, member)


def test_nothing_is_asked_before_the_start_nor_twice(machine, member, frozen_now):
    booking = booking_create(
        machine=machine,
        company=member.company,
        user=member,
        start=START,
        end=START + timedelta(hours=1),
    )
    assert (
        "How did it go?" not in signed_in(member).get(f"/bookings/{booking.pk}/").content.decode()
    )
    with pytest.raises(exc.FeedbackNotYet):
        feedback_give(booking=booking, user=member, worked=True)

    with time_machine.travel(START + timedelta(hours=2), tick=False):
        feedback_give(booking=booking, user=member, worked=True)
        with pytest.raises(exc.FeedbackGiven):
            feedback_give(booking=booking, user=member, worked=False)
    assert UsageFeedback.objects.count() == 1


def test_someone_of_another_company_cannot_answer(used, make_member):
    stranger = make_member()

    answer = signed_in(stranger).post(f"/bookings/{used.pk}/feedback/", {"worked": "no"})

    assert answer.status_code == 404
    assert not UsageFeedback.objects.exists()


def test_a_problem_reaches_the_operator_who_puts_the_machine_in_maintenance(used, member, operator):
    feedback_give(booking=used, user=member, worked=False, report="Le laser ne s'allume plus.")
    desk = signed_in(operator)

    home = desk.get("/operator/").content.decode()
    assert "Problems reported after use" in home and "Le laser ne s&#x27;allume plus." in home
    incident = UsageFeedback.objects.get()
    page = desk.get(f"/operator/incidents/{incident.pk}/")
    assert page.status_code == 200

    placed = desk.post(
        f"/operator/incidents/{incident.pk}/",
        {"start": "2027-01-06T14:00", "end": "2027-01-07T18:00"},
        follow=True,
    )

    closure = Closure.objects.get()
    assert closure.kind == ClosureKind.MAINTENANCE and closure.machine == used.machine
    assert closure.reason == "Le laser ne s'allume plus."
    assert "is out for maintenance" in placed.content.decode()
    incident.refresh_from_db()
    assert incident.closure == closure and incident.handled_at is not None
    assert "Problems reported after use" not in desk.get("/operator/").content.decode()


def test_an_operator_closes_an_incident_and_nobody_else_sees_it(
    used, member, operator, make_member
):
    feedback_give(booking=used, user=member, worked=True, report="Il manque une clé Allen.")
    incident = UsageFeedback.objects.get()
    outsider = make_member()

    assert signed_in(outsider).get(f"/operator/incidents/{incident.pk}/").status_code == 404
    signed_in(operator).post(f"/operator/incidents/{incident.pk}/close/")

    incident.refresh_from_db()
    assert incident.handled_at is not None and incident.closure is None


def test_a_smooth_use_is_no_incident(used, member, operator):
    feedback_give(booking=used, user=member, worked=True)

    assert (
        "Problems reported after use" not in signed_in(operator).get("/operator/").content.decode()
    )


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.fixed_dictionaries(
        {},
        optional={
            "worked": st.one_of(st.text(max_size=5), st.sampled_from(["yes", "no"])),
            "report": st.one_of(st.text(max_size=50), st.just("x" * 3000), st.just("\x00<script>")),
        },
    )
)
def test_hostile_feedback_is_refused_or_kept_whole(used, member, data):
    UsageFeedback.objects.all().delete()

    answer = signed_in(member).post(f"/bookings/{used.pk}/feedback/", data)

    assert answer.status_code == 302
    for feedback in UsageFeedback.objects.all():
        assert len(feedback.report) <= 2000 and "\x00" not in feedback.report
