from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from platforms.exceptions import DomainError

from .models import Booking, Company, Membership
from .services import booking_cancel, booking_create


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "siret", "siren", "size_class", "region")
    list_filter = ("size_class", "region")
    search_fields = ("name", "siret")
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "company", "role")
    list_filter = ("role",)
    search_fields = ("user__email", "company__name")
    autocomplete_fields = ("user", "company")
    list_select_related = ("user", "company")


class BookingCreateForm(forms.ModelForm):
    """Admin's add form: the booking is written by ``booking_create``, rules and all.

    The service runs in ``clean`` so that a refusal is shown on the form, with nothing written.
    """

    request_user: Any = None

    class Meta:
        model = Booking
        fields = ("machine", "company", "start", "end", "note")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        required = ("machine", "company", "start", "end")
        if self.errors or any(cleaned.get(name) is None for name in required):
            return cleaned
        try:
            self.instance = booking_create(
                machine=cleaned["machine"],
                company=cleaned["company"],
                user=self.request_user,
                start=cleaned["start"],
                end=cleaned["end"],
                note=cleaned.get("note", ""),
            )
        except DomainError as error:
            raise forms.ValidationError(error.detail, code=error.code) from error
        return cleaned

    def _post_clean(self) -> None:
        # The service already validated and saved the instance; model validation again would
        # only repeat its work.
        pass


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = (
        "machine",
        "company",
        "start",
        "end",
        "status",
        "price",
        "late_cancellation",
    )
    list_filter = (
        "status",
        "late_cancellation",
        "machine__platform",
        "machine__category",
    )
    date_hierarchy = "start"
    search_fields = ("company__name", "company__siret", "machine__name", "booked_by__email")
    list_select_related = ("machine__platform", "company")
    actions = ["cancel_bookings"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        if obj is None:
            kwargs["form"] = type(
                "BoundBookingCreateForm", (BookingCreateForm,), {"request_user": request.user}
            )
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Existing bookings change only through the services (the actions), never by editing.
        if obj is not None:
            return [field.name for field in Booking._meta.fields]
        return ()

    def save_model(self, request: HttpRequest, obj: Booking, form: Any, change: bool) -> None:
        # The add form's service call has saved the booking; edits are read-only.
        pass

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Cancel the selected bookings"))
    def cancel_bookings(self, request: HttpRequest, queryset: QuerySet[Booking]) -> None:
        cancelled = 0
        for booking in queryset:
            try:
                booking_cancel(
                    booking=booking, user=request.user, reason=str(_("Cancelled by staff."))
                )
                cancelled += 1
            except DomainError as error:
                self.message_user(request, f"{booking}: {error.detail}", messages.ERROR)
        if cancelled:
            self.message_user(
                request,
                ngettext("%(count)d booking cancelled.", "%(count)d bookings cancelled.", cancelled)
                % {"count": cancelled},
                messages.SUCCESS,
            )
