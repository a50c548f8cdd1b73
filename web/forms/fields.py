"""Form fields every area shares: dates bounded to the years the system works with, and a range of
two of them."""

import re
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from core.datetimes import FIRST_YEAR, LAST_YEAR, in_range

MAX_SEARCH_DAYS = 31
YEAR = re.compile(r"\s*([0-9]+)-")


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


def suggested_input(*, url_name: str, list_id: str, placeholder: Any) -> forms.TextInput:
    """A search field whose suggestions, the options of the ``<datalist>`` ``list_id`` next
    to it, come from ``url_name`` as the person types (htmx): for long lists (hundreds of
    platforms) that nobody scrolls through."""
    return forms.TextInput(
        attrs={
            "type": "search",
            "list": list_id,
            "autocomplete": "off",
            "placeholder": placeholder,
            "hx-get": reverse_lazy(url_name),
            "hx-trigger": "input changed delay:250ms",
            "hx-target": f"#{list_id}",
            "hx-swap": "innerHTML",
            "hx-push-url": "false",
            "hx-indicator": "none",
        }
    )
