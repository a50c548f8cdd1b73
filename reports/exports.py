"""The usage report as files: CSV (one row per machine per month), XLSX (a summary sheet,
detail sheets, native charts) and PDF (a printable summary with its charts). Each is built from
the report dict of ``usage_report(detail=True)``, so every file says what the API says.

Text that people typed (machine and platform names) never runs as a spreadsheet formula: a
cell that would start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written
with a leading apostrophe in CSV and as a plain string in XLSX.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from bookings.models import CompanySize
from core.text import printable
from platforms.models import MachineCategory, Region

from .selectors import FIGURES, STATUSES

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


# --- XLSX -----------------------------------------------------------------------------------


def _put(sheet: Any, row: int, column: int, value: Any) -> None:
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = printable(value)  # a control character is refused by spreadsheets
        cell.data_type = "s"  # never a formula, whatever it starts with
    else:
        cell.value = value


def _table(sheet: Any, header: list[str], rows: list[list[Any]]) -> None:
    from openpyxl.styles import Font

    for column, title in enumerate(header, start=1):
        _put(sheet, 1, column, title)
        sheet.cell(row=1, column=column).font = Font(bold=True)
    for index, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            _put(sheet, index, column, value)
    sheet.freeze_panes = "A2"
    for column, title in enumerate(header, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = max(
            12, min(40, len(title) + 2)
        )


def _numbers(figures: dict[str, Any]) -> list[Any]:
    values = _flat(figures)
    values[SCALARS.index("revenue")] = float(figures["revenue"])  # a number in a spreadsheet
    return [None if value == "" else value for value in values]


def _figure_header() -> list[str]:
    labels = _status_labels()
    return [label for _key, label in _figure_labels()] + [labels[s] for s in STATUSES]


def report_xlsx(report: dict[str, Any], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.styles import Font

    book = Workbook()
    summary = book.active
    summary.title = _("Summary")[:31]
    _put(summary, 1, 1, title)
    summary.cell(row=1, column=1).font = Font(bold=True, size=14)
    _put(summary, 2, 1, _period_text(report))
    row = 4
    programme = report["programme"]
    if programme:
        for label, value in (
            (_("Programme"), programme["name"]),
            (_("SMEs served since the programme began"), programme["smes_served_to_date"]),
            (_("Target"), programme["target"]),
        ):
            _put(summary, row, 1, label)
            _put(summary, row, 2, value)
            row += 1
        row += 1
    _put(summary, row, 1, _("Figure"))
    _put(summary, row, 2, _("Period"))
    _put(summary, row, 3, _("Previous period"))
    for column in (1, 2, 3):
        summary.cell(row=row, column=column).font = Font(bold=True)
    totals, previous = _numbers(report["totals"]), _numbers(report["previous"])
    for label, now, before in zip(_figure_header(), totals, previous, strict=True):
        row += 1
        _put(summary, row, 1, label)
        _put(summary, row, 2, now)
        _put(summary, row, 3, before)
    summary.column_dimensions["A"].width = 44
    summary.column_dimensions["B"].width = 16
    summary.column_dimensions["C"].width = 18

    monthly = book.create_sheet(_("By month")[:31])
    _table(
        monthly,
        [_("Month"), *_figure_header()],
        [[entry["month"], *_numbers(entry)] for entry in report["by_month"]],
    )
    count = len(report["by_month"])
    if count:
        hours = BarChart()
        hours.title = _("Hours used per month")
        hours.y_axis.title = _("Hours")
        hours.add_data(
            Reference(monthly, min_col=6, min_row=1, max_row=count + 1), titles_from_data=True
        )
        hours.set_categories(Reference(monthly, min_col=1, min_row=2, max_row=count + 1))
        hours.width, hours.height = 22, 9
        monthly.add_chart(hours, f"A{count + 4}")
        smes = LineChart()
        smes.title = _("SMEs served per month")
        smes.add_data(
            Reference(monthly, min_col=2, min_row=1, max_row=count + 1), titles_from_data=True
        )
        smes.set_categories(Reference(monthly, min_col=1, min_row=2, max_row=count + 1))
        smes.width, smes.height = 22, 9
        monthly.add_chart(smes, f"A{count + 24}")

    categories = dict(MachineCategory.choices)
    _table(
        book.create_sheet(_("Platforms")[:31]),
        [_("Platform"), _("Region"), *_figure_header()],
        [
            [entry["name"], dict(Region.choices).get(entry["region"], ""), *_numbers(entry)]
            for entry in report["platforms"]
        ],
    )
    platform_names = {entry["id"]: entry["name"] for entry in report["platforms"]}
    _table(
        book.create_sheet(_("Machines")[:31]),
        [_("Platform"), _("Machine"), _("Category"), *_figure_header()],
        [
            [
                platform_names.get(entry["platform"], ""),
                entry["name"],
                str(categories.get(entry["category"], entry["category"])),
                *_numbers(entry),
            ]
            for entry in report["machines"]
        ],
    )
    _table(
        book.create_sheet(_("Machines by month")[:31]),
        [_("Month"), _("Platform"), _("Machine"), _("Category"), *_figure_header()],
        [
            [
                entry["month"],
                entry["platform"],
                entry["machine"],
                str(categories.get(entry["category"], entry["category"])),
                *_numbers(entry),
            ]
            for entry in report.get("machine_months", [])
        ],
    )
    sizes, regions = dict(CompanySize.choices), dict(Region.choices)
    _table(
        book.create_sheet(_("By size class")[:31]),
        [_("Size class"), *_figure_header()],
        [[str(sizes.get(k, k)), *_numbers(v)] for k, v in report["by_size_class"].items()],
    )
    _table(
        book.create_sheet(_("By region")[:31]),
        [_("Region of the companies"), *_figure_header()],
        [[str(regions.get(k, k)), *_numbers(v)] for k, v in report["by_region"].items()],
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- PDF ------------------------------------------------------------------------------------


def period_label(start: date, end: date) -> str:
    """[start, end) as people say it: from the first day to the last."""
    return _("From %(start)s to %(last)s") % {
        "start": formats.date_format(start, "j F Y"),
        "last": formats.date_format(end - timedelta(days=1), "j F Y"),
    }


def _period_text(report: dict[str, Any]) -> str:
    period = report["period"]
    return period_label(date.fromisoformat(period["start"]), date.fromisoformat(period["end"]))


def _number(value: Any, digits: int = 0) -> str:
    if value is None or value == "":
        return "—"
    return formats.number_format(value, decimal_pos=digits, use_l10n=True, force_grouping=True)


def _percent(value: Any) -> str:
    return "—" if value is None else f"{_number(value * 100, 1)} %"


@dataclass
class _Row:
    label: str
    value: Callable[[dict[str, Any]], str]


def summary_rows() -> list[_Row]:
    labels = _status_labels()
    return [
        _Row(_("SMEs served"), lambda f: _number(f["smes_served"])),
        _Row(_("Companies served"), lambda f: _number(f["companies_served"])),
        _Row(_("New SMEs"), lambda f: _number(f["new_smes"])),
        _Row(_("Hours booked"), lambda f: _number(f["hours_booked"], 1)),
        _Row(_("Hours used"), lambda f: _number(f["hours_used"], 1)),
        _Row(_("Open hours"), lambda f: _number(f["open_hours"], 1)),
        _Row(_("Utilisation"), lambda f: _percent(f["utilisation"])),
        _Row(_("Revenue (€ excl. VAT)"), lambda f: _number(float(f["revenue"]), 2)),
        *[_Row(labels[status], _count_of(status)) for status in STATUSES],
    ]


def _count_of(status: str) -> Callable[[dict[str, Any]], str]:
    def count(figures: dict[str, Any]) -> str:
        return _number(figures["bookings"][status])

    return count


def _bar_chart(values: list[float], labels: list[str], title: str) -> Any:
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    drawing = Drawing(480, 190)
    drawing.add(String(0, 176, title, fontName="Helvetica-Bold", fontSize=10))
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 36, 30, 430, 130
    chart.data = [values or [0]]
    chart.categoryAxis.categoryNames = labels or [""]
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 30 if len(labels) > 8 else 0
    chart.categoryAxis.labels.dy = -8 if len(labels) > 8 else -2
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = colors.HexColor("#1f5fa8")
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    return drawing


def report_pdf(report: dict[str, Any], title: str) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=1.8 * cm,
        rightMargin=1.8 * cm,
        topMargin=1.6 * cm,
        bottomMargin=1.6 * cm,
        title=title,
    )
    grid = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), "Helvetica", 8.5),
            ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8.5),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor("#1d2733")),
            ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#d5dbe1")),
            ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    story: list[Any] = [
        Paragraph(escape(title), styles["Title"]),
        Paragraph(escape(_period_text(report)), styles["Normal"]),
        Spacer(1, 0.4 * cm),
    ]
    programme = report["programme"]
    if programme:
        served, target = programme["smes_served_to_date"], programme["target"]
        story.append(
            Paragraph(
                escape(
                    _(
                        "%(name)s: %(served)s SMEs served since it began, of a target of "
                        "%(target)s (%(share)s)."
                    )
                    % {
                        "name": programme["name"],
                        "served": _number(served),
                        "target": _number(target),
                        "share": _percent(served / target if target else None),
                    }
                ),
                styles["Heading3"],
            )
        )
    rows = [[_("Figure"), _("Period"), _("Previous period")]]
    rows += [
        [row.label, row.value(report["totals"]), row.value(report["previous"])]
        for row in summary_rows()
    ]
    table = Table(rows, colWidths=[8 * cm, 4 * cm, 4 * cm])
    table.setStyle(grid)
    story += [table, Spacer(1, 0.5 * cm)]
    months = report["by_month"]
    labels = [entry["month"] for entry in months]
    story.append(
        _bar_chart([entry["hours_used"] for entry in months], labels, _("Hours used per month"))
    )
    story.append(
        _bar_chart([entry["smes_served"] for entry in months], labels, _("SMEs served per month"))
    )
    story.append(Paragraph(escape(_("Platforms")), styles["Heading2"]))
    platform_rows = [
        [_("Platform"), _("SMEs served"), _("Hours used"), _("Open hours"), _("Utilisation")]
    ]
    platform_rows += [
        [
            Paragraph(escape(printable(entry["name"])), styles["BodyText"]),
            _number(entry["smes_served"]),
            _number(entry["hours_used"], 1),
            _number(entry["open_hours"], 1),
            _percent(entry["utilisation"]),
        ]
        for entry in report["platforms"]
    ]
    platforms = Table(
        platform_rows, colWidths=[7 * cm, 2.4 * cm, 2.4 * cm, 2.4 * cm, 2.2 * cm], repeatRows=1
    )
    platforms.setStyle(grid)
    story.append(platforms)
    busiest = sorted(report["machines"], key=lambda entry: -entry["hours_used"])[:25]
    if busiest:
        story.append(Paragraph(escape(_("The 25 machines most used")), styles["Heading2"]))
        machine_rows = [[_("Machine"), _("Hours used"), _("Open hours"), _("Utilisation")]]
        machine_rows += [
            [
                Paragraph(escape(printable(entry["name"])), styles["BodyText"]),
                _number(entry["hours_used"], 1),
                _number(entry["open_hours"], 1),
                _percent(entry["utilisation"]),
            ]
            for entry in busiest
        ]
        machines = Table(
            machine_rows, colWidths=[9.4 * cm, 2.4 * cm, 2.4 * cm, 2.2 * cm], repeatRows=1
        )
        machines.setStyle(grid)
        story.append(machines)
    document.build(story)
    return out.getvalue()


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def report_file(report: dict[str, Any], kind: str, title: str) -> tuple[bytes, str, str]:
    """The report as ``kind`` (csv, xlsx, pdf): its bytes, content type and file name."""
    name = f"usage-{report['period']['start']}-{report['period']['end']}.{kind}"
    if kind == "csv":
        return report_csv(report), CONTENT_TYPES[kind], name
    if kind == "xlsx":
        return report_xlsx(report, title), CONTENT_TYPES[kind], name
    if kind == "pdf":
        return report_pdf(report, title), CONTENT_TYPES[kind], name
    raise ValueError(kind)
