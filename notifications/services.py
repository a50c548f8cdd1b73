"""The outbox: recording messages with the change they tell about, and sending them.

Recording happens inside the caller's transaction; sending is queued on commit, so a rollback
leaves no row and sends nothing. ``message_send`` claims its row before talking to SMTP, so two
workers never send one message at the same time, and a redelivered task finds it sent.
"""

import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from bookings.models import Booking
from core.log_redaction import redact
from platforms.models import Platform

from . import smtp
from .compose import compose, message_id_for
from .models import Attachment, Message, MessageKind, MessageStatus
from .selectors import booking_contacts, bookings_due_for_reminder, messages_to_relay

logger = logging.getLogger(__name__)

RELAY_BATCH = 500


@dataclass(frozen=True)
class Outgoing:
    """A message to record: its kind, recipient and what it is about."""

    kind: str
    recipient: User | None
    platform: Platform | None
    key: str
    booking: Booking | None = None
    qualification: Any = None
    closure: Any = None
    context: dict[str, Any] | None = None
    # Another address than the recipient's (a subscribed report), and files to attach:
    # (file name, content type, bytes).
    to_email: str = ""
    attachments: tuple[tuple[str, str, bytes], ...] = ()


def messages_record(outgoing: Iterable[Outgoing]) -> list[int]:
    """Write the outbox rows in the current transaction and queue their sending on commit.
    A key already recorded (the same event told twice) adds nothing. Returns the new ids."""
    outgoing = list(outgoing)
    rows = [
        Message(
            kind=item.kind,
            recipient=item.recipient,
            platform=item.platform,
            booking=item.booking,
            qualification=item.qualification,
            closure=item.closure,
            context=item.context or {},
            idempotency_key=item.key,
            to_email=item.to_email,
        )
        for item in outgoing
    ]
    if not rows:
        return []
    files = {item.key: item.attachments for item in outgoing if item.attachments}
    ids: list[int] = []
    with transaction.atomic():
        for row in rows:
            if not _insert_new(row):
                continue
            ids.append(row.pk)
            Attachment.objects.bulk_create(
                Attachment(message=row, filename=name, content_type=content_type, content=content)
                for name, content_type, content in files.get(row.idempotency_key, ())
            )
    if ids:
        transaction.on_commit(lambda: messages_queue(ids))
    return ids


def _insert_new(message: Message) -> bool:
    """Insert ``message`` unless its key is recorded already — also by a concurrent twin of
    the same event, whose insert PostgreSQL makes this one wait for. True when inserted."""
    try:
        with transaction.atomic():
            message.save()
        return True
    except IntegrityError:
        if Message.objects.filter(idempotency_key=message.idempotency_key).exists():
            message.pk = None
            return False
        raise


def messages_queue(ids: Iterable[int]) -> None:
    """Hand messages to the workers (or send them now, in-process, without a broker). A broker
    that is down is not an error here: the rows stay pending and the relay sends them."""
    from .tasks import send_message_task  # the task module imports these services

    for message_id in ids:
        try:
            send_message_task.delay(message_id)
        except Exception:
            logger.warning(
                "Message %s not queued (broker unreachable?); the relay will send it",
                message_id,
                exc_info=True,
            )


@dataclass(frozen=True)
class SendOutcome:
    status: str
    # Seconds after which the task should try again (a transient failure, or another worker
    # holding a claim that may turn out to be lost); None when there is nothing more to do.
    retry_in: int | None = None


def _backoff(attempts: int) -> int:
    return int(
        min(
            settings.NOTIFICATIONS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0),
            settings.NOTIFICATIONS_RETRY_MAX_SECONDS,
        )
    )


def _claim(message_id: int, now: datetime) -> tuple[Message | None, SendOutcome | None]:
    claim_timeout = timedelta(seconds=settings.NOTIFICATIONS_CLAIM_SECONDS)
    with transaction.atomic():
        message = Message.objects.select_for_update(skip_locked=True).filter(pk=message_id).first()
        if message is None:
            # Locked by another worker claiming it right now, or no such message.
            return None, SendOutcome("locked")
        if message.status in (MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.SKIPPED):
            return None, SendOutcome(message.status)
        if message.status == MessageStatus.SENDING and message.claimed_at is not None:
            expires = message.claimed_at + claim_timeout
            if expires > now:
                # Another worker is sending it, or died doing so: look again when its claim
                # runs out.
                return None, SendOutcome(
                    "claimed", retry_in=int((expires - now).total_seconds()) + 1
                )
        elif message.next_attempt_at > now + timedelta(seconds=5):
            return None, SendOutcome("not_due")
        message.status = MessageStatus.SENDING
        message.claimed_at = now
        message.attempts += 1
        message.save(update_fields=["status", "claimed_at", "attempts"])
    return message, None


def _transient(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPServerDisconnected | OSError)


def _finish(message: Message, **fields: Any) -> None:
    Message.objects.filter(pk=message.pk).update(**fields)


