"""Money (issue 27): the programme and its subsidy, the platforms' invoicing details and billing
policy, the companies' billing accounts, the lines to bill, the invoices and credit notes, and
the de minimis ledger."""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from stdnum import iban
from stdnum.fr import tva

from bookings.models import Booking, Company, CompanySize, Enrolment
from bookings.siret import validate_siret
from core.text import multi_line, single_line
from platforms.models import Platform


def validate_vat_number(value: str) -> None:
    """A French intra-community VAT number (FR, its key, the SIREN), checked with its key."""
    if not tva.is_valid(value) or not value.startswith("FR"):
        raise ValidationError(_("This VAT number is not valid: FR, two check digits, the SIREN."))


def validate_iban(value: str) -> None:
    if not iban.is_valid(value):
        raise ValidationError(_("This IBAN is not valid (write it without spaces)."))


PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]
AMOUNT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal("99999999.99"))]


def default_funded_sizes() -> list[str]:
    return [CompanySize.MICRO, CompanySize.SMALL, CompanySize.MEDIUM]


class Programme(models.Model):
    """A public funding programme (Bpifrance's "industrie du futur" platforms): the platforms
    it funds, the funders' officers who follow it, its target of SMEs served, and the share of
    eligible SMEs' machine time it pays (up to a cap per SME and per year)."""

    name = models.CharField(_("name"), max_length=200)
    start_date = models.DateField(_("start date"))
    target_smes = models.PositiveIntegerField(_("target of SMEs served"), default=2000)
    platforms = models.ManyToManyField(
        Platform, related_name="programmes", verbose_name=_("platforms funded")
    )
    funders = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="programmes_followed",
        blank=True,
        verbose_name=_("funders following it"),
    )
    subsidy_rate = models.DecimalField(
        _("subsidy (% of the price excl. VAT)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        db_default=Decimal(0),
        validators=PERCENT,
    )
    subsidy_cap = models.DecimalField(
        _("subsidy cap per SME and year (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=AMOUNT,
        help_text=_("Blank: no cap but the de minimis ceiling."),
    )
    funded_sizes = ArrayField(
        models.CharField(max_length=20, choices=CompanySize.choices),
        verbose_name=_("company sizes funded"),
        default=default_funded_sizes,
    )
    budget = models.DecimalField(
        _("subsidy budget (€)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        db_default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "reports_programme"
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PlatformBilling(models.Model):
    """A platform as the seller on its invoices, and what it bills."""

    platform = models.OneToOneField(
        Platform, on_delete=models.CASCADE, related_name="billing", verbose_name=_("platform")
    )
    legal_name = models.CharField(
        _("legal name"), max_length=200, blank=True, validators=[single_line]
    )
    legal_form = models.CharField(
        _("legal form"), max_length=60, blank=True, validators=[single_line]
    )
    share_capital = models.CharField(
        _("share capital"), max_length=40, blank=True, validators=[single_line]
    )
    street = models.CharField(_("street"), max_length=200, blank=True, validators=[single_line])
    postcode = models.CharField(
        _("postcode"), max_length=5, blank=True, validators=[RegexValidator(r"^\d{5}$")]
    )
    city = models.CharField(_("city"), max_length=100, blank=True, validators=[single_line])
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    vat_number = models.CharField(
        _("VAT number"), max_length=13, blank=True, validators=[validate_vat_number]
    )
    rcs = models.CharField(
        _("trade register (RCS)"), max_length=80, blank=True, validators=[single_line]
    )
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, validators=[validate_iban])
    bic = models.CharField(
        _("BIC"),
        max_length=11,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$")],
    )
    invoice_prefix = models.CharField(
        _("invoice prefix"),
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^[A-Z0-9]{2,10}$", _("2 to 10 capitals or digits."))],
    )
    payment_days = models.PositiveSmallIntegerField(
        _("payment within (days)"), default=30, validators=[MaxValueValidator(60)]
    )
    bills_used_time = models.BooleanField(
        _("bill the time used (else the time booked)"),
        default=False,
        help_text=_("The usage recorded, rounded up to the machine's slot."),
    )
    late_cancellation_percent = models.DecimalField(
        _("late cancellation billed (% of the price)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=PERCENT,
    )
    no_show_percent = models.DecimalField(
        _("no-show billed (% of the price)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=PERCENT,
    )

    class Meta:
        verbose_name = _("platform's invoicing")
        verbose_name_plural = _("platforms' invoicing")

    def __str__(self) -> str:
        return self.legal_name or str(self.platform)

    @property
    def can_invoice(self) -> bool:
        """What every invoice must name: the seller's identity, address and numbering."""
        return all(
            (
                self.legal_name,
                self.street,
                self.postcode,
                self.city,
                self.siret,
                self.invoice_prefix,
            )
        )


class BillingAccount(models.Model):
    """A company as a buyer: where its invoices go, and the de minimis aid it declared."""

    company = models.OneToOneField(
        Company, on_delete=models.CASCADE, related_name="billing", verbose_name=_("company")
    )
    email = models.EmailField(_("billing e-mail"), blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True, validators=[single_line])
    postcode = models.CharField(
        _("postcode"), max_length=5, blank=True, validators=[RegexValidator(r"^\d{5}$")]
    )
    city = models.CharField(_("city"), max_length=100, blank=True, validators=[single_line])
    de_minimis_declared = models.DecimalField(
        _("de minimis aid received over the last three years (€)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal(0),
        validators=AMOUNT,
    )
    de_minimis_declared_on = models.DateField(_("declared on"), null=True, blank=True)

    class Meta:
        verbose_name = _("billing account")
        verbose_name_plural = _("billing accounts")

    def __str__(self) -> str:
        return str(self.company)


class LineKind(models.TextChoices):
    TIME = "time", _("Machine time")
    SETUP = "setup", _("Setup")
    ASSISTANCE = "assistance", _("Staff assistance")
    MINIMUM = "minimum", _("Minimum charge")
    LATE_CANCELLATION = "late_cancellation", _("Late cancellation")
    NO_SHOW = "no_show", _("No-show")
    CONSUMABLE = "consumable", _("Consumable")
    TRAINING = "training", _("Training session")


# The lines the programme's subsidy covers: machine time, what comes with it, and training.
SUBSIDISED = (
    LineKind.TIME,
    LineKind.SETUP,
    LineKind.ASSISTANCE,
    LineKind.MINIMUM,
    LineKind.TRAINING,
)


class BillableLine(models.Model):
    """Something to bill a company, priced when it happened, on an invoice once issued."""

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="billable_lines")
    booking = models.ForeignKey(
        Booking, on_delete=models.PROTECT, null=True, blank=True, related_name="billable_lines"
    )
    # A seat in a training session, billed like machine time.
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, null=True, blank=True, related_name="billable_lines"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LineKind.choices)
    label = models.CharField(_("designation"), max_length=200, validators=[single_line])
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    unit_price_ht = models.DecimalField(_("unit price excl. VAT"), max_digits=10, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=4, decimal_places=2)
    total_ht = models.DecimalField(_("total excl. VAT"), max_digits=12, decimal_places=2)
    # The programme's share as priced; the invoice computes the one granted.
    subsidy = models.DecimalField(_("subsidy"), max_digits=12, decimal_places=2, default=0)
    service_date = models.DateField(_("date"))
    waived = models.BooleanField(_("waived"), default=False)
    invoice = models.ForeignKey(
        "Invoice", on_delete=models.PROTECT, null=True, blank=True, related_name="billed"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("line to bill")
        verbose_name_plural = _("lines to bill")
        ordering = ["service_date", "booking_id", "id"]
        indexes = [models.Index(fields=["platform", "service_date"], name="billable_month")]

    def __str__(self) -> str:
        return f"{self.label} ({self.total_ht} €)"


class DocumentKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class Invoice(models.Model):
    """An invoice or a credit note, as issued: never changed, never deleted (kept ten years,
    through any account's erasure). Its figures, the seller's and the buyer's identities are
    copied in; its PDF (Factur-X) is kept as sent; its hash chains it to the platform's previous
    document."""

    kind = models.CharField(_("kind"), max_length=12, choices=DocumentKind.choices)
    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="invoices")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(_("number"), max_length=30, unique=True)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    issued_on = models.DateField(_("issued on"))
    # The month invoiced (its first day); a credit note carries its invoice's.
    month = models.DateField(_("month"))
    period_start = models.DateField(_("service from"))
    period_end = models.DateField(_("service to"))
    due_on = models.DateField(_("due on"))
    seller = models.JSONField(_("seller"))
    buyer = models.JSONField(_("buyer"))
    total_ht = models.DecimalField(_("total excl. VAT"), max_digits=12, decimal_places=2)
    total_vat = models.DecimalField(_("VAT"), max_digits=12, decimal_places=2)
    total_ttc = models.DecimalField(_("total incl. VAT"), max_digits=12, decimal_places=2)
    subsidy = models.DecimalField(_("programme aid"), max_digits=12, decimal_places=2)
    to_pay = models.DecimalField(_("to pay"), max_digits=12, decimal_places=2)
    credited = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("invoice credited"),
    )
    reason = models.TextField(_("reason"), blank=True, validators=[multi_line])
    previous_sha256 = models.CharField(max_length=64, blank=True)
    sha256 = models.CharField(max_length=64)
    pdf = models.BinaryField(_("PDF (Factur-X)"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "year", "sequence"], name="invoice_number_once"
            ),
            # One invoice per company, platform and month: a second run issues nothing.
            models.UniqueConstraint(
                fields=["platform", "company", "month"],
                condition=models.Q(kind="invoice"),
                name="invoice_once_a_month",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=LineKind.choices)
    label = models.CharField(_("designation"), max_length=200)
    service_date = models.DateField(_("date"))
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    unit_price_ht = models.DecimalField(_("unit price excl. VAT"), max_digits=10, decimal_places=2)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=4, decimal_places=2)
    total_ht = models.DecimalField(_("total excl. VAT"), max_digits=12, decimal_places=2)
    subsidy = models.DecimalField(_("programme aid"), max_digits=12, decimal_places=2)
    # A credit note's line names the invoice line it cancels, once.
    credits = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credited_by"
    )

    class Meta:
        ordering = ["invoice_id", "position"]

    def __str__(self) -> str:
        return self.label


class SubsidyGrant(models.Model):
    """The de minimis ledger: the programme's aid to a company (by SIREN), dated the day its
    invoice was issued (negative for a credit note), counted in the service's year for the
    programme's cap."""

    siren = models.CharField(_("SIREN"), max_length=9, db_index=True)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="subsidies")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="grants")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="grants")
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    granted_on = models.DateField(_("granted on"))
    service_year = models.PositiveSmallIntegerField(_("year of the service"))

    class Meta:
        verbose_name = _("de minimis aid")
        verbose_name_plural = _("de minimis ledger")
        ordering = ["granted_on", "id"]

    def __str__(self) -> str:
        return f"{self.siren} {self.amount} € ({self.granted_on})"
