"""The pages' forms: they parse and bound what people type; the services decide."""

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Language
from bookings.models import BookingStatus, Company, CompanySize, MembershipRole
from bookings.services.create import MAX_SERIES
from bookings.siret import normalize_siret, validate_siret
from core.datetimes import FIRST_YEAR, LAST_YEAR, in_range
from core.text import multi_line, single_line
from platforms.models import ClosureKind, Machine, MachineCategory, Platform, Region, Weekday
from platforms.services import MACHINE_EDITABLE
from reports.models import Frequency
from reports.services import default_period

MAX_SEARCH_DAYS = 31
YEAR = re.compile(r"\s*([0-9]+)-")
FREE_TIME_CHOICES = [
    ("", _("Any length")),
    ("60", _("1 hour")),
    ("120", _("2 hours")),
    ("240", _("Half a day (4 h)")),
    ("480", _("A day (8 h)")),
]


def _out_of_range() -> ValidationError:
    return ValidationError(
        _("Choose a date between %(first)s and %(last)s."),
        code="out_of_range",
        params={"first": FIRST_YEAR, "last": LAST_YEAR},
    )


class BoundedDateField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def to_python(self, value: Any) -> date | None:
        parsed = super().to_python(value)
        if parsed is not None and not in_range(parsed):
            raise _out_of_range()
        return parsed