def message_send(*, message_id: int) -> SendOutcome:
    """Send one outbox message, at most once at a time.

    Claims the row (``select_for_update(skip_locked=True)``, marked sending, committed) before
    SMTP; composes it from the objects as they are now; records sent, skipped (no longer
    relevant, or the recipient declined it), pending again with a backoff after a transient
    SMTP failure, or failed (permanent failure, or too many attempts).
    """
    now = timezone.now()
    message, outcome = _claim(message_id, now)
    if message is None:
        assert outcome is not None
        return outcome
    try:
        email = compose(message)
    except Exception as error:
        logger.exception("Message %s could not be composed", message.pk)
        _finish(
            message, status=MessageStatus.FAILED, last_error=redact(f"compose: {error!r}")[:2000]
        )
        return SendOutcome(MessageStatus.FAILED)
    if email is None:
        _finish(message, status=MessageStatus.SKIPPED, last_error="")
        return SendOutcome(MessageStatus.SKIPPED)
    try:
        smtp.send(email)
    except Exception as error:
        retry = _transient(error) and message.attempts < settings.NOTIFICATIONS_MAX_ATTEMPTS
        logger.warning("Message %s not sent (attempt %s): %r", message.pk, message.attempts, error)
        if not retry:
            _finish(message, status=MessageStatus.FAILED, last_error=redact(repr(error))[:2000])
            return SendOutcome(MessageStatus.FAILED)
        delay = _backoff(message.attempts)
        _finish(
            message,
            status=MessageStatus.PENDING,
            last_error=redact(repr(error))[:2000],
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
        )
        return SendOutcome(MessageStatus.PENDING, retry_in=delay)
    _finish(
        message,
        status=MessageStatus.SENT,
        sent_at=timezone.now(),
        subject=email.subject,
        to_email=email.to[0],
        message_id=message_id_for(message),
        last_error="",
    )
    return SendOutcome(MessageStatus.SENT)


def attachments_purge(*, now: datetime | None = None) -> int:
    """Drop the files of messages sent, or given up, more than ``NOTIFICATIONS_ATTACHMENT_DAYS``
    ago (periodic): the outbox then keeps who was written to, when and the subject only.
    Returns how many files went."""
    now = now or timezone.now()
    before = now - timedelta(days=settings.NOTIFICATIONS_ATTACHMENT_DAYS)
    done = (MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.SKIPPED)
    deleted, _ = Attachment.objects.filter(
        message__status__in=done, message__created_at__lt=before
    ).delete()
    return deleted


def messages_relay(*, now: datetime | None = None) -> int:
    """Requeue what is still unsent after a delay: rows whose task was never queued (the
    broker was down at commit) or was lost, and claims whose worker died. Periodic."""
    now = now or timezone.now()
    ids = messages_to_relay(
        due_before=now - timedelta(seconds=settings.NOTIFICATIONS_RELAY_DELAY_SECONDS),
        claimed_before=now - timedelta(seconds=settings.NOTIFICATIONS_CLAIM_SECONDS),
        limit=RELAY_BATCH,
    )
    messages_queue(ids)
    return len(ids)


@transaction.atomic
def message_retry(*, message: Message) -> bool:
    """Staff send a failed message again (from the admin). Only failed messages."""
    updated = Message.objects.filter(pk=message.pk, status=MessageStatus.FAILED).update(
        status=MessageStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
    if updated:
        transaction.on_commit(lambda: messages_queue([message.pk]))
    return bool(updated)


def reminders_queue(*, now: datetime | None = None) -> int:
    """Record a reminder for every confirmed booking whose reminder is due and not yet
    recorded for its current start (a booking moved later gets one for its new time).
    Periodic; what is due is found by state, so a late or missed round loses nothing."""
    now = now or timezone.now()
    outgoing = [
        Outgoing(
            kind=MessageKind.BOOKING_REMINDER,
            recipient=contact,
            platform=booking.machine.platform,
            booking=booking,
            key=f"{MessageKind.BOOKING_REMINDER}:{booking.pk}:{booking.start.isoformat()}"
            f":u{contact.pk}",
            context={"start": booking.start.isoformat()},
        )
        for booking in bookings_due_for_reminder(now=now)
        for contact in booking_contacts(booking=booking)
        if contact.wants_reminders
    ]
    with transaction.atomic():
        return len(messages_record(outgoing))


def digests_queue(*, now: datetime | None = None) -> int:
    """Record each platform's digest of tomorrow's bookings for its operators, once the
    platform's local clock has passed ``NOTIFICATIONS_DIGEST_HOUR``. Periodic; the digest is
    composed when sent (an empty day sends nothing)."""
    now = now or timezone.now()
    outgoing: list[Outgoing] = []
    for platform in Platform.objects.filter(active=True).prefetch_related("operators"):
        local = now.astimezone(platform.tz)
        if local.hour < settings.NOTIFICATIONS_DIGEST_HOUR:
            continue
        day = (local + timedelta(days=1)).date().isoformat()
        outgoing.extend(
            Outgoing(
                kind=MessageKind.OPERATOR_DIGEST,
                recipient=operator,
                platform=platform,
                key=f"{MessageKind.OPERATOR_DIGEST}:{platform.pk}:{day}:u{operator.pk}",
                context={"day": day},
            )
            for operator in platform.operators.all()
            if operator.is_active and operator.wants_digests
        )
    with transaction.atomic():
        return len(messages_record(outgoing))
