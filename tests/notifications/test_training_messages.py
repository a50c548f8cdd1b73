"""Training sessions told to the people in them, through a real SMTP server: a seat, a place on
the waiting list, the seat a withdrawal gives, a session that cancels itself for want of people
(and the time it frees told to those waiting for the machine)."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import TestCase

from billing.models import BillableLine, LineKind
from bookings.services import (
    training_enrol,
    training_schedule,
    training_withdraw,
    trainings_decide,
    waiting_join,
)
from notifications.models import Message, MessageKind
from tests.conftest import paris
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

START, END = paris(2027, 1, 13, 14), paris(2027, 1, 13, 17)


@pytest.fixture
def session(world, frozen_now):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return training_schedule(
            operator=world.operator,
            machine=world.machine,
            start=START,
            end=END,
            capacity=1,
            min_attendance=1,
            price=Decimal("120.00"),
        )


def subjects(smtp, to):
    return [m["Subject"].strip() for m in smtp.received if m["To"] == to]


def test_a_seat_then_the_waiting_list_then_the_freed_seat(world, session, smtp):
    with TestCase.captureOnCommitCallbacks(execute=True):
        seat = training_enrol(session=session, person=world.member, actor=world.member)
        training_enrol(session=session, person=world.admin, actor=world.admin, waiting=True)

    assert subjects(smtp, world.member.email) == [
        "Your seat: training on Fraiseuse 5 axes, Wednesday 13 January 2027, 14:00"
    ]
    french = subjects(smtp, world.admin.email)
    assert len(french) == 1 and french[0].startswith("Sur liste d’attente : formation")
    smtp.received.clear()

    with TestCase.captureOnCommitCallbacks(execute=True):
        training_withdraw(enrolment=seat, actor=world.member)

    [given] = [m for m in smtp.received if m["To"] == world.admin.email]
    assert given["Subject"].strip().startswith("Votre place : formation sur Fraiseuse 5 axes")
    body = given.get_body(("plain",)).get_content()
    assert "Une place s’est libérée" in body
    assert subjects(smtp, world.member.email) == []


def test_a_seat_is_billed_like_machine_time_and_withdrawing_unbills_it(world, session):
    seat = training_enrol(session=session, person=world.member, actor=world.member)

    line = BillableLine.objects.get(enrolment=seat)
    assert (line.kind, line.company, line.total_ht) == (
        LineKind.TRAINING,
        world.company,
        Decimal("120.00"),
    )
    assert line.service_date == START.date()
    assert "Fraiseuse 5 axes" in line.label

    training_withdraw(enrolment=seat, actor=world.member)
    assert not BillableLine.objects.exists()


def test_too_few_at_the_deadline_cancels_and_tells_everyone_once(world, smtp):
    waiter = MembershipFactory(user__email="attente@tiers.example.fr").user
    with (
        time_machine.travel(paris(2027, 1, 4, 9), tick=False),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        session = training_schedule(
            operator=world.operator,
            machine=world.machine,
            start=START,
            end=END,
            capacity=4,
            min_attendance=2,
            price=Decimal("80.00"),
        )
        training_enrol(session=session, person=world.member, actor=world.member)
        # Someone waits for the machine's time the session holds.
        waiting_join(
            machine=world.machine,
            company=waiter.memberships.get().company,
            user=waiter,
            start=START,
            end=START + timedelta(hours=2),
        )
    smtp.received.clear()

    with time_machine.travel(START - timedelta(hours=47), tick=False):
        for _ in range(2):
            with TestCase.captureOnCommitCallbacks(execute=True):
                trainings_decide()

    assert subjects(smtp, world.member.email) == [
        "Training cancelled: Fraiseuse 5 axes, Wednesday 13 January 2027, 14:00"
    ]
    cancelled = next(m for m in smtp.received if m["To"] == world.member.email)
    assert "Too few people enrolled by the deadline" in cancelled.get_body(("plain",)).get_content()
    # The freed time reaches the person waiting for the machine.
    assert len(subjects(smtp, waiter.email)) == 1
    assert Message.objects.filter(kind=MessageKind.TRAINING_CANCELLED).count() == 1
    assert not BillableLine.objects.filter(kind=LineKind.TRAINING).exists()
