from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.text import multi_line, single_line
from platforms.feeds import new_feed_token
from platforms.models import Machine, Region

from .siret import validate_siret


class CompanySize(models.TextChoices):
    """INSEE size classes by headcount (micro < 10, small < 50, medium < 250, ETI < 5000)."""

    MICRO = "micro", _("Micro-enterprise")
    SMALL = "small", _("Small enterprise")
    MEDIUM = "medium", _("Medium-sized enterprise")
    INTERMEDIATE = "intermediate", _("Intermediate-sized enterprise")
    LARGE = "large", _("Large enterprise")


class Company(models.Model):
    """A company (mostly SMEs) whose members book machines."""

    name = models.CharField(_("name"), max_length=200, validators=[single_line])
    siret = models.CharField(_("SIRET"), max_length=14, unique=True, validators=[validate_siret])
    # The legal unit's number, the SIRET's first nine digits, computed by the database: two
    # establishments of one company are one SME served in the funder's figures.
    siren = models.GeneratedField(
        expression=Substr("siret", 1, 9),
        output_field=models.CharField(max_length=9),
        db_persist=True,
        verbose_name=_("SIREN"),
        db_index=True,
    )
    size_class = models.CharField(_("size class"), max_length=20, choices=CompanySize.choices)
    region = models.CharField(_("region"), max_length=2, choices=Region.choices)
    naf_code = models.CharField(_("NAF code"), max_length=6, blank=True)
    # Companies created by staff are trusted; one that signs itself up waits (None) until an
    # operator or staff checks it, and books nothing before.
    validated_at = models.DateTimeField(
        _("validated at"), null=True, blank=True, default=timezone.now
    )
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("validated by"),
    )
    # An operator or staff who could not confirm who the company is says why; the company
    # stays unable to book, and may be validated later.
    refused_at = models.DateTimeField(_("refused at"), null=True, blank=True)
    refused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("refused by"),
    )
    refusal_reason = models.TextField(_("reason for refusal"), blank=True, validators=[multi_line])
    ical_token = models.CharField(
        _("iCal feed token"), max_length=64, unique=True, default=new_feed_token, editable=False
    )
    members: "models.ManyToManyField[Any, Membership]" = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        related_name="companies",
        verbose_name=_("members"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_validated(self) -> bool:
        return self.validated_at is not None

    @property
    def is_refused(self) -> bool:
        return self.validated_at is None and self.refused_at is not None


class MembershipRole(models.TextChoices):
    ADMIN = "admin", _("Company administrator")
    MEMBER = "member", _("Member")


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("company")
    )
    role = models.CharField(
        _("role"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "company"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.company} ({self.get_role_display()})"


class Invitation(models.Model):
    """An offer to join a company, made by one of its administrators to an e-mail address — or
    to run a platform with its operators, made by one of them (``platform``, not ``company``).

    Nobody becomes a member or an operator, and no account is made, until the person accepts:
    from their dashboard when they have an account, or by making one from the link sent to the
    address. Until then the company or platform sees the address only."""

    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("company"),
    )
    platform = models.ForeignKey(
        "platforms.Platform",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("platform"),
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(
        _("role"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    accepted = models.BooleanField(_("accepted"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            # One open invitation per company and address.
            models.UniqueConstraint(
                Lower("email"),
                "company",
                condition=Q(answered_at__isnull=True),
                name="invitation_open_once",
            ),
            models.UniqueConstraint(
                Lower("email"),
                "platform",
                condition=Q(answered_at__isnull=True),
                name="invitation_platform_open_once",
            ),
            models.CheckConstraint(
                condition=Q(company__isnull=True) ^ Q(platform__isnull=True),
                name="invitation_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.target}"

    @property
    def target(self) -> Any:
        """What the invitation is to join: the company, or the platform's team."""
        return self.company if self.company_id is not None else self.platform


class BookingStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")
    NO_SHOW = "no_show", _("No-show")


class BookingKind(models.TextChoices):
    COMPANY = "company", _("Company booking")
    INTERNAL = "internal", _("Internal block (platform)")


class Booking(models.Model):
    """A company's reservation of a machine over [start, end). Written only by the services."""

    ACTIVE_STATUSES: ClassVar[tuple[str, ...]] = (BookingStatus.PENDING, BookingStatus.CONFIRMED)

    machine = models.ForeignKey(
        Machine, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("machine")
    )
    company = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("company"),
        help_text=_("Empty for the platform's own time (maintenance runs, internal projects)."),
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=BookingKind.choices, default=BookingKind.COMPANY
    )
    series_id = models.UUIDField(_("series"), null=True, blank=True, db_index=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings_made",
        verbose_name=_("booked by"),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    status = models.CharField(
        _("status"), max_length=10, choices=BookingStatus.choices, default=BookingStatus.CONFIRMED
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    note = models.TextField(_("note"), blank=True, validators=[multi_line])
    assisted = models.BooleanField(
        _("with staff assistance"),
        default=False,
        db_default=False,
        help_text=_("Asked for when booking, billed at the machine's assistance rate."),
    )
    price = models.DecimalField(
        _("price (€ excl. VAT)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text=_("What the booking costs excluding VAT, as priced when booked, moved or used."),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    cancellation_reason = models.TextField(
        _("cancellation reason"), blank=True, validators=[multi_line]
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved or rejected by"),
    )
    decided_at = models.DateTimeField(_("approved or rejected at"), null=True, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True, validators=[multi_line])
    late_cancellation = models.BooleanField(_("late cancellation"), default=False)
    actual_start = models.DateTimeField(_("actual start"), null=True, blank=True)
    actual_end = models.DateTimeField(_("actual end"), null=True, blank=True)
    # The usage was measured at the machine (started and stopped there), not declared after.
    measured = models.BooleanField(_("usage measured"), default=False, db_default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="booking_start_before_end"
            ),
            models.CheckConstraint(
                condition=Q(actual_start__isnull=True)
                | Q(actual_end__isnull=True)
                | Q(actual_start__lt=F("actual_end")),
                name="booking_actual_start_before_end",
            ),
            models.CheckConstraint(
                condition=Q(kind="internal", company__isnull=True)
                | Q(kind="company", company__isnull=False),
                name="booking_company_unless_internal",
            ),
            # The exclusion constraint "booking_no_overlap" (active bookings never overlap) is
            # added by migration 0003 in SQL (btree_gist over the machine and a tstzrange).
        ]
        indexes = [
            models.Index(fields=["machine", "start"], name="booking_machine_start"),
            # Reports read a period's bookings across every machine by their start.
            models.Index(fields=["start"], name="booking_start"),
            models.Index(fields=["company", "start"], name="booking_company_start"),
            models.Index(fields=["status", "end"], name="booking_status_end"),
            # Availability and search ask for the active bookings of machines ending after the
            # window's start: only the future, whatever the size of the history.
            models.Index(
                fields=["machine", "end"],
                # PostgreSQL: the network search reads active spans from this index alone
                include=["start"],
                condition=Q(status__in=["pending", "confirmed"]),
                name="booking_active_machine_end",
            ),
        ]

    def __str__(self) -> str:
        # The platform's local time: what the operator and the SME read on their clocks.
        start = self.start.astimezone(self.machine.platform.tz)
        return f"{self.machine.name} {start:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES


class WaitingEntry(models.Model):
    """A person waiting for time on a machine to free up over [start, end): told by e-mail when
    a cancellation, a move or a rejection frees part of it. Waiting until its start, unless
    they left it or booked the machine over it; kept afterwards, as demand for the machine."""

    machine = models.ForeignKey(
        Machine, on_delete=models.CASCADE, related_name="waiting", verbose_name=_("machine")
    )
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="waiting", verbose_name=_("company")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="waiting",
        verbose_name=_("person"),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    booked_at = models.DateTimeField(_("booked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("waiting list entry")
        verbose_name_plural = _("waiting list entries")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="waiting_start_before_end"
            ),
        ]
        indexes = [
            models.Index(
                fields=["machine", "end"],
                condition=Q(left_at__isnull=True, booked_at__isnull=True),
                name="waiting_open_machine_end",
            ),
        ]

    def __str__(self) -> str:
        start = self.start.astimezone(self.machine.platform.tz)
        return f"{self.machine.name} {start:%Y-%m-%d %H:%M}"

    @property
    def is_waiting(self) -> bool:
        return self.left_at is None and self.booked_at is None and self.start > timezone.now()


class UsageFeedback(models.Model):
    """After using a machine, a member's two answers: did it work, anything to report. A
    problem reported (it did not work, or a note) is an incident for the platform's operators
    until they close it, or turn it into maintenance (``closure``)."""

    booking = models.OneToOneField(
        Booking, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("booking")
    )
    worked = models.BooleanField(_("it worked"))
    report = models.TextField(
        _("anything to report"), blank=True, max_length=2000, validators=[multi_line]
    )
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("given by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    closure = models.ForeignKey(
        "platforms.Closure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("maintenance it became"),
    )

    class Meta:
        verbose_name = _("feedback after use")
        verbose_name_plural = _("feedback after use")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.booking} — {'ok' if self.worked else 'problem'}"

    @property
    def is_incident(self) -> bool:
        return not self.worked or bool(self.report.strip())


# Training sessions and their enrolments live in a module of their own.
from .training_models import Enrolment, TrainingSession, TrainingStatus  # noqa: E402, F401
