"""What operators fill in: refusals, usage, booking on a company's behalf, closures in plain words,
a machine's rules, opening hours, qualifications and the ones recognised from other platforms."""

from datetime import UTC, datetime, time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bookings.models import Company
from core.datetimes import FIRST_YEAR, LAST_YEAR
from core.text import multi_line, single_line
from platforms.models import (
    ClosureKind,
    DocumentKind,
    Machine,
    MachineCategory,
    Platform,
    Weekday,
)
from platforms.selectors import platforms_called
from platforms.services import MACHINE_EDITABLE, PLATFORM_EDITABLE

from .fields import BoundedDateField, BoundedDateTimeField, RangeForm, suggested_input


class RejectForm(forms.Form):
    reason = forms.CharField(
        validators=[multi_line],
        label=_("Reason, sent to the company"),
        max_length=1000,
        widget=forms.TextInput(),
    )


class UsageForm(RangeForm):
    range_fields = ("actual_start", "actual_end")
    actual_start = BoundedDateTimeField(label=_("Started"))
    actual_end = BoundedDateTimeField(label=_("Ended"))


class OnBehalfForm(RangeForm):
    """An operator books free time for a company, or blocks it for the platform."""

    start = BoundedDateTimeField(label=_("From"))
    end = BoundedDateTimeField(label=_("To"))
    company = forms.ModelChoiceField(
        label=_("For the company"),
        required=False,
        queryset=Company.objects.filter(validated_at__isnull=False).order_by("name"),
        empty_label=_("— the platform's own time (internal) —"),
    )
    note = forms.CharField(
        validators=[multi_line], label=_("Note"), required=False, max_length=1000
    )


class OccurrenceForm(RangeForm):
    """One occurrence of a recurring closure, named by where its rule put it (seconds since
    1970, within the years we accept), to skip or to move to ``start``–``end``."""

    original = forms.IntegerField(
        min_value=int(datetime(FIRST_YEAR, 1, 1, tzinfo=UTC).timestamp()),
        max_value=int(datetime(LAST_YEAR, 12, 31, tzinfo=UTC).timestamp()),
        widget=forms.HiddenInput,
    )
    start = BoundedDateTimeField(label=_("New start"), required=False)
    end = BoundedDateTimeField(label=_("New end"), required=False)

    def original_start(self) -> datetime:
        return datetime.fromtimestamp(self.cleaned_data["original"], UTC)


