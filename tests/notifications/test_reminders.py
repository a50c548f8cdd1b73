"""Reminders as time moves forward: exactly one per booking, none stale."""

from datetime import timedelta

import pytest
import time_machine
from django.test import TestCase

from bookings.services import booking_cancel, booking_create, booking_move
from notifications.models import Message, MessageKind, MessageStatus
from notifications.services import messages_relay, reminders_queue
from tests.conftest import NOW, paris

pytestmark = pytest.mark.django_db


def run_jobs_until(end, step=timedelta(minutes=15)):
    """The periodic jobs (reminders, the relay) every quarter of an hour from NOW to ``end``."""
    moment = NOW
    while moment <= end:
        with (
            time_machine.travel(moment, tick=False),
            TestCase.captureOnCommitCallbacks(execute=True),
        ):
            reminders_queue()
            messages_relay()
        moment += step


def reminders(mailoutbox):
    return [mail for mail in mailoutbox if mail.subject.startswith(("Reminder", "Rappel"))]


@pytest.fixture
def bookings(world, frozen_now):
    def make(day, hour=10):
        return booking_create(
            machine=world.machine,
            company=world.company,
            user=world.member,
            start=paris(2027, 1, day, hour),
            end=paris(2027, 1, day, hour + 2),
        )

    return make


def test_each_booking_gets_exactly_one_reminder_a_day_before(world, bookings, mailoutbox):
    # given: bookings on Wednesday and Thursday (made on Monday)
    wednesday, thursday = bookings(6), bookings(7)
    mailoutbox.clear()

    # when: three days go by, the jobs running every quarter of an hour
    run_jobs_until(paris(2027, 1, 7, 23))

    # then
    sent = reminders(mailoutbox)
    assert [mail.subject for mail in sent] == [
        "Reminder: Fraiseuse 5 axes, Wednesday 6 January 2027, 10:00",
        "Reminder: Fraiseuse 5 axes, Thursday 7 January 2027, 10:00",
    ]
    first = Message.objects.get(kind=MessageKind.BOOKING_REMINDER, booking=wednesday)
    assert first.sent_at == paris(2027, 1, 5, 10), "24 h before, on the first round due"
    assert Message.objects.filter(kind=MessageKind.BOOKING_REMINDER, booking=thursday).count() == 1


def test_no_reminder_for_a_booking_cancelled_or_moved_away_in_between(world, bookings, mailoutbox):
    # given
    cancelled, moved = bookings(6), bookings(6, 14)
    bookings(7)
    with time_machine.travel(paris(2027, 1, 4, 12), tick=False):
        booking_cancel(booking=cancelled, user=world.member)
        booking_move(
            booking=moved,
            user=world.member,
            start=paris(2027, 1, 20, 14),
            end=paris(2027, 1, 20, 16),
        )
    mailoutbox.clear()

    # when
    run_jobs_until(paris(2027, 1, 7, 23))

    # then: only the booking still there at that time is reminded
    assert [mail.subject for mail in reminders(mailoutbox)] == [
        "Reminder: Fraiseuse 5 axes, Thursday 7 January 2027, 10:00"
    ]
    assert not Message.objects.filter(kind=MessageKind.BOOKING_REMINDER, booking=cancelled)


def test_a_reminder_recorded_before_a_change_is_not_sent_stale(world, bookings, mailoutbox):
    # given: the reminder is recorded, then the booking is moved before the send
    booking = bookings(6)
    with time_machine.travel(paris(2027, 1, 5, 10, 30), tick=False):
        reminders_queue()  # recorded, its send not run
        booking_move(
            booking=booking,
            user=world.member,
            start=paris(2027, 1, 13, 10),
            end=paris(2027, 1, 13, 12),
        )
    mailoutbox.clear()

    # when: the relay finds it
    with (
        time_machine.travel(paris(2027, 1, 5, 10, 45), tick=False),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        messages_relay()

    # then: not sent; the new date gets its own reminder in time
    stale = Message.objects.get(kind=MessageKind.BOOKING_REMINDER)
    assert stale.status == MessageStatus.SKIPPED
    assert reminders(mailoutbox) == []
    with time_machine.travel(paris(2027, 1, 12, 10, 5), tick=False):
        assert reminders_queue() == 1


def test_no_reminder_for_whoever_declined_them_or_on_a_platform_that_sends_none(
    world, bookings, mailoutbox
):
    world.member.wants_reminders = False
    world.member.save()
    bookings(6)
    run_jobs_until(paris(2027, 1, 6, 9))
    assert reminders(mailoutbox) == []

    world.member.wants_reminders = True
    world.member.save()
    world.platform.reminder_hours = 0
    world.platform.save()
    bookings(7)
    run_jobs_until(paris(2027, 1, 7, 9), step=timedelta(hours=1))
    assert reminders(mailoutbox) == []


def test_a_platform_may_remind_earlier(world, bookings, mailoutbox):
    world.platform.reminder_hours = 48
    world.platform.save()
    booking = bookings(8)

    run_jobs_until(paris(2027, 1, 6, 12), step=timedelta(minutes=30))

    reminder = Message.objects.get(kind=MessageKind.BOOKING_REMINDER, booking=booking)
    assert reminder.sent_at == paris(2027, 1, 6, 10)


def test_a_round_asks_once_per_due_booking_not_once_per_contact(
    world, bookings, django_assert_max_num_queries
):
    from bookings.models import Booking
    from notifications.selectors import booking_contacts

    booking = bookings(6)
    Booking.objects.filter(pk=booking.pk).update(booked_by=None)  # its admins hear of it
    contacts = booking_contacts(booking=Booking.objects.get(pk=booking.pk))

    # Their preferences come with them: deciding who wants a reminder reads nothing more.
    with django_assert_max_num_queries(0):
        wanted = [contact.email for contact in contacts if contact.wants_reminders]
    assert wanted == [world.admin.email]
