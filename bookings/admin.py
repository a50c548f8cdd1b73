from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.widgets import AdminSplitDateTime
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.exceptions import DomainError
from platforms.admin import ClosureAdmin
from platforms.models import Closure

from .models import Booking, Company, Enrolment, Membership, TrainingSession
from .selectors import bookings_affected_by_closure
from .services import (
    booking_approve,
    booking_cancel,
    booking_create,
    booking_move,
    booking_reject,
    company_validate,
)
from .siret import normalize_siret


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, sent to the company"), widget=forms.Textarea(attrs={"rows": 3})
    )


class MoveForm(forms.Form):
    start = forms.SplitDateTimeField(label=_("New start"), widget=AdminSplitDateTime)
    end = forms.SplitDateTimeField(label=_("New end"), widget=AdminSplitDateTime)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


class CompanyForm(forms.ModelForm):
    # Wider than the stored 14 digits, to accept the spaces people write.
    siret = forms.CharField(label=_("SIRET"), max_length=20)

    class Meta:
        model = Company
        fields = ("name", "siret", "size_class", "region", "naf_code")

    def clean_siret(self) -> str:
        # Accept the written form "732 829 320 00074"; the model's validator checks the rest.
        return normalize_siret(self.cleaned_data["siret"])


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    form = CompanyForm
    list_display = ("name", "siret", "siren", "size_class", "region", "validated_at")
    list_filter = ("size_class", "region", ("validated_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "siret")
    readonly_fields = (
        "validated_at",
        "validated_by",
        "refused_at",
        "refused_by",
        "refusal_reason",
    )
    inlines = [MembershipInline]
    actions = ["validate"]

    @admin.action(description=_("Validate the selected companies (they may book)"))
    def validate(self, request: HttpRequest, queryset: QuerySet[Company]) -> None:
        for company in queryset.filter(validated_at__isnull=True):
            company_validate(company=company, user=request.user)
        self.message_user(request, _("The selected companies may book."))


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
    # Five narrow columns: the list fits beside its filters on a 1,280 px screen.
    list_display = ("when", "machine", "company", "status_shown", "price")
    ordering = ("-start", "-pk")
    list_filter = (
        "status",
        "kind",
        "late_cancellation",
        "machine__platform",
        "machine__category",
    )
    date_hierarchy = "start"
    search_fields = ("company__name", "company__siret", "machine__name", "booked_by__email")
    list_select_related = ("machine__platform", "company")
    actions = ["approve_bookings", "reject_bookings", "cancel_bookings", "move_booking"]

    @admin.display(description=_("when (platform time)"), ordering="start")
    def when(self, booking: Booking) -> str:
        tz = booking.machine.platform.tz
        start, end = booking.start.astimezone(tz), booking.end.astimezone(tz)
        until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
        return f"{start:%Y-%m-%d %H:%M}–{until}"

    @admin.display(description=_("status"), ordering="status")
    def status_shown(self, booking: Booking) -> str:
        status = booking.get_status_display()
        return f"{status} ({_('late')})" if booking.late_cancellation else str(status)

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

    def _apply(
        self,
        request: HttpRequest,
        queryset: QuerySet[Booking],
        operation: Callable[[Booking], object],
        done_message: Callable[[int], str],
    ) -> None:
        done = 0
        for booking in queryset.select_related("machine__platform", "company"):
            try:
                operation(booking)
                done += 1
            except DomainError as error:
                self.message_user(request, f"{booking}: {error.detail}", messages.ERROR)
        if done:
            self.message_user(request, done_message(done), messages.SUCCESS)

    def _with_form(
        self,
        request: HttpRequest,
        queryset: QuerySet[Booking],
        *,
        form_class: type[forms.Form],
        action: str,
        title: str,
        operation: Callable[[Booking, dict[str, Any]], object],
        done_message: Callable[[int], str],
    ) -> TemplateResponse | None:
        """Ask for the action's input on an intermediate page, then apply the service to each
        selected booking."""
        form = form_class(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            data = form.cleaned_data
            self._apply(request, queryset, lambda b: operation(b, data), done_message)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "bookings": queryset.select_related("machine", "company"),
            "form": form,
            "action": action,
            "opts": self.model._meta,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/bookings/booking/action_form.html", context)

    @admin.action(description=_("Cancel the selected bookings (with a reason)"))
    def cancel_bookings(self, request: HttpRequest, queryset: QuerySet[Booking]) -> Any:
        return self._with_form(
            request,
            queryset,
            form_class=ReasonForm,
            action="cancel_bookings",
            title=str(_("Cancel bookings")),
            operation=lambda b, data: booking_cancel(
                booking=b, user=request.user, reason=data["reason"]
            ),
            done_message=lambda n: (
                ngettext("%(count)d booking cancelled.", "%(count)d bookings cancelled.", n)
                % {"count": n}
            ),
        )

    @admin.action(description=_("Reject the selected bookings (with a reason)"))
    def reject_bookings(self, request: HttpRequest, queryset: QuerySet[Booking]) -> Any:
        return self._with_form(
            request,
            queryset,
            form_class=ReasonForm,
            action="reject_bookings",
            title=str(_("Reject bookings")),
            operation=lambda b, data: booking_reject(
                booking=b, user=request.user, reason=data["reason"]
            ),
            done_message=lambda n: (
                ngettext("%(count)d booking rejected.", "%(count)d bookings rejected.", n)
                % {"count": n}
            ),
        )

    @admin.action(description=_("Move the selected booking"))
    def move_booking(self, request: HttpRequest, queryset: QuerySet[Booking]) -> Any:
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one booking to move."), messages.ERROR)
            return None
        return self._with_form(
            request,
            queryset,
            form_class=MoveForm,
            action="move_booking",
            title=str(_("Move a booking")),
            operation=lambda b, data: booking_move(
                booking=b, user=request.user, start=data["start"], end=data["end"]
            ),
            done_message=lambda n: str(_("Booking moved.")),
        )

    @admin.action(description=_("Approve the selected bookings"))
    def approve_bookings(self, request: HttpRequest, queryset: QuerySet[Booking]) -> None:
        self._apply(
            request,
            queryset,
            lambda b: booking_approve(booking=b, user=request.user),
            lambda n: (
                ngettext("%(count)d booking approved.", "%(count)d bookings approved.", n)
                % {"count": n}
            ),
        )


class ClosureWithBookingsAdmin(ClosureAdmin):
    """The closure admin, told by the demand side which bookings a new closure overlaps."""

    def save_model(self, request: HttpRequest, obj: Closure, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change:
            return
        affected = list(bookings_affected_by_closure(closure=obj))
        if not affected:
            return
        url = reverse("admin:bookings_booking_changelist")
        ids = ",".join(str(booking.pk) for booking in affected)
        self.message_user(
            request,
            format_html(
                "{} <a href='{}?id__in={}'>{}</a><ul>{}</ul>",
                _("This closure overlaps bookings; cancel them with a reason or move them:"),
                url,
                ids,
                _("see them"),
                format_html_join("", "<li>{} — {}</li>", ((b, b.company or "") for b in affected)),
            ),
            messages.WARNING,
        )


admin.site.unregister(Closure)
admin.site.register(Closure, ClosureWithBookingsAdmin)


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    extra = 0
    fields = ("user", "company", "waiting", "created_at", "withdrawn_at", "attended")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    """Sessions as the services wrote them (operators schedule, cancel and record attendance
    on their pages, where the rules and the e-mails are)."""

    list_display = ("machine", "start", "capacity", "status", "trainer")
    list_filter = ("status", "machine__platform")
    date_hierarchy = "start"
    inlines = [EnrolmentInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
