"""Celery tasks of the outbox: thin, taking ids, idempotent (the claim makes a redelivered or
duplicated task a no-op)."""

from typing import Any

from celery import shared_task

from .qualifications import qualification_reminders_queue
from .services import (
    attachments_purge,
    digests_queue,
    message_send,
    messages_relay,
    reminders_queue,
)
from .webhook_delivery import deliveries_purge, deliveries_relay, delivery_send


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def send_message_task(self: Any, message_id: int) -> str:
    """Send one outbox message. A transient failure comes back after its backoff (always
    shorter than the broker's visibility timeout); in-process (no broker) the relay retries."""
    outcome = message_send(message_id=message_id)
    if outcome.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task
def messages_relay_task() -> int:
    """Periodic (every minute): requeue messages still unsent after a delay."""
    return messages_relay()


@shared_task
def reminders_queue_task() -> int:
    """Periodic: record the reminders that have come due."""
    return reminders_queue()


@shared_task
def qualification_reminders_queue_task() -> int:
    """Periodic: record the reminders of qualifications ending within a month."""
    return qualification_reminders_queue()


@shared_task
def digests_queue_task() -> int:
    """Periodic: record the operators' digests of tomorrow's bookings once the hour is past."""
    return digests_queue()


@shared_task
def attachments_purge_task() -> int:
    """Periodic: drop the files of messages sent long enough ago."""
    return attachments_purge()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def webhook_deliver_task(delivery_id: int) -> str:
    """Send one webhook delivery; a failure waits for the relay, after its backoff."""
    return delivery_send(delivery_id=delivery_id)


@shared_task
def webhooks_relay_task() -> int:
    """Periodic (every minute): queue the webhook deliveries due."""
    return deliveries_relay()


@shared_task
def webhooks_purge_task() -> int:
    """Periodic (daily): forget old deliveries delivered or failed."""
    return deliveries_purge()
