"""Dates as people read them, in the active language: "mar. 5 janv. 2027", "1er janvier 2027",
"mardi 1er janvier 2027" in French; "Tue 5 Jan 2027", "1 January 2027" in English.

Django's French formats abbreviate months "Jan", "Déc" (``M``) or "jan.", "fév." (``N``) and
write "1 janvier"; French typography wants "janv.", "févr.", "déc." and "1er janvier". Also a
template library, installed as a builtin (``TEMPLATES`` options): ``|day``, ``|long_day``,
``|short_day``, ``|short_day_month``, ``|day_month``, ``|day_month_abbr``."""

from datetime import date, datetime

from django import template
from django.utils import formats, translation
from django.utils.translation import pgettext_lazy

MONTHS = [
    pgettext_lazy("month abbreviation", "Jan"),
    pgettext_lazy("month abbreviation", "Feb"),
    pgettext_lazy("month abbreviation", "Mar"),
    pgettext_lazy("month abbreviation", "Apr"),
    pgettext_lazy("month abbreviation", "May"),
    pgettext_lazy("month abbreviation", "Jun"),
    pgettext_lazy("month abbreviation", "Jul"),
    pgettext_lazy("month abbreviation", "Aug"),
    pgettext_lazy("month abbreviation", "Sep"),
    pgettext_lazy("month abbreviation", "Oct"),
    pgettext_lazy("month abbreviation", "Nov"),
    pgettext_lazy("month abbreviation", "Dec"),
]
WEEKDAYS = [
    pgettext_lazy("weekday abbreviation", "Mon"),
    pgettext_lazy("weekday abbreviation", "Tue"),
    pgettext_lazy("weekday abbreviation", "Wed"),
    pgettext_lazy("weekday abbreviation", "Thu"),
    pgettext_lazy("weekday abbreviation", "Fri"),
    pgettext_lazy("weekday abbreviation", "Sat"),
    pgettext_lazy("weekday abbreviation", "Sun"),
]


def _french() -> bool:
    return (translation.get_language() or "fr").startswith("fr")


def _day_number(value: date) -> str:
    return "1er" if value.day == 1 and _french() else str(value.day)


def _date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def day(value: date | datetime) -> str:
    """ "1er janvier 2027", "5 janvier 2027"; "1 January 2027"."""
    value = _date(value)
    return f"{_day_number(value)} {formats.date_format(value, 'F Y')}"


def day_month(value: date | datetime) -> str:
    """ "1er janvier"; "1 January"."""
    value = _date(value)
    return f"{_day_number(value)} {formats.date_format(value, 'F')}"


def long_day(value: date | datetime) -> str:
    """ "mardi 5 janvier 2027"; "Tuesday 5 January 2027"."""
    return f"{formats.date_format(_date(value), 'l')} {day(value)}"


def day_month_abbr(value: date | datetime) -> str:
    """ "5 janv.", "1er déc."; "5 Jan"."""
    value = _date(value)
    return f"{_day_number(value)} {MONTHS[value.month - 1]}"


def short_day_month(value: date | datetime) -> str:
    """ "mar. 5 janv."; "Tue 5 Jan"."""
    return f"{WEEKDAYS[_date(value).weekday()]} {day_month_abbr(value)}"


def short_day(value: date | datetime) -> str:
    """ "mar. 5 janv. 2027"; "Tue 5 Jan 2027"."""
    return f"{short_day_month(value)} {_date(value).year}"


register = template.Library()
for _filter in (day, day_month, day_month_abbr, long_day, short_day_month, short_day):
    register.filter(_filter.__name__, _filter)
