"""Training sessions (issue 29, 1): an operator trains people on a machine, or on every machine of
its category on the platform; attending grants the qualification.

A session holds its machine's time through an internal block (a ``Booking``), so nothing else is
booked over it. Seats are ``Enrolment`` rows; a full session keeps a waiting list (enrolments
with ``waiting``) whose first person takes a seat that frees up.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.text import multi_line
from platforms.models import Machine

# Bounds an operator's form and the API both keep.
MAX_CAPACITY = 100
MAX_CANCEL_HOURS = 24 * 30


class TrainingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class TrainingSession(models.Model):
    machine = models.ForeignKey(
        Machine,
        on_delete=models.PROTECT,
        related_name="training_sessions",
        verbose_name=_("machine"),
        help_text=_("The machine the session is held on: its time is reserved."),
    )
    whole_category = models.BooleanField(
        _("qualifies on the whole category"),
        default=False,
        help_text=_(
            "Attending qualifies on every machine of this category on the platform, "
            "not only this one."
        ),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("trainer"),
    )
    capacity = models.PositiveSmallIntegerField(
        _("seats"), validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)]
    )
    min_attendance = models.PositiveSmallIntegerField(
        _("minimum attendance"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)],
        help_text=_("Fewer enrolled at the deadline, and the session cancels itself."),
    )
    cancel_hours_before = models.PositiveSmallIntegerField(
        _("decided hours before"),
        default=48,
        validators=[MaxValueValidator(MAX_CANCEL_HOURS)],
        help_text=_("When the minimum attendance is checked, in hours before the start."),
    )
    company_seats = models.PositiveSmallIntegerField(
        _("seats per company"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)],
        help_text=_("At most this many seats (and places on the waiting list) per company."),
    )
    price = models.DecimalField(
        _("price per seat (€ excl. VAT)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100000"))],
    )
    note = models.TextField(_("programme"), blank=True, validators=[multi_line])
    block = models.OneToOneField(
        "bookings.Booking",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_session",
        verbose_name=_("calendar block"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=TrainingStatus.choices,
        default=TrainingStatus.SCHEDULED,
    )
    # Set when the minimum attendance was checked and met: the session is held from then on.
    held_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # Empty for a session that cancelled itself (too few enrolled at its deadline).
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    cancellation_reason = models.TextField(
        _("reason for cancellation"), blank=True, validators=[multi_line]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scheduled by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="training_start_end"),
            models.CheckConstraint(
                condition=Q(min_attendance__lte=F("capacity")), name="training_minimum_capacity"
            ),
        ]
        indexes = [models.Index(fields=["machine", "start"], name="training_machine_start")]

    def __str__(self) -> str:
        return f"{self.machine} — {self.start:%Y-%m-%d %H:%M}"

    @property
    def is_scheduled(self) -> bool:
        return self.status == TrainingStatus.SCHEDULED


class Enrolment(models.Model):
    """A person's seat in a session (or their place on its waiting list), for their company."""

    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.CASCADE,
        related_name="enrolments",
        verbose_name=_("training session"),
    )
    # Empty once the person's account is erased (the seat stays, as the session's history).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="enrolments",
        verbose_name=_("participant"),
    )
    company = models.ForeignKey(
        "bookings.Company",
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("company"),
    )
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enrolled by"),
    )
    waiting = models.BooleanField(_("on the waiting list"), default=False)
    created_at = models.DateTimeField(_("enrolled at"), auto_now_add=True)
    seated_at = models.DateTimeField(_("seat given at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    attendance_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("attendance recorded by"),
    )

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["session", "waiting", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"],
                condition=Q(withdrawn_at__isnull=True),
                name="enrolment_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.session}"

    @property
    def is_seated(self) -> bool:
        return self.withdrawn_at is None and not self.waiting
