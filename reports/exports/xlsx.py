"""The report as a workbook: a summary sheet with the previous period and the programme, detail
sheets, native charts; strings never become formulas."""

import io
from typing import Any

from django.utils.translation import gettext as _

from bookings.models import CompanySize
from core.text import printable
from platforms.models import MachineCategory, Region

from ..selectors import STATUSES
from .table import SCALARS, _figure_labels, _flat, _status_labels, period_text


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
    _put(summary, 2, 1, period_text(report))
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
    subsidy = report.get("subsidy")
    if subsidy and subsidy["companies"]:
        _table(
            book.create_sheet(_("Programme aid")[:31]),
            [
                _("Company"),
                "SIREN",
                _("Size class"),
                _("Region of the companies"),
                _("Granted (€)"),
                _("Left under the cap this year (€)"),
            ],
            [
                [
                    row["name"],
                    row["siren"],
                    str(sizes.get(row["size_class"], row["size_class"])),
                    str(regions.get(row["region"], row["region"])),
                    float(row["granted"]),
                    None if row["cap_left_this_year"] is None else float(row["cap_left_this_year"]),
                ]
                for row in subsidy["companies"]
            ],
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
