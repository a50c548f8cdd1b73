"""Money's forms: a company's billing account, a platform's invoicing details, a consumable,
a credit note, a month."""

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from billing.models import BillingAccount, PlatformBilling
from billing.services.accounts import BUYER_FIELDS, SELLER_FIELDS
from core.text import multi_line, single_line

from .fields import BoundedDateField


class BillingAccountForm(forms.ModelForm):
    class Meta:
        model = BillingAccount
        fields = BUYER_FIELDS
        help_texts = {
            "email": _("Invoices go there; without it, to the company's administrators."),
            "de_minimis_declared": _(
                "Public aid received under the de minimis rule (EU 2023/2831) over the last "
                "three years, from any source. The programme's aid stops before the company "
                "passes the ceiling."
            ),
        }


class SellerForm(forms.ModelForm):
    class Meta:
        model = PlatformBilling
        fields = SELLER_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("iban", "bic", "vat_number", "invoice_prefix"):
            self.fields[name].widget.attrs["autocapitalize"] = "characters"

    def clean_iban(self) -> str:
        return "".join(self.cleaned_data.get("iban", "").split()).upper()

    def clean_vat_number(self) -> str:
        return "".join(self.cleaned_data.get("vat_number", "").split()).upper()

    def clean_siret(self) -> str:
        return "".join(self.cleaned_data.get("siret", "").split())


class ConsumableForm(forms.Form):
    company = forms.TypedChoiceField(label=_("Company"), coerce=int)
    name = forms.CharField(label=_("Designation"), max_length=200, validators=[single_line])
    quantity = forms.DecimalField(
        label=_("Quantity"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(100000))],
    )
    unit_price_ht = forms.DecimalField(
        label=_("Unit price excl. VAT (€)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00")), MaxValueValidator(Decimal(1000000))],
    )
    vat_rate = forms.TypedChoiceField(
        label=_("VAT"),
        coerce=Decimal,
        choices=[("20.00", "20 %"), ("10.00", "10 %"), ("5.50", "5,5 %"), ("0.00", "0 %")],
    )
    on = BoundedDateField(label=_("Date of use"))

    def __init__(self, *args: Any, companies: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].choices = [(c.pk, c.name) for c in companies]  # type: ignore[attr-defined]


class CreditForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (printed on the credit note)"),
        max_length=1000,
        validators=[multi_line],
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def month_param(value: str, default: date) -> date:
    """``?month=YYYY-MM`` as its first day; anything unreadable, the default."""
    try:
        year, month = (int(part) for part in value.split("-"))
        chosen = date(year, month, 1)
    except (TypeError, ValueError):
        return default
    return chosen if 2000 <= chosen.year <= 2100 else default
