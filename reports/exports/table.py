"""What every file of the report shares — labels, the flat figure columns, text that never
runs as a formula — and the CSV itself (one row per machine per month)."""

import csv
import io
from datetime import date, timedelta
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

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
    values = ["" if figures[name] is None else figures[name] for name in SCALARS]
    return values + [figures["bookings"][status] for status in STATUSES]


def report_csv(report: dict[str, Any]) -> bytes:
    """One row per machine per month; the columns keep the API's names (for tools)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["month", "platform", "machine", "category", *FIGURE_COLUMNS])
    for row in report["machine_months"]:
        writer.writerow(
            [
                row["month"],
                safe_text(row["platform"]),
                safe_text(row["machine"]),
                row["category"],
                *_flat(row),
            ]
        )
    return out.getvalue().encode("utf-8")


def period_label(start: date, end: date) -> str:
    """[start, end) as people say it: from the first day to the last."""
    return _("From %(start)s to %(last)s") % {
        "start": formats.date_format(start, "j F Y"),
        "last": formats.date_format(end - timedelta(days=1), "j F Y"),
    }


def period_text(report: dict[str, Any]) -> str:
    period = report["period"]
    return period_label(date.fromisoformat(period["start"]), date.fromisoformat(period["end"]))
