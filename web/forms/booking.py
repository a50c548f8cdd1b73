"""What SMEs fill in: the search, a booking (once or as a series), a move, a cancellation, the
bookings list filter, a qualification request."""

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bookings.models import BookingStatus, Company
from bookings.services.create import MAX_SERIES
from core.text import multi_line
from platforms.models import Machine, MachineCategory, Region
from platforms.selectors import platforms_named

from .fields import (
    MAX_SEARCH_DAYS,
    BoundedDateField,
    BoundedDateTimeField,
    RangeForm,
    suggested_input,
)

FREE_TIME_CHOICES = [
    ("", _("Any length")),
    ("60", _("1 hour")),
    ("120", _("2 hours")),
    ("240", _("Half a day (4 h)")),
    ("480", _("A day (8 h)")),
]


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
    # Typed, not chosen from a list: a national network has hundreds of platforms, which
    # nobody scrolls through (and which cost half the page to render). Suggestions come from
    # ``web:platform-suggestions`` as the visitor types.
    platform = forms.CharField(
        label=_("Platform or city"),
        required=False,
        max_length=100,
        widget=suggested_input(
            url_name="web:platform-suggestions",
            list_id="platform-suggestions",
            placeholder=_("All platforms"),
        ),
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

    def clean_platform(self) -> list[int] | None:
        """The active platforms whose name or city holds what was typed (None: any)."""
        typed = " ".join(self.cleaned_data["platform"].split())
        if not typed:
            return None
        found = list(platforms_named(typed).values_list("pk", flat=True))
        if not found:
            raise ValidationError(
                _("No platform of the network is called or is in “%(typed)s”."),
                params={"typed": typed},
            )
        return found

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


def length_label(minutes: int) -> str:
    """ "30 min", "2 h", "1 h 30" as a length reads in the person's language."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return gettext("%(minutes)d min") % {"minutes": rest}
    if not rest:
        return gettext("%(hours)d h") % {"hours": hours}
    return gettext("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": rest}


def length_choices(machine: Machine) -> list[tuple[int, str]]:
    """Every length a booking of ``machine`` may last: whole slots from its minimum to its
    maximum."""
    step = machine.slot_minutes
    first = -(-machine.min_minutes // step) * step
    lengths = range(first, machine.max_minutes + 1, step)
    return [(minutes, length_label(minutes)) for minutes in lengths]


class SlotRangeForm(RangeForm):
    """A start and a length among the machine's (the end follows); a posted end is read only
    when no length is (older pages, scripts)."""

    start = BoundedDateTimeField(label=_("From"))
    length = forms.TypedChoiceField(label=_("Length"), required=False, coerce=int, empty_value=None)
    end = BoundedDateTimeField(label=_("To"), required=False)

    def __init__(self, *args: Any, machine: Machine, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.machine = machine
        choices = length_choices(machine)
        self.fields["length"].choices = [("", "—"), *choices]  # type: ignore[attr-defined]
        start, end = self.initial.get("start"), self.initial.get("end")
        minutes = int((end - start).total_seconds() // 60) if start and end else 0
        offered = [value for value, _label in choices]
        if minutes in offered:
            self.initial["length"] = minutes
        elif offered:
            self.initial["length"] = max([v for v in offered if v <= minutes] or offered[:1])

    def range_so_far(self) -> tuple[datetime | None, datetime | None]:
        """The start and end the form holds so far, whatever its other fields say (the price
        shown while it is being filled in): its initial range until it is posted."""
        if not self.is_bound:
            return self.initial.get("start"), self.initial.get("end")
        try:
            start = self.fields["start"].clean(self.data.get("start", ""))
            minutes = int(self.fields["length"].clean(self.data.get("length", "")) or 0)
        except (ValidationError, TypeError, ValueError):
            return None, None
        if not start or not minutes:
            return None, None
        return start, start + timedelta(minutes=minutes)

    def clean(self) -> dict[str, Any]:
        start, length = self.cleaned_data.get("start"), self.cleaned_data.get("length")
        if start and length:
            self.cleaned_data["end"] = start + timedelta(minutes=length)
        elif start and not (
            self.cleaned_data.get("end") or self.has_error("end") or self.has_error("length")
        ):
            self.add_error("length", _("Choose how long."))
        return super().clean()


class BookingForm(SlotRangeForm):
    company = forms.ModelChoiceField(label=_("For the company"), queryset=Company.objects.none())
    assisted = forms.BooleanField(
        label=_("With a staff member's assistance (billed at its own rate)"), required=False
    )
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
        if self.machine.assisted_hourly_rate is None:
            del self.fields["assisted"]

    def priced_as(self) -> tuple[Company | None, bool]:
        """The company the price is for (its price group) and whether assistance is asked,
        as the form reads so far."""
        field = self.fields["company"]
        raw = self.data.get("company") if self.is_bound else field.initial
        try:
            company = field.clean(raw)
        except ValidationError:
            company = None
        assisted = self.is_bound and self.data.get("assisted") in ("on", "true", "1", "True")
        return company, assisted and "assisted" in self.fields

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("repeat") and not cleaned.get("count"):
            self.add_error("count", _("Say how many times (2 to %(max)s).") % {"max": MAX_SERIES})
        return cleaned


class MoveForm(SlotRangeForm):
    start = BoundedDateTimeField(label=_("New start"))
    end = BoundedDateTimeField(label=_("New end"), required=False)


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


class QualificationRequestForm(forms.Form):
    note = forms.CharField(
        validators=[multi_line],
        label=_("Your experience with this kind of machine (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FeedbackForm(forms.Form):
    """After use: two questions."""

    worked = forms.TypedChoiceField(
        label=_("Did the machine work?"),
        choices=[("yes", _("Yes")), ("no", _("No, there was a problem"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    report = forms.CharField(
        label=_("Anything to report? (optional)"),
        required=False,
        max_length=2000,
        validators=[multi_line],
        widget=forms.Textarea(attrs={"rows": 3}),
    )
