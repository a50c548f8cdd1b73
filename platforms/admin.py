from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Machine, OpeningHours, Platform
from .services import machine_calendar_ensure, platform_calendar_ensure


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ("name", "city", "region", "timezone", "active")
    list_filter = ("active", "region")
    search_fields = ("name", "city", "label_reference")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("operators",)
    readonly_fields = ("calendar",)
    inlines = [OpeningHoursInline]

    def save_model(self, request: HttpRequest, obj: Platform, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        platform_calendar_ensure(platform=obj)


@admin.register(Machine)
class MachineAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "platform",
        "category",
        "hourly_rate",
        "slot_minutes",
        "requires_approval",
        "requires_qualification",
        "active",
    )
    list_filter = ("active", "category", "requires_approval", "requires_qualification", "platform")
    search_fields = ("name", "manufacturer", "model_name", "platform__name")
    list_select_related = ("platform",)
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("calendar",)

    def save_model(self, request: HttpRequest, obj: Machine, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        machine_calendar_ensure(machine=obj)
