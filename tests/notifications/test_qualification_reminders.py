"""A month before a qualification stops counting, its holder is told once per end day — by
e-mail through a real SMTP server, in their language — and not if it was renewed since."""

from datetime import date, timedelta

import pytest
import time_machine
from django.test import TestCase

from bookings.services import booking_create
from notifications.models import Message, MessageKind, MessageStatus
from notifications.qualifications import qualification_reminders_queue
from platforms.models import Machine
from platforms.services import qualification_grant
from tests.conftest import paris

pytestmark = pytest.mark.django_db


@pytest.fixture
def qualified(world, frozen_now):
    Machine.objects.filter(pk=world.machine.pk).update(requires_qualification=True)
    world.machine.refresh_from_db()
    return qualification_grant(
        operator=world.operator,
        user=world.member,
        machine=world.machine,
        valid_until=date(2027, 1, 31),
    )


def test_a_qualification_ending_within_a_month_is_told_once(world, qualified, smtp):
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert qualification_reminders_queue() == 1
        assert qualification_reminders_queue() == 0

    (told,) = [m for m in smtp.received if "ends on" in m["Subject"]]
    assert told["To"] == "john@pme.example.fr"
    assert (
        told["Subject"] == "Your qualification on Fraiseuse 5 axes ends on Sunday 31 January 2027"
    )
    assert "ask the platform to qualify you again" in told.get_body(("plain",)).get_content()


def test_nothing_is_told_far_ahead_nor_after_the_end(world, qualified):
    qualified.valid_until = date(2027, 3, 1)
    qualified.save()
    assert qualification_reminders_queue() == 0
    with time_machine.travel(paris(2027, 3, 2, 9), tick=False):
        assert qualification_reminders_queue() == 0


def test_a_renewed_qualification_is_not_told_its_old_end(world, qualified, smtp):
    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        qualification_reminders_queue()
    qualification_grant(
        operator=world.operator,
        user=world.member,
        machine=world.machine,
        valid_until=date(2028, 1, 31),
    )
    for callback in queued:
        callback()

    reminder = Message.objects.get(kind=MessageKind.QUALIFICATION_EXPIRING)
    assert reminder.status == MessageStatus.SKIPPED


def test_a_lapse_is_told_with_how_to_keep_the_qualification(world, frozen_now, smtp):
    Machine.objects.filter(pk=world.machine.pk).update(
        requires_qualification=True, qualification_lapse_months=2
    )
    world.machine.refresh_from_db()
    qualification_grant(operator=world.operator, user=world.admin, machine=world.machine)

    with time_machine.travel(paris(2027, 2, 10, 9), tick=False):
        with TestCase.captureOnCommitCallbacks(execute=True):
            assert qualification_reminders_queue() == 1
        (told,) = [m for m in smtp.received if "habilitation" in m["Subject"]]
        assert told["To"] == "dirigeante@pme.example.fr"
        assert "jeudi 4 mars 2027" in told["Subject"]
        assert "sans réservation de la machine" in told.get_body(("plain",)).get_content()
        # A booking planned keeps it alive: no reminder for the 4 March end any more.
        start = paris(2027, 2, 24, 10)
        booking_create(
            machine=world.machine,
            company=world.company,
            user=world.admin,
            start=start,
            end=start + timedelta(hours=1),
        )
        assert qualification_reminders_queue() == 0