class BoundedDateTimeField(forms.DateTimeField):
    """A wall-clock date and time (``datetime-local``), read in the active time zone — the
    platform's, which the view activates. Years outside 2000–2100 are refused before any
    conversion; Django refuses times the DST change skips or repeats."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "input_formats", ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        year = YEAR.match(value) if isinstance(value, str) else None
        if year and not FIRST_YEAR <= int(year.group(1)) <= LAST_YEAR:
            raise _out_of_range()
        return super().to_python(value)


class RangeForm(forms.Form):
    """A form with a start and an end (``range_fields`` names them): the end comes after."""

    range_fields = ("start", "end")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = self.range_fields
        start, end = cleaned.get(first), cleaned.get(last)
        if start and end and end <= start:
            self.add_error(last, _("The end must be after the start."))
        return cleaned


class SearchForm(forms.Form):
    """The catalogue's filters; every one optional, all kept in the address."""

    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *MachineCategory.choices],
    )
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", _("All regions")), *Region.choices]
    )
    platform = forms.ModelChoiceField(
        label=_("Platform"),
        required=False,
        queryset=Platform.objects.filter(active=True).only("pk", "name"),
        empty_label=_("All platforms"),
    )
    available_from = BoundedDateField(label=_("Free from"), required=False)
    available_to = BoundedDateField(label=_("until"), required=False)
    min_free = forms.TypedChoiceField(
        label=_("Free for at least"),
        required=False,
        choices=FREE_TIME_CHOICES,
        coerce=int,
        empty_value=None,
    )
    page = forms.IntegerField(
        required=False, min_value=1, max_value=10_000, widget=forms.HiddenInput
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("available_from"), cleaned.get("available_to")
        if start and end:
            if end < start:
                self.add_error("available_to", _("The end date must not be before the start date."))
            elif (end - start).days >= MAX_SEARCH_DAYS:
                self.add_error(
                    "available_to",
                    _("Search at most %(days)s days at a time.") % {"days": MAX_SEARCH_DAYS},
                )
        elif start and not end:
            cleaned["available_to"] = start + timedelta(days=13)
        elif end and not start:
            self.add_error("available_from", _("Give the first day too."))
        return cleaned

    @property
    def searches_time(self) -> bool:
        """Whether the visitor asked for free time (dates or a length), not just the list."""
        data = self.cleaned_data
        return bool(data.get("available_from") or data.get("min_free"))


REPEAT_CHOICES = [
    ("", _("Once")),
    ("daily", _("Every day")),
    ("weekly", _("Every week")),
]


class BookingForm(RangeForm):
    start = BoundedDateTimeField(label=_("From"))
    end = BoundedDateTimeField(label=_("To"))
    company = forms.ModelChoiceField(label=_("For the company"), queryset=Company.objects.none())
    repeat = forms.ChoiceField(label=_("Repeat"), required=False, choices=REPEAT_CHOICES)
    count = forms.IntegerField(
        label=_("Number of times, this one included"),
        required=False,
        min_value=2,
        max_value=MAX_SERIES,
    )
    note = forms.CharField(
        validators=[multi_line],
        label=_("Note for the platform (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, companies: list[Company], **kwargs: Any) -> None:
        """``companies``: those the person may book for (validated, theirs)."""
        super().__init__(*args, **kwargs)
        field = self.fields["company"]
        field.queryset = Company.objects.filter(pk__in=[c.pk for c in companies])  # type: ignore[attr-defined]
        if len(companies) == 1:
            field.initial = companies[0].pk
            field.widget = forms.HiddenInput()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("repeat") and not cleaned.get("count"):
            self.add_error("count", _("Say how many times (2 to %(max)s).") % {"max": MAX_SERIES})
        return cleaned


class MoveForm(RangeForm):
    start = BoundedDateTimeField(label=_("New start"))
    end = BoundedDateTimeField(label=_("New end"))


class CancelForm(forms.Form):
    reason = forms.CharField(
        validators=[multi_line],
        label=_("Reason (optional, told to the platform)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BookingFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *BookingStatus.choices]
    )
    machine = forms.TypedChoiceField(
        label=_("Machine"), required=False, coerce=int, empty_value=None
    )
    page = forms.IntegerField(
        required=False, min_value=1, max_value=10_000, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, machines: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["machine"].choices = [("", _("All machines")), *machines]  # type: ignore[attr-defined]


class SignUpForm(forms.Form):
    company_name = forms.CharField(
        validators=[single_line], label=_("Company name"), max_length=200
    )
    siret = forms.CharField(
        label=_("SIRET"),
        max_length=20,
        help_text=_("14 digits, as on your Kbis or INSEE notice (spaces allowed)."),
    )
    size_class = forms.ChoiceField(label=_("Size"), choices=CompanySize.choices)
    region = forms.ChoiceField(label=_("Region"), choices=Region.choices)
    naf_code = forms.RegexField(
        label=_("NAF code (optional)"),
        required=False,
        regex=r"^\d{2}\.?\d{2}[A-Za-z]$",
        max_length=6,
        error_messages={"invalid": _("A NAF code looks like 2562B.")},
    )
    name = forms.CharField(validators=[single_line], label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Your work e-mail"), max_length=254)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    language = forms.ChoiceField(label=_("Language of your e-mails"), choices=Language.choices)

    def clean_siret(self) -> str:
        siret = normalize_siret(self.cleaned_data["siret"])
        validate_siret(siret)
        return siret

    def clean_naf_code(self) -> str:
        return self.cleaned_data["naf_code"].replace(".", "").upper()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                password_validation.validate_password(first)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Colleague's e-mail"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"), choices=MembershipRole.choices, initial=MembershipRole.MEMBER
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        validators=[single_line],
        label=_("Name of the new key"),
        max_length=100,
        help_text=_("Say where it is used, e.g. “ERP export”."),
    )


class AccountEraseForm(forms.Form):
    """Deleting one's account: the password again, and a tick that says one understands."""

    password = forms.CharField(
        label=_("Your password"), strip=False, max_length=4096, widget=forms.PasswordInput
    )
    understood = forms.BooleanField(
        label=_(
            "I understand: my account is deleted for good; my companies keep their bookings, "
            "with no name attached."
        )
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("This is not your password."), code="wrong_password")
        return password


class QualificationRequestForm(forms.Form):
    note = forms.CharField(
        validators=[multi_line],
        label=_("Your experience with this kind of machine (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


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


class QualificationGrantForm(forms.Form):
    valid_until = BoundedDateField(label=_("Valid until (blank: no expiry)"), required=False)


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
        self.fields["max_advance_days"].validators.append(MaxValueValidator(366 * 2))

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


class ScopeForm(forms.Form):
    """A report's scope: a programme, a platform, a region (choices among those in view)."""

    programme = forms.TypedChoiceField(
        label=_("Programme"), required=False, coerce=int, empty_value=None
    )
    platform = forms.TypedChoiceField(
        label=_("Platform"), required=False, coerce=int, empty_value=None
    )
    region = forms.ChoiceField(
        label=_("Region of the platforms"),
        required=False,
        choices=[("", _("All regions")), *Region.choices],
    )

    def __init__(
        self, *args: Any, programmes: Any = (), platforms: Any = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.programmes, self.platforms = list(programmes), list(platforms)
        cast(forms.ChoiceField, self.fields["programme"]).choices = [
            ("", _("Every programme I follow")),
            *[(p.pk, p.name) for p in self.programmes],
        ]
        cast(forms.ChoiceField, self.fields["platform"]).choices = [
            ("", _("Every platform in view")),
            *[(p.pk, p.name) for p in self.platforms],
        ]


class ReportForm(ScopeForm):
    """The dashboard's filters: a period (its last day included) and a scope. Without dates,
    the twelve months to the end of this one."""

    start = BoundedDateField(label=_("From"), required=False)
    last = BoundedDateField(label=_("To (included)"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, last = cleaned.get("start"), cleaned.get("last")
        if start and last:
            if last < start:
                self.add_error("last", _("The end must be after the start."))
            elif (last - start).days >= 3 * 366:
                self.add_error("last", _("A report covers at most three years."))
        return cleaned

    def only_programme(self) -> int | None:
        """A funder following one programme sees its progress without choosing it."""
        return self.programmes[0].pk if len(self.programmes) == 1 else None

    def period(self) -> tuple[date, date]:
        """[start, end): the dates given, or the twelve months to the end of this one."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        start, last = data.get("start"), data.get("last")
        if start is None and last is None:
            return default_period(timezone.localdate())
        end = last + timedelta(days=1) if last else default_period(timezone.localdate())[1]
        if start is None:
            start = (end - timedelta(days=335)).replace(day=1)
        return start, max(end, start + timedelta(days=1))


class SubscriptionForm(ScopeForm):
    email = forms.EmailField(label=_("Send to"), max_length=254)
    frequency = forms.ChoiceField(label=_("Every"), choices=Frequency.choices)
