"""Freed time reaches the people waiting for it: through a real SMTP server, once per freed
slot, in their language, with a link that books it."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client, TestCase

from bookings.models import Booking, BookingStatus
from bookings.services import (
    booking_cancel,
    booking_create,
    booking_move,
    booking_reject,
    waiting_join,
)
from notifications.models import Message, MessageKind, MessageStatus
from platforms.models import Machine
from tests.conftest import paris
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

START, END = paris(2027, 1, 6, 10), paris(2027, 1, 6, 12)


@pytest.fixture
def waiting(world, frozen_now):
    """Another company's booking over Wednesday 10:00–12:00, and two people waiting for it:
    the world's member (English) and someone of a third company (French)."""
    holder = MembershipFactory(user__email="titulaire@autre.example.fr").user
    third = MembershipFactory(user__email="attente@tiers.example.fr").user
    with TestCase.captureOnCommitCallbacks(execute=True):
        taken = booking_create(
            machine=world.machine,
            company=holder.memberships.get().company,
            user=holder,
            start=START,
            end=END,
        )
        for person in (world.member, third):
            waiting_join(
                machine=world.machine,
                company=person.memberships.get().company,
                user=person,
                start=START,
                end=END,
            )
    return taken, holder, [world.member, third]


def offers(smtp):
    return [m for m in smtp.received if "Time freed" in m["Subject"] or "libéré" in m["Subject"]]


def test_a_cancellation_tells_everyone_waiting_once_in_their_language(world, waiting, smtp):
    taken, holder, people = waiting
    smtp.received.clear()

    with TestCase.captureOnCommitCallbacks(execute=True):
        booking_cancel(booking=taken, user=holder)

    received = {m["To"]: m for m in offers(smtp)}
    assert set(received) == {p.email for p in people}
    english = received["john@pme.example.fr"]
    assert english["Subject"] == "Time freed on Fraiseuse 5 axes: Wednesday 6 January 2027, 10:00"
    assert "the first to book it gets it" in english.get_body(("plain",)).get_content()
    french = received["attente@tiers.example.fr"]
    # (Django folds a long encoded subject onto the next line: the parser keeps its space.)
    assert french["Subject"].strip().startswith("Créneau libéré sur Fraiseuse 5 axes : mercredi")


def test_the_same_time_freed_twice_is_told_once(world, waiting, smtp):
    taken, holder, people = waiting
    with TestCase.captureOnCommitCallbacks(execute=True):
        booking_cancel(booking=taken, user=holder)
    # Someone else takes it, then lets it go again: still one message each.
    again = booking_create(
        machine=world.machine, company=taken.company, user=holder, start=START, end=END
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        booking_cancel(booking=again, user=holder)

    assert sorted(m["To"] for m in offers(smtp)) == sorted(p.email for p in people)
    assert Message.objects.filter(kind=MessageKind.SLOT_FREED).count() == 2


def test_two_cancellations_freeing_two_parts_tell_each_part(world, waiting, smtp):
    taken, holder, people = waiting
    company = taken.company
    with TestCase.captureOnCommitCallbacks(execute=True):
        booking_cancel(booking=taken, user=holder)
        first = booking_create(
            machine=world.machine,
            company=company,
            user=holder,
            start=START,
            end=START + timedelta(hours=1),
        )
        second = booking_create(
            machine=world.machine,
            company=company,
            user=holder,
            start=START + timedelta(hours=1),
            end=END,
        )
    smtp.received.clear()

    with TestCase.captureOnCommitCallbacks(execute=True):
        booking_cancel(booking=first, user=holder)
        booking_cancel(booking=second, user=holder)

    # 10:00–11:00 and 11:00–12:00 are two slots; each person hears of each once.
    assert len(offers(smtp)) == 2 * len(people)


def test_a_slot_booked_before_its_message_goes_is_not_offered(world, waiting, settings):
    taken, holder, _people = waiting
    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        booking_cancel(booking=taken, user=holder)
    # The first to book wins before the worker sends the offers.
    booking_create(machine=world.machine, company=taken.company, user=holder, start=START, end=END)
    for callback in queued:
        callback()

    statuses = set(
        Message.objects.filter(kind=MessageKind.SLOT_FREED).values_list("status", flat=True)
    )
    assert statuses == {MessageStatus.SKIPPED}


def test_a_move_offers_the_time_it_leaves(world, waiting, smtp):
    taken, holder, _people = waiting
    smtp.received.clear()

    with TestCase.captureOnCommitCallbacks(execute=True):
        booking_move(
            booking=taken,
            user=holder,
            start=START + timedelta(hours=1),
            end=END + timedelta(hours=1),
        )

    (offer, _) = offers(smtp)
    assert "10:00–11:00" in offer.get_body(("plain",)).get_content()


def test_a_rejection_frees_the_time(world, frozen_now, smtp):
    Machine.objects.filter(pk=world.machine.pk).update(requires_approval=True)
    holder = MembershipFactory().user
    pending = booking_create(
        machine=world.machine,
        company=holder.memberships.get().company,
        user=holder,
        start=START,
        end=END,
    )
    waiting_join(
        machine=world.machine, company=world.company, user=world.member, start=START, end=END
    )
    smtp.received.clear()

    with TestCase.captureOnCommitCallbacks(execute=True):
        booking_reject(booking=pending, user=world.operator, reason="Maintenance")

    assert [m["To"] for m in offers(smtp)] == ["john@pme.example.fr"]


def test_the_offers_link_opens_the_form_on_that_slot_and_books_it(world, waiting, smtp):
    taken, holder, _people = waiting
    with TestCase.captureOnCommitCallbacks(execute=True):
        booking_cancel(booking=taken, user=holder)
    offer = next(m for m in offers(smtp) if m["To"] == "john@pme.example.fr")
    link = next(
        word for word in offer.get_body(("plain",)).get_content().split() if "/book/?" in word
    )
    address = urlsplit(link)
    browser = Client()
    browser.force_login(world.member)

    form = browser.get(f"{address.path}?{address.query}")
    assert form.status_code == 200
    page = form.content.decode()
    assert 'value="2027-01-06T10:00"' in page
    assert '<option value="120" selected>' in page

    answer = browser.post(
        address.path,
        {"start": "2027-01-06T10:00", "length": "120", "company": world.company.pk},
    )

    assert answer.status_code == 302
    booked = Booking.objects.get(company=world.company)
    assert (booked.start, booked.end, booked.status) == (START, END, BookingStatus.CONFIRMED)
