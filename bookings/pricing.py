"""What a booking costs: the one function that prices machine time (issue 27, 1). The booking
form shows it before booking, the API quotes it, the booking keeps its total as its price
snapshot — so the price shown is the price billed.

Lines: the machine's time at its hourly rate times the share the company's price group pays
(SMEs or other companies, set per platform), its real duration (a DST night counts its real
hours); the setup fee; staff assistance at its own rate when asked for; a complement up to the
minimum charge. VAT at the machine's rate, computed per rate on the lines' total. Amounts are
euros rounded to the cent, half up."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from platforms.models import Machine

CENT = Decimal("0.01")
SME_SIZES = ("micro", "small", "medium")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Line:
    label: str
    quantity: Decimal
    unit_price_ht: Decimal
    vat_rate: Decimal
    total_ht: Decimal


@dataclass(frozen=True)
class Quote:
    lines: list[Line]
    total_ht: Decimal
    total_vat: Decimal
    total_ttc: Decimal
    # The programme's subsidy comes with its ledger (issue 27, 2): none yet.
    subsidy: Decimal = field(default=Decimal("0.00"))

    @property
    def to_pay_ttc(self) -> Decimal:
        return self.total_ttc - self.subsidy

    def as_json(self) -> dict[str, Any]:
        """The API's shape: amounts as strings with two decimals."""
        return {
            "lines": [
                {
                    "label": line.label,
                    "quantity": f"{line.quantity:.2f}",
                    "unit_price_ht": f"{line.unit_price_ht:.2f}",
                    "vat_rate": f"{line.vat_rate:.2f}",
                    "total_ht": f"{line.total_ht:.2f}",
                }
                for line in self.lines
            ],
            "total_ht": f"{self.total_ht:.2f}",
            "total_vat": f"{self.total_vat:.2f}",
            "total_ttc": f"{self.total_ttc:.2f}",
            "subsidy": f"{self.subsidy:.2f}",
            "to_pay_ttc": f"{self.to_pay_ttc:.2f}",
            "currency": "EUR",
        }


def group_percent(machine: Machine, company: Any) -> Decimal:
    """The share of the rates the company pays on the machine's platform (100 without a
    company: the price shown to a visitor is the SMEs')."""
    platform = machine.platform
    if company is None or company.size_class in SME_SIZES:
        return Decimal(platform.sme_percent)
    return Decimal(platform.other_percent)


def quote(
    *,
    machine: Machine,
    start: datetime,
    end: datetime,
    company: Any = None,
    assisted: bool = False,
) -> Quote:
    """The lines and totals of booking ``machine`` over [start, end) for ``company``."""
    # In UTC: two times of one zone subtract as wall clocks in Python (3 h over a 2-hour night).
    real = end.astimezone(UTC) - start.astimezone(UTC)
    hours = Decimal(real.total_seconds()) / Decimal(3600)
    share = group_percent(machine, company) / Decimal(100)
    vat = Decimal(machine.vat_rate)
    lines = []
    rate = cents(Decimal(machine.hourly_rate) * share)
    lines.append(Line(_("Machine time (hours)"), cents(hours), rate, vat, cents(rate * hours)))
    if machine.setup_fee:
        fee = cents(Decimal(machine.setup_fee) * share)
        lines.append(Line(_("Setup"), Decimal(1), fee, vat, fee))
    if assisted and machine.assisted_hourly_rate is not None:
        staff = cents(Decimal(machine.assisted_hourly_rate) * share)
        lines.append(
            Line(_("Staff assistance (hours)"), cents(hours), staff, vat, cents(staff * hours))
        )
    subtotal = sum((line.total_ht for line in lines), Decimal(0))
    minimum = cents(Decimal(machine.minimum_charge) * share)
    if subtotal < minimum:
        complement = minimum - subtotal
        lines.append(Line(_("Up to the minimum charge"), Decimal(1), complement, vat, complement))
    total_ht = sum((line.total_ht for line in lines), Decimal(0))
    by_rate: dict[Decimal, Decimal] = {}
    for line in lines:
        by_rate[line.vat_rate] = by_rate.get(line.vat_rate, Decimal(0)) + line.total_ht
    total_vat = sum((cents(ht * rate / 100) for rate, ht in by_rate.items()), Decimal(0))
    return Quote(lines, cents(total_ht), cents(total_vat), cents(total_ht + total_vat))
