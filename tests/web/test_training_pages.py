"""Training sessions on the pages: the machine page lists them and enrols (oneself, a member one
administers, the waiting list of a full one), /bookings/ gives a seat up; operators schedule,
record attendance and cancel; hostile forms write nothing."""

import json
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.services import account_erase
from bookings.models import Booking, Enrolment, MembershipRole, TrainingSession, TrainingStatus
from bookings.services import training_enrol, training_schedule
from platforms.models import Qualification
from tests.conftest import paris
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

START, END = paris(2027, 1, 13, 14), paris(2027, 1, 13, 17)


@pytest.fixture
def session(machine: Any, operator: Any, frozen_now: Any) -> Any:
    machine.requires_qualification = True
    machine.save(update_fields=["requires_qualification"])
    return training_schedule(
        operator=operator,
        machine=machine,
        start=START,
        end=END,
        capacity=1,
        price=Decimal("150.00"),
        note="Sécurité, réglages, première pièce.",
    )


def signed_in(user: Any, language: str = "en") -> Client:
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    client = Client()
    client.force_login(user)
    return client


def test_an_unqualified_member_sees_the_next_session_and_enrols(session, machine, member):
    browser = signed_in(member)

    page = browser.get(f"/machines/{machine.pk}/").content.decode()

    assert "This machine needs a qualification you do not hold yet." in page
    assert "The next training session is on Wednesday 13 January 2027 at 14:00." in page
    assert 'href="#training"' in page and "1 seat left" in page and "150.00" in page
    membership = member.memberships.get()

    enrolled = browser.post(f"/training/{session.pk}/enrol/", {"membership": membership.pk})

    assert enrolled.status_code == 302 and enrolled["Location"].endswith("#training")
    seat = Enrolment.objects.get()
    assert (seat.user, seat.company, seat.waiting) == (member, member.company, False)
    page = browser.get(f"/machines/{machine.pk}/").content.decode()
    assert "You have a seat" in page and "Give up my seat" in page
    listed = browser.get("/bookings/").content.decode()
    assert "My training sessions" in listed and "Seat held" in listed


def test_a_full_session_offers_its_waiting_list(session, machine, member, make_member):
    training_enrol(session=session, person=member, actor=member)
    other = make_member()
    browser = signed_in(other)

    page = browser.get(f"/machines/{machine.pk}/").content.decode()
    assert "Full" in page and "Join the waiting list" in page

    browser.post(
        f"/training/{session.pk}/enrol/",
        {"membership": other.memberships.get().pk, "waiting": "on"},
    )
    assert Enrolment.objects.get(user=other).waiting


def test_an_admin_enrols_a_member_and_nobody_enrols_a_stranger(session, member, make_member):
    admin = MembershipFactory(company=member.company, role=MembershipRole.ADMIN).user
    stranger = make_member()

    signed_in(admin).post(
        f"/training/{session.pk}/enrol/", {"membership": member.memberships.get().pk}
    )
    refused = signed_in(stranger).post(
        f"/training/{session.pk}/enrol/", {"membership": member.memberships.get().pk}, follow=True
    )

    assert Enrolment.objects.get().enrolled_by == admin
    assert "Choose who takes the seat." in refused.content.decode()
    assert Enrolment.objects.count() == 1


def test_giving_up_a_seat_from_the_bookings_page(session, member, make_member):
    seat = training_enrol(session=session, person=member, actor=member)
    browser = signed_in(member)

    signed_in(make_member()).post(f"/training/seats/{seat.pk}/withdraw/")
    assert Enrolment.objects.get().withdrawn_at is None
    answer = browser.post(f"/training/seats/{seat.pk}/withdraw/", follow=True)

    assert "The seat is given up" in answer.content.decode()
    assert Enrolment.objects.get().withdrawn_at is not None


def test_a_seat_is_in_the_persons_data_and_leaves_with_the_account(session, member, make_member):
    training_enrol(session=session, person=member, actor=member)
    waiting = make_member()
    training_enrol(session=session, person=waiting, actor=waiting, waiting=True)

    data = json.loads(signed_in(member).get("/profile/my-data.json").content)
    assert [(e["machine"], e["waiting"]) for e in data["training_sessions"]] == [
        (session.machine.name, False)
    ]

    account_erase(user=member)

    # The seat goes to the person waiting; the session keeps no one's name.
    assert Enrolment.objects.get(user=waiting).waiting is False
    assert Enrolment.objects.filter(user__isnull=True).count() == 1


