"""Times as people read them: in the platform's zone, in their language."""

from datetime import datetime
from decimal import Decimal

from django import template
from django.utils.formats import date_format, number_format

from platforms.timezones import zone

register = template.Library()


def _local(moment: datetime, tz_name: str) -> datetime:
    return moment.astimezone(zone(tz_name))


@register.simple_tag
def slot_range(start: datetime, end: datetime, tz_name: str) -> str:
    """ "mar. 5 janv. 2027, 10:00–12:00" (the end's date too when it is another day)."""
    local_start, local_end = _local(start, tz_name), _local(end, tz_name)
    first = date_format(local_start, "D j M Y, H:i")
    if local_end.date() == local_start.date():
        return f"{first}–{date_format(local_end, 'H:i')}"
    return f"{first} – {date_format(local_end, 'D j M Y, H:i')}"


@register.filter
def local_time(moment: datetime, tz_name: str) -> str:
    return date_format(_local(moment, tz_name), "D j M Y, H:i")


@register.filter
def iso(moment: datetime) -> str:
    """ISO 8601 with the offset, as the week's cells carry it (data-start, data-end)."""
    return moment.isoformat(timespec="minutes")


@register.filter
def hours(value: Decimal | float | int) -> str:
    return number_format(value, decimal_pos=1)
