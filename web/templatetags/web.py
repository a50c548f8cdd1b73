"""Times as people read them: in the platform's zone, in their language."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.formats import number_format

from core.dates import short_day
from platforms.timezones import zone

register = template.Library()


def _local(moment: datetime, tz_name: str) -> datetime:
    return moment.astimezone(zone(tz_name))


@register.simple_tag
def slot_range(start: datetime, end: datetime, tz_name: str) -> str:
    """ "mar. 5 janv. 2027, 10:00–12:00" (the end's date too when it is another day)."""
    local_start, local_end = _local(start, tz_name), _local(end, tz_name)
    first = f"{short_day(local_start)}, {local_start:%H:%M}"
    if local_end.date() == local_start.date():
        return f"{first}–{local_end:%H:%M}"
    return f"{first} – {short_day(local_end)}, {local_end:%H:%M}"


@register.filter
def local_time(moment: datetime, tz_name: str) -> str:
    local = _local(moment, tz_name)
    return f"{short_day(local)}, {local:%H:%M}"


@register.filter
def iso(moment: datetime) -> str:
    """ISO 8601 with the offset, as the week's cells carry it (data-start, data-end)."""
    return moment.isoformat(timespec="minutes")


@register.simple_tag
def booking_url(machine: Any, start: datetime, end: datetime, minutes: int = 0) -> str:
    """The booking form of ``machine`` pre-filled from a free period: the length asked (at
    least the machine's minimum) from its start, not the whole period."""
    length = timedelta(minutes=max(minutes or 0, machine.min_minutes))
    query = urlencode({"start": iso(start), "end": iso(min(end, start + length))})
    return f"{reverse('web:book', args=[machine.pk])}?{query}"


@register.simple_tag
def machine_week_url(machine: Any, slots: list[tuple[datetime, datetime]]) -> str:
    """A machine's page on the week of the first of ``slots`` (a search's result); without a
    slot, the page chooses (its first week with something to book)."""
    url = reverse("web:machine", args=[machine.pk])
    if not slots:
        return url
    year, week, _ = _local(slots[0][0], machine.platform.timezone).isocalendar()
    return f"{url}?week={year}-W{week:02d}"


@register.filter
def hours(value: Decimal | float | int) -> str:
    """ "3 441,8" in French, "3,441.8" in English: one decimal, grouped."""
    return number_format(value, decimal_pos=1, force_grouping=True)


@register.filter
def figure(value: Decimal | float | int | None, digits: int | None = None) -> str:
    """A report's figure, written one way everywhere, grouped by thousands: counts whole,
    hours with one decimal, or ``digits`` decimals ("—" for none)."""
    if value is None or value == "":
        return "—"
    if digits is None:
        digits = 0 if isinstance(value, int) else 1
    return number_format(value, decimal_pos=digits, force_grouping=True)


@register.filter
def percent(value: Decimal | float | None) -> str:
    """A share (0.4567) as "46 %" (a no-break space before the sign, as French writes it)."""
    if value is None:
        return "—"
    return f"{number_format(round(float(value) * 100), decimal_pos=0)}\u00a0%"


@register.simple_tag
def closure_when(closure: Any, tz_name: str) -> str:
    """ "every Tuesday from 8 h to 10 h, from 1 December 2026 until 31 March 2027"."""
    from ..recurrence import closure_when as in_words

    return in_words(closure, tz_name)


@register.inclusion_tag("web/_timing.html")
def usage_timing(booking: Any) -> dict[str, Any]:
    """A late start and an overrun of a booking's use, as the operator's lists show them."""
    from bookings.selectors.measure import usage_timing as timing_of

    return {"timing": timing_of(booking)}