def test_an_operator_schedules_a_session_and_its_time_is_reserved(machine, operator, frozen_now):
    browser = signed_in(operator)
    form = {
        "machine": machine.pk,
        "start": "2027-01-14T09:00",
        "end": "2027-01-14T12:00",
        "capacity": "6",
        "min_attendance": "2",
        "cancel_hours_before": "72",
        "price": "200",
        "note": "Prérequis : aucun.",
    }

    answer = browser.post("/operator/training/", form)

    session = TrainingSession.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/operator/training/{session.pk}/"
    assert (session.start, session.end) == (paris(2027, 1, 14, 9), paris(2027, 1, 14, 12))
    assert (session.trainer, session.capacity, session.price) == (operator, 6, Decimal("200"))
    assert session.block.start == session.start
    again = browser.post("/operator/training/", form)
    assert again.status_code == 422
    assert TrainingSession.objects.count() == 1
    page = browser.get(f"/operator/training/{session.pk}/").content.decode()
    assert "0 of 6 seats taken. At least 2 participants needed." in page


def test_the_schedule_form_says_what_is_wrong(machine, operator, frozen_now):
    answer = signed_in(operator).post(
        "/operator/training/",
        {
            "machine": machine.pk,
            "start": "2027-01-14T09:00",
            "end": "2027-01-14T12:00",
            "capacity": "2",
            "min_attendance": "3",
            "cancel_hours_before": "48",
            "price": "0",
        },
    )

    assert answer.status_code == 422
    assert "At most the number of seats." in answer.content.decode()
    assert not Booking.objects.exists()


def test_attendance_on_the_session_page_qualifies(session, operator, member):
    training_enrol(session=session, person=member, actor=member)
    browser = signed_in(operator)

    before = browser.get(f"/operator/training/{session.pk}/").content.decode()
    assert "Recorded once the session begins." in before
    with time_machine.travel(START, tick=False):
        page = browser.get(f"/operator/training/{session.pk}/").content.decode()
        assert 'value="yes"' in page
        browser.post(
            f"/operator/training/{session.pk}/attendance/",
            {"person": member.pk, "attended": "yes"},
        )

    assert Qualification.objects.get(user=member, machine=session.machine).status == "granted"


def test_an_operator_cancels_a_session(session, operator, member):
    training_enrol(session=session, person=member, actor=member)

    signed_in(operator).post(
        f"/operator/training/{session.pk}/cancel/", {"reason": "Formateur absent"}
    )

    session.refresh_from_db()
    assert (session.status, session.cancellation_reason) == (
        TrainingStatus.CANCELLED,
        "Formateur absent",
    )


TEXT = st.text(max_size=40)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    form=st.fixed_dictionaries(
        {},
        optional={
            "machine": st.one_of(TEXT, st.integers()).map(str),
            "start": st.one_of(TEXT, st.sampled_from(["0001-01-01T00:00", "9999-12-31T23:59"])),
            "end": st.one_of(TEXT, st.sampled_from(["2027-03-28T02:30", "2027-01-14T12:00"])),
            "capacity": st.one_of(TEXT, st.integers()).map(str),
            "min_attendance": st.one_of(TEXT, st.integers()).map(str),
            "cancel_hours_before": st.one_of(TEXT, st.integers()).map(str),
            "company_seats": st.one_of(TEXT, st.integers()).map(str),
            "price": st.one_of(TEXT, st.decimals(allow_nan=True)).map(str),
            "trainer": st.one_of(TEXT, st.integers()).map(str),
            "note": st.text(max_size=3000),
        },
    )
)
def test_hostile_schedule_forms_never_fail_nor_half_write(
    machine: Any, operator: Any, frozen_now: Any, form: dict[str, str]
) -> None:
    browser = Client()
    browser.force_login(operator)
    cleaned = {key: value.replace("\x00", "") for key, value in form.items()}

    answer = browser.post("/operator/training/", cleaned)

    assert answer.status_code in (302, 422)
    assert TrainingSession.objects.count() == Booking.objects.count()
