"""API input fields that refuse what the system cannot compute with, before any arithmetic."""

from datetime import date, datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .datetimes import FIRST_YEAR, LAST_YEAR, in_range

OUT_OF_RANGE = _("Give a date between the years {first} and {last}.")
# The largest key a table can hold (BigAutoField): beyond it, the database cannot bind the value.
MAX_ID = 2**63 - 1


def key_of(value: object) -> int:
    """A row's key read from an address (``"42"``), or -1 — which no row has — for anything
    else: ``"²"`` passes ``str.isdigit()`` but not ``int()``, and 2**63 overflows the column."""
    text = str(value)
    if text.isascii() and text.isdigit() and len(text) < 19:
        return int(text)
    return -1


class IdField(serializers.IntegerField):
    """The key of a row: a whole number from 1 to ``MAX_ID``, refused as a field error beyond
    (a query string's 2**63 once reached the database as an error, not an answer)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


class BoundedDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time between the years 2000 and 2100.

    With ``keep_naive``, a value without an offset stays naive: the service reads it as
    wall-clock time of the platform concerned (and refuses DST gaps)."""

    default_error_messages = {"out_of_range": OUT_OF_RANGE}

    def __init__(self, *, keep_naive: bool = False, **kwargs: Any) -> None:
        self.keep_naive = keep_naive
        super().__init__(**kwargs)

    def enforce_timezone(self, value: datetime) -> datetime:
        if self.keep_naive and value.tzinfo is None:
            return value
        return super().enforce_timezone(value)

    def fail(self, key: str, **kwargs: Any) -> Any:
        # DRF's own "overflow" (a conversion to the current zone went past year 1 or 9999)
        # says the same as ours, less helpfully.
        if key == "overflow":
            key, kwargs = "out_of_range", {"first": FIRST_YEAR, "last": LAST_YEAR}
        return super().fail(key, **kwargs)

    def to_internal_value(self, value: Any) -> datetime:
        # The range first, on the value as written: DRF's own time-zone checks of a naive
        # value near year 1 or 9999 overflow outside its guard.
        if isinstance(value, str):
            try:
                written = parse_datetime(value.strip())
            except ValueError:
                written = None
            if written is not None and not in_range(written):
                self.fail("out_of_range", first=FIRST_YEAR, last=LAST_YEAR)
        try:
            parsed = super().to_internal_value(value)
        except OverflowError:
            self.fail("out_of_range", first=FIRST_YEAR, last=LAST_YEAR)
        if not in_range(parsed):
            self.fail("out_of_range", first=FIRST_YEAR, last=LAST_YEAR)
        return parsed


class BoundedDateField(serializers.DateField):
    """An ISO 8601 date between the years 2000 and 2100."""

    default_error_messages = {"out_of_range": OUT_OF_RANGE}

    def to_internal_value(self, value: Any) -> date:
        parsed = super().to_internal_value(value)
        if not in_range(parsed):
            self.fail("out_of_range", first=FIRST_YEAR, last=LAST_YEAR)
        return parsed
