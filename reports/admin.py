"""Staff see subscriptions and what was sent; the figures themselves are on /reports/."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import ReportDelivery, ReportSubscription


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("email", "frequency", "owner", "programme", "platform", "region", "active")
    list_filter = ("frequency", "active")
    raw_id_fields = ("owner",)


@admin.register(ReportDelivery)
class ReportDeliveryAdmin(admin.ModelAdmin):
    list_display = ("subscription", "period_start", "period_end", "created_at")
    readonly_fields = ("subscription", "period_start", "period_end", "created_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
