"""What every file of the report shares — labels, the flat figure columns, text that never
runs as a formula — and the CSV itself (one row per machine per month)."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from core.dates import day
from platforms.models import MachineCategory

from ..selectors import FIGURES, STATUSES

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("json", "csv", "xlsx", "pdf")


def _status_labels() -> dict[str, str]:
    return {
        "pending": _("Awaiting approval"),
        "confirmed": _("Confirmed"),
        "completed": _("Completed"),
        "cancelled": _("Cancelled on time"),
        "late_cancelled": _("Cancelled late"),
        "no_show": _("No-show"),
        "rejected": _("Refused"),
    }


def _figure_labels() -> list[tuple[str, str]]:
    return [
        ("smes_served", _("SMEs served")),
        ("companies_served", _("Companies served")),
        ("new_smes", _("New SMEs")),
        ("hours_booked", _("Hours booked")),
        ("hours_used", _("Hours used")),
        ("hours_measured", _("of which measured at the machine")),
        ("open_hours", _("Open hours")),
        ("utilisation", _("Utilisation")),
        ("revenue", _("Revenue (€ excl. VAT)")),
    ]


def safe_text(value: Any) -> Any:
    """A string that a spreadsheet would read as a formula, quoted to stay text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# The figures in the API's order (``bookings`` spread by status), as the CSV's columns.
SCALARS = [name for name in FIGURES if name != "bookings"]
FIGURE_COLUMNS = [*SCALARS, *[f"bookings_{status}" for status in STATUSES]]


def _flat(figures: dict[str, Any]) -> list[Any]:
    """The figures of one row in the CSV's column order ("" for a figure that is none)."""
    # .get: a snapshot computed before a figure existed lacks it.
    values = ["" if figures.get(name) is None else figures[name] for name in SCALARS]
    return values + [figures["bookings"][status] for status in STATUSES]


def _french_headers() -> list[str]:
    figures = dict(_figure_labels())
    statuses = _status_labels()
    return [
        _("Month"),
        _("Platform"),
        _("Machine"),
        _("Category"),
        *[str(figures.get(name, name)) for name in SCALARS],
        *[_("Bookings: %(status)s") % {"status": statuses[status]} for status in STATUSES],
    ]


def _decimal_comma(value: Any) -> Any:
    """A figure with a decimal comma (revenue comes as the API's string, "420.00")."""
    if isinstance(value, float | Decimal | str):
        return str(value).replace(".", ",")
    return value


def report_csv(report: dict[str, Any], *, for_tools: bool = False) -> bytes:
    """One row per machine per month. For a person reading French, as French Excel reads it:
    UTF-8 with a byte order mark, ``;`` between cells, decimal commas, French headers and
    labels. In English, and for tools (the API), commas and the API's names and codes."""
    french = not for_tools and (translation.get_language() or "").startswith("fr")
    categories = dict(MachineCategory.choices)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if french else ",", lineterminator="\r\n")
    header = ["month", "platform", "machine", "category", *FIGURE_COLUMNS]
    writer.writerow(_french_headers() if french else header)
    for row in report["machine_months"]:
        figures = _flat(row)
        writer.writerow(
            [
                row["month"],
                safe_text(row["platform"]),
                safe_text(row["machine"]),
                str(categories.get(row["category"], row["category"]))
                if french
                else row["category"],
                *([_decimal_comma(value) for value in figures] if french else figures),
            ]
        )
    return ("\ufeff" if french else "").encode("utf-8") + out.getvalue().encode("utf-8")


def period_label(start: date, end: date) -> str:
    """[start, end) as people say it: from the first day to the last."""
    return _("From %(start)s to %(last)s") % {
        "start": day(start),
        "last": day(end - timedelta(days=1)),
    }


def period_text(report: dict[str, Any]) -> str:
    period = report["period"]
    return period_label(date.fromisoformat(period["start"]), date.fromisoformat(period["end"]))
