from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from schedule.models import Calendar, CalendarRelation, Event, EventRelation, Occurrence, Rule

from .exceptions import DomainError
from .models import (
    Closure,
    Machine,
    OpeningHours,
    Platform,
    Qualification,
    QualificationRecognition,
)
from .services import (
    closure_create,
    closure_delete,
    machine_calendar_ensure,
    platform_calendar_ensure,
    qualification_grant,
    qualification_refuse,
    recognition_add,
    recognition_remove,
)

# Closures' events change only through the closure services, which re-expand the intervals;
# django-scheduler's calendars, rules and relations are its internals, not the staff's: a
# closure (or maintenance) is edited as one thing, under our names, in the Closure admin.
for model in (Event, Occurrence, Calendar, CalendarRelation, EventRelation, Rule):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


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
        "weekly_quota_hours",
        "daily_quota_hours",
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


FREQUENCIES = [
    ("", _("Once")),
    ("DAILY", _("Every day")),
    ("WEEKLY", _("Every week")),
    ("MONTHLY", _("Every month")),
]


class ClosureCreateForm(forms.ModelForm):
    """Admin's add form: the closure is created by ``closure_create`` (event, rule, intervals)."""

    request_user: Any = None
    title = forms.CharField(label=_("title"), max_length=255)
    start = forms.SplitDateTimeField(label=_("start"), widget=AdminSplitDateTime)
    end = forms.SplitDateTimeField(label=_("end"), widget=AdminSplitDateTime)
    frequency = forms.ChoiceField(label=_("repeat"), choices=FREQUENCIES, required=False)
    params = forms.CharField(
        label=_("recurrence details"),
        required=False,
        help_text=_(
            'For example "byweekday:MO;bysetpos:1" with "Every month": every first Monday.'
        ),
    )
    until = forms.SplitDateTimeField(
        label=_("repeat until"), required=False, widget=AdminSplitDateTime
    )

    class Meta:
        model = Closure
        fields = ("platform", "machine", "kind", "reason")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        machine = cleaned.get("machine")
        if machine is not None and machine.platform_id != cleaned["platform"].pk:
            raise forms.ValidationError(_("This machine belongs to another platform."))
        try:
            self.instance = closure_create(
                platform=cleaned["platform"],
                machine=machine,
                user=self.request_user,
                title=cleaned["title"],
                start=cleaned["start"],
                end=cleaned["end"],
                kind=cleaned["kind"],
                reason=cleaned.get("reason", ""),
                frequency=cleaned.get("frequency") or None,
                params=cleaned.get("params", ""),
                until=cleaned.get("until"),
            )
        except DomainError as error:
            raise forms.ValidationError(error.detail, code=error.code) from error
        return cleaned

    def _post_clean(self) -> None:
        # closure_create validated and saved the instance.
        pass


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ("event", "kind", "platform", "machine", "first_start", "recurrence")
    list_filter = ("kind", "platform")
    search_fields = ("event__title", "reason", "machine__name", "platform__name")
    list_select_related = ("event__rule", "platform", "machine")

    @admin.display(description=_("first occurrence"), ordering="event__start")
    def first_start(self, obj: Closure) -> Any:
        # In the platform's local time, as its operators read it.
        local = obj.event.start.astimezone(obj.platform.tz)
        return f"{local:%Y-%m-%d %H:%M} ({obj.platform.timezone})"

    @admin.display(description=_("repeat"))
    def recurrence(self, obj: Closure) -> str:
        rule = obj.event.rule
        if rule is None:
            return str(_("Once"))
        return f"{dict(FREQUENCIES).get(rule.frequency, rule.frequency)} {rule.params}".strip()

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        if obj is None:
            kwargs["form"] = type(
                "BoundClosureCreateForm", (ClosureCreateForm,), {"request_user": request.user}
            )
            kwargs["fields"] = None
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [
                (None, {"fields": ("platform", "machine", "kind", "title", "reason")}),
                (_("When"), {"fields": ("start", "end", "frequency", "params", "until")}),
            ]
        return [(None, {"fields": ("platform", "machine", "kind", "event", "reason")})]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("platform", "machine", "kind", "event", "reason") if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Closure, form: Any, change: bool) -> None:
        # The creation form's clean() created the closure through closure_create; a closure
        # is never edited in place (delete and recreate). The demand side's admin extends
        # this to list the bookings a new closure overlaps.
        return

    def delete_model(self, request: HttpRequest, obj: Closure) -> None:
        closure_delete(closure=obj, user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Closure]) -> None:
        for closure in queryset.select_related("platform", "event__rule"):
            closure_delete(closure=closure, user=request.user)


@admin.register(Qualification)
class QualificationAdmin(admin.ModelAdmin):
    list_display = ("user", "machine", "status", "valid_until", "granted_by", "requested_at")
    list_filter = ("status", "machine__platform")
    search_fields = ("user__email", "machine__name")
    list_select_related = ("user", "machine__platform", "granted_by")
    autocomplete_fields = ("user",)
    actions = ["grant", "refuse"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("status", "granted_by", "granted_at", "requested_at")

    def save_model(self, request: HttpRequest, obj: Qualification, form: Any, change: bool) -> None:
        # Adding one from the admin is the operator granting it.
        qualification = qualification_grant(
            operator=request.user, user=obj.user, machine=obj.machine, valid_until=obj.valid_until
        )
        obj.pk = qualification.pk

    @admin.action(description=_("Grant the selected qualifications"))
    def grant(self, request: HttpRequest, queryset: QuerySet[Qualification]) -> None:
        for qualification in queryset.select_related("machine__platform", "user"):
            qualification_grant(
                operator=request.user,
                user=qualification.user,
                machine=qualification.machine,
                valid_until=qualification.valid_until,
            )

    @admin.action(description=_("Refuse the selected qualifications"))
    def refuse(self, request: HttpRequest, queryset: QuerySet[Qualification]) -> None:
        for qualification in queryset.select_related("machine__platform"):
            qualification_refuse(operator=request.user, qualification=qualification)


@admin.register(QualificationRecognition)
class QualificationRecognitionAdmin(admin.ModelAdmin):
    list_display = ("platform", "accepts", "category", "created_at")
    list_filter = ("category",)
    search_fields = ("platform__name", "accepts__name")
    list_select_related = ("platform", "accepts")
    autocomplete_fields = ("platform", "accepts")

    def save_model(
        self, request: HttpRequest, obj: QualificationRecognition, form: Any, change: bool
    ) -> None:
        # Through the service: the audit trail records it.
        recognition = recognition_add(
            operator=request.user, platform=obj.platform, accepts=obj.accepts, category=obj.category
        )
        obj.pk = recognition.pk

    def delete_model(self, request: HttpRequest, obj: QualificationRecognition) -> None:
        recognition_remove(operator=request.user, recognition=obj)
