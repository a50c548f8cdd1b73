"""What a booking costs: the one function that prices machine time (issue 27, 1). The booking
form shows it before booking, the API quotes it, billing keeps its lines when the booking is
made (the booking's price snapshot is their total) and the invoice bills those lines — so the
price shown is the price billed.

Lines: the machine's time at its hourly rate times the share the company's price group pays
(SMEs or other companies, set per platform), its real duration (a DST night counts its real
hours); the setup fee; staff assistance at its own rate when asked for; a complement up to the
minimum charge. VAT at the machine's rate, computed per rate on the lines' total. The
programme's subsidy (``subsidy``) is computed per line. Amounts are euros rounded to the cent,
half up."""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from bookings.models import CompanySize
from platforms.models import Machine

from .models import LineKind
from .money import ZERO, cents
from .subsidy import allowance

SME_SIZES = (CompanySize.MICRO, CompanySize.SMALL, CompanySize.MEDIUM)


@dataclass(frozen=True)
class Line:
    kind: str
    label: str
    quantity: Decimal
    unit_price_ht: Decimal
    vat_rate: Decimal
    total_ht: Decimal
    subsidy: Decimal = ZERO


@dataclass(frozen=True)
class Totals:
    total_ht: Decimal
    total_vat: Decimal
    total_ttc: Decimal
    subsidy: Decimal
    # VAT per rate: {rate: (base excl. VAT, VAT)}
    by_rate: dict[Decimal, tuple[Decimal, Decimal]]

    @property
    def to_pay(self) -> Decimal:
        return self.total_ttc - self.subsidy


def totals(lines: Iterable[Any]) -> Totals:
    """The totals of lines (``Line``, ``BillableLine`` or ``InvoiceLine``): VAT computed per
    rate on the rate's base, as an invoice states it."""
    bases: dict[Decimal, Decimal] = {}
    subsidy = ZERO
    for line in lines:
        rate = Decimal(line.vat_rate)
        bases[rate] = bases.get(rate, ZERO) + line.total_ht
        subsidy += line.subsidy
    by_rate = {rate: (base, cents(base * rate / 100)) for rate, base in sorted(bases.items())}
    total_ht = sum((base for base, _vat in by_rate.values()), ZERO)
    total_vat = sum((vat for _base, vat in by_rate.values()), ZERO)
    return Totals(total_ht, total_vat, total_ht + total_vat, subsidy, by_rate)


@dataclass(frozen=True)
class Quote:
    lines: list[Line]
    total_ht: Decimal
    total_vat: Decimal
    total_ttc: Decimal
    subsidy: Decimal = ZERO
    # Why the programme pays less than its rate, or nothing (the de minimis ceiling…).
    subsidy_note: str = field(default="")

    @property
    def to_pay_ttc(self) -> Decimal:
        return self.total_ttc - self.subsidy

    def as_json(self) -> dict[str, Any]:
        """The API's shape: amounts as strings with two decimals."""
        data: dict[str, Any] = {
            "lines": [
                {
                    "kind": line.kind,
                    "label": line.label,
                    "quantity": f"{line.quantity:.2f}",
                    "unit_price_ht": f"{line.unit_price_ht:.2f}",
                    "vat_rate": f"{line.vat_rate:.2f}",
                    "total_ht": f"{line.total_ht:.2f}",
                    "subsidy": f"{line.subsidy:.2f}",
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
        if self.subsidy_note:
            data["subsidy_note"] = self.subsidy_note
        return data


def group_percent(machine: Machine, company: Any) -> Decimal:
    """The share of the rates the company pays on the machine's platform (the SMEs' without a
    company: the price shown to a visitor is the SMEs')."""
    platform = machine.platform
    if company is None or company.size_class in SME_SIZES:
        return Decimal(platform.sme_percent)
    return Decimal(platform.other_percent)


def hours_between(start: datetime, end: datetime) -> Decimal:
    # In UTC: two times of one zone subtract as wall clocks in Python (3 h over a 2-hour night).
    real = end.astimezone(UTC) - start.astimezone(UTC)
    return Decimal(real.total_seconds()) / Decimal(3600)


def price_lines(
    *, machine: Machine, start: datetime, end: datetime, company: Any, assisted: bool
) -> list[Line]:
    """The lines of using ``machine`` over [start, end), before any subsidy."""
    hours = hours_between(start, end)
    share = group_percent(machine, company) / Decimal(100)
    vat = Decimal(machine.vat_rate)
    rate = cents(Decimal(machine.hourly_rate) * share)
    lines = [
        Line(LineKind.TIME, _("Machine time (hours)"), cents(hours), rate, vat, cents(rate * hours))
    ]
    if machine.setup_fee:
        fee = cents(Decimal(machine.setup_fee) * share)
        lines.append(Line(LineKind.SETUP, _("Setup"), Decimal(1), fee, vat, fee))
    if assisted and machine.assisted_hourly_rate is not None:
        staff = cents(Decimal(machine.assisted_hourly_rate) * share)
        lines.append(
            Line(
                LineKind.ASSISTANCE,
                _("Staff assistance (hours)"),
                cents(hours),
                staff,
                vat,
                cents(staff * hours),
            )
        )
    subtotal = sum((line.total_ht for line in lines), ZERO)
    minimum = cents(Decimal(machine.minimum_charge) * share)
    if subtotal < minimum:
        complement = minimum - subtotal
        lines.append(
            Line(
                LineKind.MINIMUM,
                _("Up to the minimum charge"),
                Decimal(1),
                complement,
                vat,
                complement,
            )
        )
    return lines


def quote(
    *,
    machine: Machine,
    start: datetime,
    end: datetime,
    company: Any = None,
    assisted: bool = False,
    booking: Any = None,
) -> Quote:
    """The lines and totals of booking ``machine`` over [start, end) for ``company``, with the
    programme's subsidy as it stands today (``booking``: the one being priced again, whose own
    lines do not count against its allowance)."""
    lines = price_lines(machine=machine, start=start, end=end, company=company, assisted=assisted)
    aid = allowance(
        platform=machine.platform,
        company=company,
        on=start.astimezone(machine.platform.tz).date(),
        booking=booking,
    )
    lines = [replace(line, subsidy=aid.take(line)) for line in lines]
    figures = totals(lines)
    return Quote(
        lines,
        figures.total_ht,
        figures.total_vat,
        figures.total_ttc,
        figures.subsidy,
        aid.note,
    )
