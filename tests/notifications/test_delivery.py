"""Delivery through a real SMTP server: once, with retries, never lost, never twice."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.admin.sites import site
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from bookings.services import booking_create
from core.events import announcements_muted
from notifications.models import Message, MessageKind, MessageStatus
from notifications.services import message_send, messages_relay
from notifications.tasks import send_message_task
from tests.conftest import paris
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

START, END = paris(2027, 1, 6, 10), paris(2027, 1, 6, 12)


def book(world, **kwargs):
    return booking_create(
        machine=world.machine,
        company=world.company,
        user=world.member,
        start=START,
        end=END,
        **kwargs,
    )


def test_the_confirmation_reaches_a_real_smtp_server_with_its_message_id(world, frozen_now, smtp):
    with TestCase.captureOnCommitCallbacks(execute=True):
        booking = book(world)

    (received,) = smtp.received
    message = Message.objects.get()
    assert received["To"] == "john@pme.example.fr"
    assert received["Message-ID"] == message.message_id
    assert received["Subject"].startswith("Booking confirmed: Fraiseuse 5 axes")
    parts = {part.get_content_type(): part for part in received.walk()}
    assert {"text/plain", "text/html", "text/calendar"} <= set(parts)
    assert f"booking-{booking.pk}@" in parts["text/calendar"].get_content()
    assert message.status == MessageStatus.SENT and message.attempts == 1


def test_a_rollback_leaves_no_message_and_sends_nothing(world, frozen_now, smtp):
    with (
        TestCase.captureOnCommitCallbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        book(world)
        raise RuntimeError("the request failed after booking")

    assert Message.objects.count() == 0
    assert callbacks == []
    assert smtp.received == []


def test_a_duplicate_or_redelivered_task_sends_nothing_more(world, frozen_now, smtp):
    with TestCase.captureOnCommitCallbacks(execute=True):
        book(world)
    message = Message.objects.get()

    assert send_message_task.delay(message.pk).get() == MessageStatus.SENT
    assert send_message_task.delay(message.pk).get() == MessageStatus.SENT

    assert len(smtp.received) == 1
    message.refresh_from_db()
    assert message.attempts == 1


def test_the_same_event_recorded_twice_is_one_message(world, frozen_now):
    from notifications.services import Outgoing, messages_record

    booking = book(world)
    item = Outgoing(
        kind=MessageKind.BOOKING_CONFIRMED,
        recipient=world.member,
        platform=world.platform,
        booking=booking,
        key=Message.objects.get().idempotency_key,
    )

    assert messages_record([item]) == []
    assert Message.objects.count() == 1


def test_of_a_batch_only_the_new_messages_are_recorded_and_queued(world, frozen_now):
    from notifications.services import Outgoing, messages_record

    booking = book(world)
    known = Message.objects.get()

    def item(key, recipient):
        return Outgoing(
            kind=MessageKind.BOOKING_CONFIRMED,
            recipient=recipient,
            platform=world.platform,
            booking=booking,
            key=key,
        )

    with TestCase.captureOnCommitCallbacks() as callbacks:
        ids = messages_record(
            [
                item(known.idempotency_key, world.member),
                item("fresh:1", world.admin),
                item("fresh:1", world.admin),  # the same event twice in one batch
                item("fresh:2", world.operator),
            ]
        )

    fresh = Message.objects.exclude(pk=known.pk)
    assert sorted(ids) == sorted(fresh.values_list("pk", flat=True))
    assert sorted(fresh.values_list("idempotency_key", "recipient__email")) == [
        ("fresh:1", world.admin.email),
        ("fresh:2", world.operator.email),
    ]
    assert len(callbacks) == 1  # one hand-over of the new ids to the workers, on commit


def test_a_transient_smtp_failure_is_retried_with_backoff_then_delivered(world, frozen_now, smtp):
    # given: the server answers "try later" twice
    smtp.replies = ["451 4.3.0 Try again later", "421 4.3.2 Service not available"]

    # when: the booking is made, then the relay runs as time passes
    with TestCase.captureOnCommitCallbacks(execute=True):
        book(world)

    # then: the booking stands, the message waits for its next attempt
    message = Message.objects.get()
    assert message.status == MessageStatus.PENDING
    assert message.attempts == 1
    assert "451" in message.last_error
    assert message.next_attempt_at == frozen_now + timedelta(seconds=30)
    with time_machine.travel(frozen_now + timedelta(seconds=30), tick=False):
        assert messages_relay() == 0, "not before the relay's delay"
    with time_machine.travel(frozen_now + timedelta(seconds=95), tick=False):
        assert messages_relay() == 1
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.next_attempt_at == frozen_now + timedelta(seconds=95 + 60)
    with time_machine.travel(frozen_now + timedelta(seconds=300), tick=False):
        messages_relay()
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 3
    assert len(smtp.received) == 1


def test_after_the_last_attempt_the_message_is_failed_and_staff_send_it_again(
    world, frozen_now, smtp, settings, client
):
    # given: a server that refuses every attempt
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    smtp.replies = ["451 busy"] * 2
    with TestCase.captureOnCommitCallbacks(execute=True):
        book(world)
    with time_machine.travel(frozen_now + timedelta(minutes=10), tick=False):
        messages_relay()
    message = Message.objects.get()
    assert message.status == MessageStatus.FAILED
    assert smtp.received == []

    # when: staff retry it from the admin
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    changelist = reverse("admin:notifications_message_changelist")
    page = client.get(changelist)
    assert page.status_code == 200
    assert "En échec" in page.content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            changelist, {"action": "retry", "_selected_action": [message.pk]}, follow=True
        )

    # then
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert len(smtp.received) == 1
    assert Message in site._registry


def test_a_permanent_refusal_fails_at_once(world, frozen_now, smtp):
    smtp.replies = ["550 5.1.1 No such user"]

    with TestCase.captureOnCommitCallbacks(execute=True):
        book(world)

    message = Message.objects.get()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == 1
    assert "550" in message.last_error


def test_a_message_never_queued_is_sent_by_the_relay_after_its_delay(world, frozen_now, smtp):
    # given: the commit's queueing never happened (a broker down at that moment)
    book(world)  # on_commit callbacks discarded
    message = Message.objects.get()
    assert message.status == MessageStatus.PENDING

    # when / then
    with time_machine.travel(frozen_now + timedelta(seconds=30), tick=False):
        assert messages_relay() == 0
    with time_machine.travel(frozen_now + timedelta(seconds=61), tick=False):
        assert messages_relay() == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert len(smtp.received) == 1


def test_a_claim_left_by_a_dead_worker_is_taken_over_once_it_expires(world, frozen_now, smtp):
    # given: a worker claimed the message, then died before recording anything
    book(world)
    message = Message.objects.get()
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING, claimed_at=timezone.now(), attempts=1
    )

    # then: while the claim holds, nobody sends it, and the task asks to look again later
    outcome = message_send(message_id=message.pk)
    assert outcome.status == "claimed" and 0 < outcome.retry_in <= 301
    with time_machine.travel(frozen_now + timedelta(minutes=4), tick=False):
        assert messages_relay() == 0
    # once it has run out, the relay sends it, with the same Message-ID as the lost copy
    with time_machine.travel(frozen_now + timedelta(minutes=6), tick=False):
        assert messages_relay() == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 2
    (received,) = smtp.received
    assert received["Message-ID"] == message.message_id


def test_data_built_with_announcements_muted_sends_nothing(world, frozen_now, smtp):
    with announcements_muted(), TestCase.captureOnCommitCallbacks(execute=True):
        book(world)

    assert Message.objects.count() == 0
    assert smtp.received == []


def test_the_embedded_job_runner_relays_what_is_due(world, frozen_now, mailoutbox):
    # given: a confirmation recorded but never queued
    book(world)

    # when: make run's stand-in for beat runs every job once, two minutes later
    with time_machine.travel(frozen_now + timedelta(minutes=2), tick=False):
        call_command("run_periodic_jobs", "--once", stdout=StringIO())

    # then
    assert Message.objects.get().status == MessageStatus.SENT
    assert [mail.to for mail in mailoutbox] == [[world.member.email]]


def test_a_recipient_refused_by_the_server_is_not_named_in_the_log(
    world, frozen_now, smtp, log_output
):
    # A real server names the address it refuses: "550 5.1.1 <x@y>: Recipient address rejected".
    async def refuse_recipient(server, session, envelope, address, options):
        return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"

    smtp.handle_RCPT = refuse_recipient

    with TestCase.captureOnCommitCallbacks(execute=True):
        book(world)

    message = Message.objects.get()
    assert message.status == MessageStatus.FAILED
    written = log_output.getvalue()
    assert f"Message {message.pk} not sent" in written
    assert "[e-mail]" in written and world.member.email not in written
    assert "550" in message.last_error and world.member.email not in message.last_error
