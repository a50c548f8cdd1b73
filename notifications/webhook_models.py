"""Webhooks: an HTTPS endpoint a platform's operators or a company's administrators register
for the events they want, and the deliveries to it — an outbox of its own, written in the
transaction of the event, sent after commit, retried with backoff, never lost."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WebhookEvent(models.TextChoices):
    BOOKING_CREATED = "booking.created", _("Booking created")
    BOOKING_APPROVED = "booking.approved", _("Booking approved")
    BOOKING_MOVED = "booking.moved", _("Booking moved")
    BOOKING_CANCELLED = "booking.cancelled", _("Booking cancelled")
    BOOKING_COMPLETED = "booking.completed", _("Booking completed (usage recorded)")
    INVOICE_ISSUED = "invoice.issued", _("Invoice or credit note issued")


class WebhookEndpoint(models.Model):
    """Where events go: one platform's (all bookings on its machines, its invoices) or one
    company's (its own bookings and invoices), never both."""

    url = models.URLField(_("address"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    platform = models.ForeignKey(
        "platforms.Platform",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhooks",
        verbose_name=_("platform"),
    )
    company = models.ForeignKey(
        "bookings.Company",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhooks",
        verbose_name=_("company"),
    )
    # The HMAC key: kept as is (signing needs it), shown once when the endpoint is made.
    secret = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Attempts failed in a row, across deliveries; past WEBHOOKS_PAUSE_AFTER it is paused.
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(platform__isnull=True) ^ models.Q(company__isnull=True),
                name="webhook_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("To send")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event to one endpoint: its body as it was when the event happened (signed anew at
    each attempt), and what the last attempt got."""

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("webhook"),
    )
    event = models.CharField(_("event"), max_length=32, choices=WebhookEvent.choices)
    # The event's id, the same in every delivery of it (a receiver drops what it has seen).
    event_id = models.CharField(_("event id"), max_length=100)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("answer"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # An event told twice is one delivery per endpoint; "send again" sends the same
            # delivery anew.
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_event_once")
        ]
        indexes = [
            models.Index(
                fields=["status", "next_attempt_at"],
                condition=models.Q(status__in=["pending", "sending"]),
                name="webhook_unsent_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"
