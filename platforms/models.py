from datetime import time
from decimal import Decimal
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.text import multi_line, single_line

from .feeds import new_feed_token
from .timezones import zone


class Region(models.TextChoices):
    """The 18 French regions, keyed by their INSEE code (what the funder's systems use)."""

    AUVERGNE_RHONE_ALPES = "84", "Auvergne-Rhône-Alpes"
    BOURGOGNE_FRANCHE_COMTE = "27", "Bourgogne-Franche-Comté"
    BRETAGNE = "53", "Bretagne"
    CENTRE_VAL_DE_LOIRE = "24", "Centre-Val de Loire"
    CORSE = "94", "Corse"
    GRAND_EST = "44", "Grand Est"
    HAUTS_DE_FRANCE = "32", "Hauts-de-France"
    ILE_DE_FRANCE = "11", "Île-de-France"
    NORMANDIE = "28", "Normandie"
    NOUVELLE_AQUITAINE = "75", "Nouvelle-Aquitaine"
    OCCITANIE = "76", "Occitanie"
    PAYS_DE_LA_LOIRE = "52", "Pays de la Loire"
    PROVENCE_ALPES_COTE_D_AZUR = "93", "Provence-Alpes-Côte d'Azur"
    GUADELOUPE = "01", "Guadeloupe"
    MARTINIQUE = "02", "Martinique"
    GUYANE = "03", "Guyane"
    LA_REUNION = "04", "La Réunion"
    MAYOTTE = "06", "Mayotte"


def validate_timezone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("Unknown time zone: %(zone)s."), params={"zone": value})


