"""Report subscriptions and the reports built in the background."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from billing.models import Programme
from platforms.models import Platform, Region


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class ReportSubscription(models.Model):
    """A funder or an operator has a report sent to an address, for a scope, each month or
    quarter, once the period has ended."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="report_subscriptions",
        verbose_name=_("subscribed by"),
    )
    email = models.EmailField(_("send to"))
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
        verbose_name=_("programme"),
    )
    platform = models.ForeignKey(
        Platform,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="report_subscriptions",
        verbose_name=_("platform"),
    )
    region = models.CharField(_("region"), max_length=2, choices=Region.choices, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} → {self.email}"


class ReportDelivery(models.Model):
    """One report sent for one subscription and one period: the beat task records it in the
    transaction that writes the outbox row, and the unique constraint keeps it to one."""

    subscription = models.ForeignKey(
        ReportSubscription,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("subscription"),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end (excluded)"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report sent")
        verbose_name_plural = _("reports sent")
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "period_start"], name="report_delivery_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id}: {self.period_start}–{self.period_end}"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Being built")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ReportExport(models.Model):
    """A report too large to build during the request (a long period, the whole network),
    built by a Celery task that records its progress; its owner downloads it once done."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="report_exports",
        verbose_name=_("asked by"),
    )
    parameters = models.JSONField(_("parameters"), default=dict)
    format = models.CharField(_("format"), max_length=4)
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    filename = models.CharField(_("file name"), max_length=120, blank=True)
    content = models.BinaryField(_("content"), null=True, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report being built")
        verbose_name_plural = _("reports being built")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename or self.format} ({self.get_status_display()})"


class ReportSnapshot(models.Model):
    """A report as computed at ``computed_at``, for the dashboard: a network-wide year at
    1,000,000 bookings takes seconds to aggregate, so the dashboard shows the figures of the
    last few minutes (refreshed by the beat for the default views, on demand otherwise)."""

    key = models.CharField(_("scope and period"), max_length=64, unique=True)
    report = models.JSONField(_("report"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("report snapshot")
        verbose_name_plural = _("report snapshots")

    def __str__(self) -> str:
        return f"{self.key[:12]} @ {self.computed_at:%Y-%m-%d %H:%M}"