class OperatorCancelForm(forms.Form):
    reason = forms.CharField(
        validators=[multi_line],
        label=_("Reason, sent to the company"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MaintenanceForm(RangeForm):
    """When the machine is out for repair after a reported problem."""

    start = BoundedDateTimeField(label=_("Out of service from"))
    end = BoundedDateTimeField(label=_("Until"))


class MachinePhotoForm(forms.Form):
    image = forms.FileField(label=_("Photo (JPEG, PNG or WebP, at most 10 MB)"))
    caption = forms.CharField(
        label=_("Caption (optional)"), required=False, max_length=200, validators=[single_line]
    )


class MachineDocumentForm(forms.Form):
    file = forms.FileField(label=_("Document (PDF, at most 20 MB)"))
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, validators=[single_line])


class QualificationGrantForm(forms.Form):
    valid_until = BoundedDateField(
        label=_("Valid until (blank: the machine's validity, or no expiry)"), required=False
    )


class RecognitionForm(forms.Form):
    """Another platform whose qualifications count on the operator's machines of a category:
    typed (a name or a city, with suggestions), not chosen among hundreds."""

    platform = forms.ModelChoiceField(label=_("Your platform"), queryset=Platform.objects.none())
    accepts = forms.CharField(
        label=_("Accept the qualifications of"),
        max_length=200,
        validators=[single_line],
        widget=suggested_input(
            url_name="web:platform-suggestions",
            list_id="platform-suggestions",
            placeholder=_("Platform or city"),
        ),
    )
    category = forms.ChoiceField(
        label=_("On machines of the category"), choices=MachineCategory.choices
    )

    def __init__(self, *args: Any, platforms: list[Platform], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["platform"]
        field.queryset = Platform.objects.filter(pk__in=[p.pk for p in platforms])  # type: ignore[attr-defined]
        if len(platforms) == 1:
            field.initial = platforms[0].pk
            field.widget = forms.HiddenInput()

    def clean_accepts(self) -> Platform:
        typed = " ".join(self.cleaned_data["accepts"].split())
        found = platforms_called(typed)
        if len(found) == 1:
            return found[0]
        if not found:
            raise ValidationError(_("No platform is called “%(typed)s”."), params={"typed": typed})
        raise ValidationError(
            _("%(count)s platforms match “%(typed)s”: choose one of the suggestions."),
            params={"count": len(found), "typed": typed},
        )


WEEKDAYS = [
    ("MO", pgettext_lazy("weekday", "Monday")),
    ("TU", pgettext_lazy("weekday", "Tuesday")),
    ("WE", pgettext_lazy("weekday", "Wednesday")),
    ("TH", pgettext_lazy("weekday", "Thursday")),
    ("FR", pgettext_lazy("weekday", "Friday")),
    ("SA", pgettext_lazy("weekday", "Saturday")),
    ("SU", pgettext_lazy("weekday", "Sunday")),
]
CLOSURE_REPEAT = [
    ("", _("Once")),
    ("daily", _("Every day")),
    ("weekly", _("Every week, on the days ticked")),
    ("monthly", _("Every month, on one weekday")),
]
NTH = [
    ("1", _("first")),
    ("2", _("second")),
    ("3", _("third")),
    ("4", _("fourth")),
    ("-1", _("last")),
]


class ClosureForm(forms.Form):
    """A closure or maintenance in plain words: "closed 24–26 December", "every Monday
    08:00–10:00 until 30 June", "the first Tuesday of the month"."""

    machine = forms.ModelChoiceField(
        label=_("Machine"),
        required=False,
        queryset=Machine.objects.none(),
        empty_label=_("The whole platform"),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ClosureKind.choices)
    title = forms.CharField(validators=[single_line], label=_("Title"), max_length=200)
    reason = forms.CharField(
        validators=[multi_line],
        label=_("Reason, told to the companies whose bookings it covers"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    first_day = BoundedDateField(label=_("First day"))
    last_day = BoundedDateField(label=_("Last day (a closure of several days)"), required=False)
    opens = forms.TimeField(
        label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    closes = forms.TimeField(
        label=_("To"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    repeat = forms.ChoiceField(label=_("Repeat"), required=False, choices=CLOSURE_REPEAT)
    weekdays = forms.MultipleChoiceField(
        label=_("On"), required=False, choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple
    )
    nth = forms.ChoiceField(label=_("Which"), required=False, choices=NTH)
    nth_weekday = forms.ChoiceField(label=_("Weekday"), required=False, choices=WEEKDAYS)
    until = BoundedDateField(label=_("Until (included)"), required=False)

    def __init__(self, *args: Any, platform: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["machine"].queryset = platform.machines.order_by("name")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        opens, closes = cleaned.get("opens"), cleaned.get("closes")
        repeat = cleaned.get("repeat")
        if first and last and last < first:
            self.add_error("last_day", _("The last day must not be before the first."))
        if first and opens and closes:
            start = datetime.combine(first, opens)
            end = datetime.combine(last or first, closes)
            if end <= start:
                self.add_error("closes", _("The end must be after the start."))
            cleaned["start"], cleaned["end"] = start, end
        if repeat and last and last != first:
            self.add_error(
                "last_day", _("A repeated closure lasts within one day; leave this blank.")
            )
        if repeat == "weekly" and not cleaned.get("weekdays"):
            self.add_error("weekdays", _("Tick at least one day."))
        if repeat == "monthly" and not (cleaned.get("nth") and cleaned.get("nth_weekday")):
            self.add_error("nth", _("Say which weekday of the month."))
        until = cleaned.get("until")
        if repeat and until and first and until < first:
            self.add_error(
                "until", _("The end of the repetition must not be before the first day.")
            )
        return cleaned

    def recurrence(self) -> tuple[str | None, str, datetime | None]:
        """django-scheduler's frequency, params and end of recurrence for what was asked."""
        data = self.cleaned_data
        repeat = data.get("repeat")
        until = datetime.combine(data["until"], time(23, 59)) if data.get("until") else None
        if repeat == "daily":
            return "DAILY", "", until
        if repeat == "weekly":
            return "WEEKLY", "byweekday:" + ",".join(data["weekdays"]), until
        if repeat == "monthly":
            return "MONTHLY", f"byweekday:{data['nth_weekday']};bysetpos:{data['nth']}", until
        return None, "", None


class MachineRulesForm(forms.ModelForm):
    """What an operator changes on a machine; specifications as "name: value" lines."""

    specs_text = forms.CharField(
        label=_("Specifications, one per line (name: value)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    class Meta:
        model = Machine
        # What machine_update lets change; the specifications come from specs_text.
        fields = [name for name in MACHINE_EDITABLE if name != "specs"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        specs = self.instance.specs or {}
        self.fields["specs_text"].initial = "\n".join(f"{k}: {v}" for k, v in specs.items())

    def clean_specs_text(self) -> dict[str, str]:
        specs: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data["specs_text"].splitlines(), start=1):
            if not line.strip():
                continue
            name, colon, value = line.partition(":")
            if not colon or not name.strip():
                raise ValidationError(
                    _("Line %(number)s: write it as “name: value”."), params={"number": number}
                )
            specs[name.strip()[:100]] = value.strip()[:200]
        return specs

    def _post_clean(self) -> None:
        # The service validates and saves; the form only parses.
        pass


class OpeningHoursForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("Day"), coerce=int, choices=Weekday.choices)
    opens = forms.TimeField(
        label=_("Opens"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    closes = forms.TimeField(
        label=_("Closes (00:00: midnight)"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        opens, closes = cleaned.get("opens"), cleaned.get("closes")
        if opens and closes and closes <= opens and closes != time(0, 0):
            self.add_error("closes", _("The closing time must be after the opening time."))
        return cleaned


OpeningHoursFormSet = forms.formset_factory(
    OpeningHoursForm, extra=3, can_delete=True, max_num=50, absolute_max=60, validate_max=True
)


class MachineNewForm(MachineRulesForm):
    """A new machine: its name and category, and the rules a machine page edits."""

    class Meta(MachineRulesForm.Meta):
        fields = ["name", "category", *MachineRulesForm.Meta.fields]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["active"].initial = True


class PlatformForm(forms.ModelForm):
    """What an operator changes on their platform (``platforms.services.PLATFORM_EDITABLE``)."""

    class Meta:
        model = Platform
        fields = list(PLATFORM_EDITABLE)
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "access": forms.Textarea(attrs={"rows": 3}),
        }

    def _post_clean(self) -> None:
        # The service validates and saves; the form only parses.
        pass


class OperatorInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the new operator"), max_length=254)
