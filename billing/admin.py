"""Staff manage programmes (their platforms, funders and subsidy terms) and the platforms'
invoicing; issued documents are read-only: an invoice is never changed nor deleted."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import BillingAccount, Invoice, PlatformBilling, Programme, SubsidyGrant


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("name", "start_date", "target_smes", "subsidy_rate", "subsidy_cap")
    filter_horizontal = ("platforms", "funders")
    search_fields = ("name",)


@admin.register(PlatformBilling)
class PlatformBillingAdmin(admin.ModelAdmin):
    list_display = ("platform", "legal_name", "invoice_prefix", "bills_used_time")
    search_fields = ("legal_name", "platform__name")


@admin.register(BillingAccount)
class BillingAccountAdmin(admin.ModelAdmin):
    list_display = ("company", "email", "de_minimis_declared", "de_minimis_declared_on")
    search_fields = ("company__name", "company__siret")
    raw_id_fields = ("company",)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Invoice)
class InvoiceAdmin(ReadOnly):
    list_display = ("number", "kind", "platform", "company", "issued_on", "total_ttc")
    list_filter = ("kind", "platform")
    search_fields = ("number", "company__name")
    exclude = ("pdf",)


@admin.register(SubsidyGrant)
class SubsidyGrantAdmin(ReadOnly):
    list_display = ("siren", "company", "programme", "amount", "granted_on", "service_year")
    search_fields = ("siren", "company__name")
