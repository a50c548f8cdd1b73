"""A closure's times as an operator or an SME says them: "every Tuesday from 8 h to 10 h, until
31 March 2027", "the first Monday of each month…", or the one period it covers."""

from datetime import datetime, time
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.dates import day as day_text
from platforms.timezones import zone

DAY_NAMES = {
    "MO": lambda: pgettext("every", "Monday"),
    "TU": lambda: pgettext("every", "Tuesday"),
    "WE": lambda: pgettext("every", "Wednesday"),
    "TH": lambda: pgettext("every", "Thursday"),
    "FR": lambda: pgettext("every", "Friday"),
    "SA": lambda: pgettext("every", "Saturday"),
    "SU": lambda: pgettext("every", "Sunday"),
}
NTH_NAMES = {
    "1": lambda: _("the first"),
    "2": lambda: _("the second"),
    "3": lambda: _("the third"),
    "4": lambda: _("the fourth"),
    "-1": lambda: _("the last"),
}


def clock(moment: time) -> str:
    """ "8 h", "8 h 30" in French; "08:00" in English."""
    if (translation.get_language() or "fr").startswith("fr"):
        return f"{moment.hour} h" if not moment.minute else f"{moment.hour} h {moment.minute:02d}"
    return f"{moment:%H:%M}"


def _joined(names: list[str]) -> str:
    if len(names) < 2:
        return "".join(names)
    return _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def _params(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for part in (text or "").split(";"):
        name, _sep, values = part.partition(":")
        if name.strip():
            found[name.strip()] = [value.strip() for value in values.split(",") if value.strip()]
    return found


def closure_when(closure: Any, tz_name: str) -> str:
    """The closure's times in words, in the platform's zone."""
    event, tz = closure.event, zone(tz_name)
    start, end = event.start.astimezone(tz), event.end.astimezone(tz)
    hours = {"opens": clock(start.time()), "closes": clock(end.time())}
    rule = event.rule
    if rule is None:
        if start.date() == end.date():
            return _("%(day)s, from %(opens)s to %(closes)s") % {
                "day": day_text(start.date()),
                **hours,
            }
        return _("from %(first)s, %(opens)s, to %(last)s, %(closes)s") % {
            "first": day_text(start.date()),
            "last": day_text(end.date()),
            **hours,
        }
    params = _params(rule.params)
    days = [DAY_NAMES[code]() for code in params.get("byweekday", []) if code in DAY_NAMES]
    if rule.frequency == "MONTHLY" and days:
        nth = NTH_NAMES.get((params.get("bysetpos") or ["1"])[0], NTH_NAMES["1"])()
        text = _("%(nth)s %(day)s of each month, from %(opens)s to %(closes)s") % {
            "nth": nth,
            "day": days[0],
            **hours,
        }
    elif rule.frequency == "WEEKLY" and days:
        text = _("every %(days)s from %(opens)s to %(closes)s") % {"days": _joined(days), **hours}
    else:
        text = _("every day from %(opens)s to %(closes)s") % hours
    first = _("from %(day)s") % {"day": day_text(start.date())}
    until = event.end_recurring_period
    if until is None:
        return f"{text}, {first}"
    last: datetime = until.astimezone(tz)
    return _("%(rule)s, %(first)s until %(last)s") % {
        "rule": text,
        "first": first,
        "last": day_text(last.date()),
    }
