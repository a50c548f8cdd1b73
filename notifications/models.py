from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MessageKind(models.TextChoices):
    """One kind per event and recipient role, each with its template pair."""

    # To the SME member who booked (or the company's admins when an operator booked for it).
    BOOKING_CONFIRMED = "booking_confirmed", _("Booking confirmed")
    BOOKING_PENDING = "booking_pending", _("Booking awaiting approval")
    BOOKING_APPROVED = "booking_approved", _("Booking approved")
    BOOKING_REJECTED = "booking_rejected", _("Booking rejected")
    BOOKING_MOVED = "booking_moved", _("Booking moved")
    BOOKING_CANCELLED = "booking_cancelled", _("Booking cancelled")
    BOOKING_CLOSURE = "booking_closure", _("Closure over a booking")
    BOOKING_REMINDER = "booking_reminder", _("Booking reminder")
    BOOKING_NO_SHOW = "booking_no_show", _("Marked as no-show")
    QUALIFICATION_GRANTED = "qualification_granted", _("Qualification granted")
    QUALIFICATION_REFUSED = "qualification_refused", _("Qualification refused")
    QUALIFICATION_EXPIRING = "qualification_expiring", _("Qualification ending within a month")
    # To the people of a use running past its end into the next booking, and to the next's.
    USAGE_OVERRUN = "usage_overrun", _("Use running into the next booking")
    NEXT_DELAYED = "next_delayed", _("Machine still in use before a booking")
    # To a person on a machine's waiting list, when time they wait for is freed.
    SLOT_FREED = "slot_freed", _("Waited-for time freed")
    # To a person enrolled in a training session.
    TRAINING_SEAT = "training_seat", _("Seat in a training session")
    TRAINING_WAITING = "training_waiting", _("On a training session's waiting list")
    TRAINING_CANCELLED = "training_cancelled", _("Training session cancelled")
    # To the company's administrators.
    COMPANY_VALIDATED = "company_validated", _("Company validated")
    COMPANY_REFUSED = "company_refused", _("Company refused")
    # To a person, at the address to prove (theirs at sign-up, or the new one).
    ADDRESS_CONFIRMATION = "address_confirmation", _("E-mail address to confirm")
    # To a person who asked for a new password.
    PASSWORD_RESET = "password_reset", _("Link to choose a new password")
    # To an address a company invited (an account's, or none yet).
    INVITATION = "invitation", _("Invitation to join a company")
    # To the company's admins who asked for copies.
    BOOKING_CONFIRMED_COPY = "booking_confirmed_copy", _("Copy of a member's confirmation")
    # To the platform's operators.
    OPERATOR_APPROVAL_NEEDED = "operator_approval_needed", _("Booking to approve")
    OPERATOR_BOOKING_CANCELLED = "operator_booking_cancelled", _("Booking cancelled by its company")
    OPERATOR_DIGEST = "operator_digest", _("Daily digest of tomorrow's bookings")
    OPERATOR_COMPANY_WAITING = "operator_company_waiting", _("Company waiting for validation")
    # To the company's billing address (or its administrators): an invoice or a credit note.
    INVOICE_ISSUED = "invoice_issued", _("Invoice or credit note")
    # To a webhook's owners (the platform's operators, the company's administrators).
    WEBHOOK_PAUSED = "webhook_paused", _("Webhook paused after repeated failures")
    # To the address a funder or an operator subscribed.
    USAGE_REPORT = "usage_report", _("Usage report")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("To send")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent (no longer relevant)")


class Message(models.Model):
    """The outbox: one e-mail to one person about one event.

    Written in the transaction of the change it tells about, sent after commit by a Celery
    task that claims the row first. ``idempotency_key`` is unique per event and recipient: the
    same event recorded twice is one row, and the e-mail's Message-ID derives from it, so the
    one copy that can be sent twice (SMTP accepted, the worker died before recording it)
    carries the same Message-ID. The content is composed at send time from the objects as they
    are then; ``subject`` and ``to_email`` record what was sent.
    """

    kind = models.CharField(_("kind"), max_length=32, choices=MessageKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="messages",
        verbose_name=_("recipient"),
    )
    # The platform that speaks (its name signs, its address takes the replies); none for the
    # network's own messages (a usage report over several platforms).
    platform = models.ForeignKey(
        "platforms.Platform",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("platform"),
    )
    booking = models.ForeignKey(
        "bookings.Booking",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("booking"),
    )
    qualification = models.ForeignKey(
        "platforms.Qualification",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("qualification"),
    )
    closure = models.ForeignKey(
        "platforms.Closure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("closure"),
    )
    # What the event said that the objects no longer say: a move's previous times, a series'
    # bookings, the start a reminder is for, a digest's day.
    context = models.JSONField(_("context"), default=dict, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # Set when recorded for a message to an address rather than to the recipient's own (a
    # subscribed report); otherwise the address it went to, once sent.
    to_email = models.EmailField(_("sent to"), blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails (outbox)")
        ordering = ["-created_at"]
        indexes = [
            # The relay's question: what is still unsent, oldest due first.
            models.Index(
                fields=["status", "next_attempt_at"],
                condition=models.Q(status__in=["pending", "sending"]),
                name="message_unsent_due",
            ),
            models.Index(fields=["booking", "kind"], name="message_booking_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient or self.to_email or '?'}"


class Attachment(models.Model):
    """A file sent with a message (a report's XLSX and PDF), stored with it when recorded."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("e-mail")
    )
    filename = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("content type"), max_length=100)
    content = models.BinaryField(_("content"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.UniqueConstraint(fields=["message", "filename"], name="attachment_once")
        ]

    def __str__(self) -> str:
        return self.filename


from .webhook_models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent  # noqa: E402, F401
