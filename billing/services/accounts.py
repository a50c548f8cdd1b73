"""Who a company is as a buyer and a platform as a seller: set by the company's administrators
and the platform's operators, with the audit trail."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from bookings.exceptions import NotCompanyAdmin
from bookings.models import Company
from bookings.selectors import user_is_company_admin
from platforms.models import Platform
from platforms.selectors import user_operates

from ..exceptions import NotOperator
from ..models import BillingAccount, PlatformBilling

BUYER_FIELDS = ("email", "street", "postcode", "city", "de_minimis_declared")
SELLER_FIELDS = (
    "legal_name",
    "legal_form",
    "share_capital",
    "street",
    "postcode",
    "city",
    "siret",
    "vat_number",
    "rcs",
    "iban",
    "bic",
    "invoice_prefix",
    "payment_days",
    "bills_used_time",
    "late_cancellation_percent",
    "no_show_percent",
)


def _changed(
    row: Any, fields: tuple[str, ...], values: dict[str, Any], *, user: Any, action: str, obj: Any
) -> Any:
    """Set ``fields`` of the locked ``row`` from ``values``, validate, save and record the
    change in the audit trail."""
    before = {name: str(getattr(row, name)) for name in fields}
    for name in fields:
        if name in values:
            setattr(row, name, values[name])
    row.full_clean()
    row.save()
    after = {name: str(getattr(row, name)) for name in fields}
    audit_record(actor=user, action=action, obj=obj, before=before, after=after)
    return row


def billing_account_set(*, user: Any, company: Company, **values: Any) -> BillingAccount:
    """A company administrator sets where invoices go and declares the de minimis aid the
    company received over the last three years (dated today)."""
    if not user_is_company_admin(user=user, company=company):
        raise NotCompanyAdmin()
    with transaction.atomic():
        account, _created = BillingAccount.objects.select_for_update().get_or_create(
            company=company
        )
        declared = values.get("de_minimis_declared", account.de_minimis_declared)
        if declared != account.de_minimis_declared or account.de_minimis_declared_on is None:
            account.de_minimis_declared_on = timezone.localdate()
        return _changed(
            account, BUYER_FIELDS, values, user=user, action="billing.account_set", obj=company
        )


def seller_set(*, user: Any, platform: Platform, **values: Any) -> PlatformBilling:
    """An operator sets the platform's identity on its invoices and its billing policy."""
    if not user_operates(user=user, platform=platform):
        raise NotOperator()
    with transaction.atomic():
        policy, _created = PlatformBilling.objects.select_for_update().get_or_create(
            platform=platform
        )
        return _changed(
            policy, SELLER_FIELDS, values, user=user, action="billing.seller_set", obj=platform
        )
