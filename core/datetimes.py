"""The range of instants the system accepts from anyone: years 2000 to 2100.

Checked before any arithmetic: near year 1 or 9999 a time-zone conversion or an addition
overflows Python's datetime, and no booking, closure or report has a reason to go there.
"""

from datetime import date, datetime

from .exceptions import OutOfRange

FIRST_YEAR = 2000
LAST_YEAR = 2100


def in_range(value: date | datetime) -> bool:
    """Whether the date (or the datetime, read on its own clock) falls in the accepted years.

    Reading the year on the value's own clock needs no conversion, so it cannot overflow."""
    return FIRST_YEAR <= value.year <= LAST_YEAR


def check_range(*values: date | datetime) -> None:
    """Raise ``OutOfRange`` unless every value falls in the accepted years."""
    if not all(in_range(value) for value in values):
        raise OutOfRange(first=FIRST_YEAR, last=LAST_YEAR)
