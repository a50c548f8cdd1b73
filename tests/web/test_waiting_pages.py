"""Waiting lists on the pages: a taken slot offers "Tell me if it frees up", the bookings' page
lists the entries and leaves them; hostile posts never write half an entry."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings.models import WaitingEntry
from bookings.services import booking_create
from tests.conftest import paris

pytestmark = pytest.mark.django_db

START = paris(2027, 1, 6, 10)
SLOT = {"start": "2027-01-06T10:00", "length": "60"}


@pytest.fixture
def taken(machine: Any, make_member: Any, frozen_now: Any) -> Any:
    other = make_member()
    return booking_create(
        machine=machine,
        company=other.company,
        user=other,
        start=START,
        end=START + timedelta(hours=2),
    )


@pytest.fixture
def browser(member: Any) -> Client:
    member.preferred_language = "en"
    member.save(update_fields=["preferred_language"])
    client = Client()
    client.force_login(member)
    SLOT["company"] = str(member.company.pk)
    return client


def test_a_taken_slot_offers_the_waiting_list_and_joining_lists_it(taken, machine, browser):
    refused = browser.post(f"/machines/{machine.pk}/book/", SLOT)

    assert refused.status_code == 422
    page = refused.content.decode()
    assert "another booking overlaps it" in page
    assert 'name="wait"' in page and "Tell me if it frees up" in page

    joined = browser.post(f"/machines/{machine.pk}/book/", {**SLOT, "wait": "1"}, follow=True)

    entry = WaitingEntry.objects.get()
    assert (entry.start, entry.end) == (START, START + timedelta(hours=1))
    page = joined.content.decode()
    assert "You are on the waiting list" in page
    assert "My waiting lists" in page and machine.name in page


def test_the_waiting_list_is_offered_only_when_the_slot_is_taken(taken, machine, browser):
    closed = browser.post(f"/machines/{machine.pk}/book/", {**SLOT, "start": "2027-01-06T03:00"})

    assert closed.status_code == 422
    assert 'name="wait"' not in closed.content.decode()


def test_joining_with_htmx_answers_in_place(taken, machine, browser):
    answer = browser.post(
        f"/machines/{machine.pk}/book/", {**SLOT, "wait": "1"}, HTTP_HX_REQUEST="true"
    )

    assert answer.status_code == 200
    assert "You are on the waiting list" in answer.content.decode()
    assert "Wed 6 Jan 2027, 10:00–11:00" in answer.content.decode()


def test_waiting_twice_is_said_in_the_form(taken, machine, browser):
    browser.post(f"/machines/{machine.pk}/book/", {**SLOT, "wait": "1"})

    again = browser.post(f"/machines/{machine.pk}/book/", {**SLOT, "wait": "1"})

    assert again.status_code == 422
    assert "already on this machine&#x27;s waiting list" in again.content.decode()
    assert WaitingEntry.objects.count() == 1


def test_a_person_leaves_a_waiting_list_from_the_bookings_page(taken, machine, browser):
    browser.post(f"/machines/{machine.pk}/book/", {**SLOT, "wait": "1"})
    entry = WaitingEntry.objects.get()

    left = browser.post(f"/bookings/waiting/{entry.pk}/leave/", follow=True)

    page = left.content.decode()
    assert "You have left this waiting list." in page
    assert "My waiting lists" not in page
    assert browser.post(f"/bookings/waiting/{entry.pk}/leave/").status_code == 404


hostile = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["0001-01-01T00:00", "9999-12-31T23:59", "2027-03-28T02:30", "<script>", "\x00", "-60"]
    ),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.fixed_dictionaries(
        {"wait": st.just("1")},
        optional={"start": hostile, "length": hostile, "end": hostile, "company": hostile},
    )
)
def test_hostile_waiting_posts_answer_a_form_and_write_nothing_wrong(
    taken: Any, machine: Any, browser: Client, data: dict[str, str]
) -> None:
    WaitingEntry.objects.all().delete()

    answer = browser.post(f"/machines/{machine.pk}/book/", data)

    assert answer.status_code in (302, 422)
    for entry in WaitingEntry.objects.all():
        assert entry.start < entry.end and entry.machine == machine