class Platform(models.Model):
    """A labelled collaborative platform: an industrial fab lab that shares its machines."""

    name = models.CharField(_("name"), max_length=200, validators=[single_line])
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    label_reference = models.CharField(_("label reference"), max_length=50, blank=True)
    label_date = models.DateField(_("label date"), null=True, blank=True)
    region = models.CharField(_("region"), max_length=2, choices=Region.choices)
    city = models.CharField(_("city"), max_length=100, validators=[single_line])
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Europe/Paris",
        validators=[validate_timezone],
        help_text=_("Interprets opening hours, closures, slot alignment and quota weeks."),
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact telephone"), max_length=30, blank=True)
    address = models.TextField(
        _("address"), blank=True, validators=[multi_line], help_text=_("Street, postcode, city.")
    )
    access = models.TextField(
        _("how to get in"),
        blank=True,
        validators=[multi_line],
        help_text=_("Entrance, reception, parking, badge: what a first visitor needs to know."),
    )
    # Price groups: the share of a machine's rates each kind of company pays.
    sme_percent = models.DecimalField(
        db_default=Decimal(100),
        verbose_name=_("SMEs pay (% of the rates)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(100),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1000))],
        help_text=_("Micro, small and medium companies: 100 for the full rate, 80 for 20 % off."),
    )
    other_percent = models.DecimalField(
        db_default=Decimal(100),
        verbose_name=_("other companies pay (% of the rates)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(100),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1000))],
    )
    reminder_hours = models.PositiveSmallIntegerField(
        _("reminder (hours before the start)"),
        default=24,
        validators=[MaxValueValidator(24 * 7)],
        help_text=_("When members are reminded of their bookings; 0 sends no reminder."),
    )
    active = models.BooleanField(_("active"), default=True)
    operators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="operated_platforms",
        blank=True,
        verbose_name=_("operators"),
    )
    calendar = models.OneToOneField(
        "schedule.Calendar",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="platform",
        verbose_name=_("calendar"),
        help_text=_("Platform-wide closures, which close every machine."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)


class Weekday(models.IntegerChoices):
    # A context of their own: Django's dates use the plain msgids, lower-case in French
    # ("mercredi 6 janvier"), while a label stands alone ("Mercredi").
    MONDAY = 0, pgettext_lazy("weekday", "Monday")
    TUESDAY = 1, pgettext_lazy("weekday", "Tuesday")
    WEDNESDAY = 2, pgettext_lazy("weekday", "Wednesday")
    THURSDAY = 3, pgettext_lazy("weekday", "Thursday")
    FRIDAY = 4, pgettext_lazy("weekday", "Friday")
    SATURDAY = 5, pgettext_lazy("weekday", "Saturday")
    SUNDAY = 6, pgettext_lazy("weekday", "Sunday")


class OpeningHours(models.Model):
    """One opening range of a platform on a weekday, in the platform's local time.

    A day may have several ranges (a lunch break); ``closes`` at 00:00 means midnight at the end
    of the day, so a machine open round the clock has 00:00–00:00 every day.
    """

    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="opening_hours", verbose_name=_("platform")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["platform", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens__lt=F("closes")) | Q(closes=time(0, 0)),
                name="opening_hours_opens_before_closes",
                violation_error_message=_("The closing time must be after the opening time."),
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="opening_hours_weekday_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class MachineCategory(models.TextChoices):
    ADDITIVE_MANUFACTURING = "additive", _("Additive manufacturing")
    CNC_MACHINING = "cnc", _("CNC machining")
    LASER_CUTTING = "laser", _("Laser cutting")
    ROBOTICS = "robotics", _("Robotics")
    METROLOGY = "metrology", _("Metrology")
    ELECTRONICS = "electronics", _("Electronics")
    OTHER = "other", _("Other")


# The bounds of a machine's booking rules (a week's booking, a year's notice, two years ahead,
# a day's buffer).
MAX_BOOKING_MINUTES = 7 * 24 * 60
MAX_NOTICE_HOURS = 365 * 24
MAX_ADVANCE_DAYS = 2 * 366
MAX_BUFFER_MINUTES = 24 * 60


def validate_slot_minutes(value: int) -> None:
    if value <= 0 or (24 * 60) % value:
        raise ValidationError(
            _("The slot length must divide a day evenly (e.g. 15, 30, 60 or 120 minutes).")
        )


class Machine(models.Model):
    """A shared machine of a platform, with its booking rules."""

    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, related_name="machines", verbose_name=_("platform")
    )
    name = models.CharField(_("name"), max_length=200, validators=[single_line])
    slug = models.SlugField(_("slug"), max_length=100)
    category = models.CharField(_("category"), max_length=20, choices=MachineCategory.choices)
    description = models.TextField(_("description"), blank=True, validators=[multi_line])
    manufacturer = models.CharField(
        _("manufacturer"), max_length=100, blank=True, validators=[single_line]
    )
    model_name = models.CharField(_("model"), max_length=100, blank=True, validators=[single_line])
    specs = models.JSONField(_("specifications"), default=dict, blank=True)
    # What people compare machines by, in words the operator chooses.
    working_area = models.CharField(
        _("working area"),
        max_length=100,
        blank=True,
        validators=[single_line],
        help_text=_("For example 600 × 400 × 300 mm."),
    )
    materials = models.CharField(
        _("materials"),
        max_length=300,
        blank=True,
        validators=[single_line],
        help_text=_("For example aluminium, steel, POM, wood."),
    )
    tolerance = models.CharField(
        _("tolerance"),
        max_length=100,
        blank=True,
        validators=[single_line],
        help_text=_("For example ± 0.01 mm."),
    )
    hourly_rate = models.DecimalField(
        _("hourly rate (€ excl. VAT)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    setup_fee = models.DecimalField(
        db_default=Decimal("0.00"),
        verbose_name=_("setup fee per booking (€ excl. VAT)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    minimum_charge = models.DecimalField(
        db_default=Decimal("0.00"),
        verbose_name=_("minimum charge per booking (€ excl. VAT)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    assisted_hourly_rate = models.DecimalField(
        _("staff assistance, hourly rate (€ excl. VAT)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_("Leave blank when the platform offers no assistance on this machine."),
    )
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        db_default=Decimal("20.00"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("20.00"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot length (minutes)"), default=30, validators=[validate_slot_minutes]
    )
    min_minutes = models.PositiveIntegerField(
        _("minimum booking (minutes)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_BOOKING_MINUTES)],
    )
    max_minutes = models.PositiveIntegerField(
        _("maximum booking (minutes)"),
        default=480,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_BOOKING_MINUTES)],
    )
    min_notice_hours = models.PositiveIntegerField(
        _("minimum notice (hours)"), default=24, validators=[MaxValueValidator(MAX_NOTICE_HOURS)]
    )
    max_advance_days = models.PositiveIntegerField(
        _("booking horizon (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_ADVANCE_DAYS)],
    )
    requires_approval = models.BooleanField(_("requires approval"), default=False)
    requires_qualification = models.BooleanField(_("requires qualification"), default=False)
    qualification_months = models.PositiveSmallIntegerField(
        _("qualification valid for (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("From the day it is granted; blank: no expiry."),
    )
    qualification_lapse_months = models.PositiveSmallIntegerField(
        _("qualification lapses after (months unused)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Months without a booking on the machine; blank: it never lapses."),
    )
    weekly_quota_hours = models.DecimalField(
        _("weekly quota per company (hours)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(
                Decimal("0.25"),
                message=_("Allow at least a quarter of an hour, or leave it blank for no quota."),
            ),
            MaxValueValidator(Decimal(7 * 24)),
        ],
        help_text=_("Leave blank for no quota."),
    )
    daily_quota_hours = models.DecimalField(
        _("daily limit per company (hours)"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(
                Decimal("0.25"),
                message=_("Allow at least a quarter of an hour, or leave it blank for no limit."),
            ),
            MaxValueValidator(Decimal(24)),
        ],
        help_text=_("At most this many hours a day per company; leave blank for no limit."),
    )
    buffer_minutes = models.PositiveIntegerField(
        _("buffer between bookings (minutes)"),
        default=0,
        validators=[MaxValueValidator(MAX_BUFFER_MINUTES)],
    )
    active = models.BooleanField(_("active"), default=True)
    calendar = models.OneToOneField(
        "schedule.Calendar",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="machine",
        verbose_name=_("calendar"),
    )
    ical_token = models.CharField(
        _("iCal feed token"), max_length=64, unique=True, default=new_feed_token, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("machine")
        verbose_name_plural = _("machines")
        ordering = ["platform__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "slug"], name="machine_slug_per_platform"),
            models.CheckConstraint(condition=Q(slot_minutes__gt=0), name="machine_slot_positive"),
            models.CheckConstraint(
                condition=Q(min_minutes__gt=0) & Q(max_minutes__gte=F("min_minutes")),
                name="machine_min_max_minutes",
                violation_error_message=_(
                    "The maximum booking length must be at least the minimum."
                ),
            ),
            # The rules' bounds, held by the database as well: beyond them the time arithmetic
            # of a week or a search overflows (a notice of 2,147,483,647 hours).
            models.CheckConstraint(
                condition=Q(max_minutes__lte=MAX_BOOKING_MINUTES)
                & Q(min_notice_hours__lte=MAX_NOTICE_HOURS)
                & Q(max_advance_days__gte=1)
                & Q(max_advance_days__lte=MAX_ADVANCE_DAYS)
                & Q(buffer_minutes__lte=MAX_BUFFER_MINUTES)
                & (Q(weekly_quota_hours__isnull=True) | Q(weekly_quota_hours__gt=0))
                & (Q(daily_quota_hours__isnull=True) | Q(daily_quota_hours__gt=0))
                & Q(hourly_rate__gte=0),
                name="machine_rules_bounded",
                violation_error_message=_("A booking rule is out of its bounds."),
            ),
        ]
        indexes = [models.Index(fields=["category", "active"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.platform})"


class ClosureKind(models.TextChoices):
    CLOSURE = "closure", _("Closure")
    MAINTENANCE = "maintenance", _("Maintenance")


class Closure(models.Model):
    """A one-off or recurring period when a machine (or a whole platform) cannot be booked.

    Its times and recurrence are a django-scheduler ``Event`` with its own ``Rule``, on the
    machine's calendar or, for a platform-wide closure, on the platform's. Reads never expand
    the recurrence: they use ``ClosureInterval``, rebuilt whenever a closure changes.
    """

    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="closures", verbose_name=_("platform")
    )
    machine = models.ForeignKey(
        Machine,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="closures",
        verbose_name=_("machine"),
        help_text=_("Leave blank to close every machine of the platform."),
    )
    event = models.OneToOneField(
        "schedule.Event", on_delete=models.CASCADE, related_name="closure", verbose_name=_("event")
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=ClosureKind.choices, default=ClosureKind.CLOSURE
    )
    reason = models.TextField(_("reason"), blank=True, validators=[multi_line])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("closure or maintenance")
        verbose_name_plural = _("closures and maintenance")
        ordering = ["platform", "event__start"]

    def __str__(self) -> str:
        target = self.machine.name if self.machine_id and self.machine else str(self.platform)
        return f"{self.get_kind_display()}: {target} — {self.event.title}"


class ClosureInterval(models.Model):
    """One expanded occurrence of a closure on one machine, for plain-SQL reads.

    Rebuilt from the closures (``platforms.services.closure_intervals_rebuild``) when one
    changes and nightly, up to the booking horizon. A platform-wide closure has a row per
    machine.
    """

    machine = models.ForeignKey(Machine, on_delete=models.CASCADE, related_name="closure_intervals")
    closure = models.ForeignKey(Closure, on_delete=models.CASCADE, related_name="intervals")
    start = models.DateTimeField()
    end = models.DateTimeField()

    class Meta:
        ordering = ["machine", "start"]
        indexes = [models.Index(fields=["machine", "start", "end"], name="closure_interval_lookup")]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="closure_interval_order")
        ]

    def __str__(self) -> str:
        return f"{self.machine_id}: {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M}"


class QualificationStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class Qualification(models.Model):
    """A person's authorisation to use a machine that requires one, granted by an operator."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="qualifications",
        verbose_name=_("user"),
    )
    machine = models.ForeignKey(
        Machine, on_delete=models.CASCADE, related_name="qualifications", verbose_name=_("machine")
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=QualificationStatus.choices,
        default=QualificationStatus.REQUESTED,
    )
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), null=True, blank=True)
    valid_until = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("Blank: the machine's validity from the day it is granted, if it has one."),
    )
    note = models.TextField(_("note"), blank=True, validators=[multi_line])

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["machine", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "machine"], name="qualification_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.machine.name} ({self.get_status_display()})"


class QualificationRecognition(models.Model):
    """A platform accepts another platform's qualifications on machines of a category: a
    person qualified on a CNC machine there may book this platform's CNC machines."""

    platform = models.ForeignKey(
        Platform,
        on_delete=models.CASCADE,
        related_name="recognitions",
        verbose_name=_("platform"),
    )
    accepts = models.ForeignKey(
        Platform,
        on_delete=models.CASCADE,
        related_name="recognised_by",
        verbose_name=_("accepts the qualifications of"),
    )
    category = models.CharField(_("category"), max_length=20, choices=MachineCategory.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recognised qualification")
        verbose_name_plural = _("recognised qualifications")
        ordering = ["platform", "category", "accepts"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "accepts", "category"], name="recognition_unique"
            ),
            models.CheckConstraint(
                condition=~Q(platform=F("accepts")), name="recognition_of_another_platform"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.platform} ← {self.accepts} ({self.get_category_display()})"


# A machine's photos and documents live in a module of their own.
# A platform's tablets in kiosk mode.
from .kiosk_models import Kiosk  # noqa: E402, F401
from .media_models import DocumentKind, MachineDocument, MachinePhoto  # noqa: E402, F401
