"""The report as a printable PDF (reportlab, pure Python): a summary table, two bar charts, the
platforms and the machines most used."""

import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.text import printable
from platforms.models import Region

from ..selectors import STATUSES
from .table import _status_labels, period_text

BUSIEST = 25  # machines listed by hours used
PLATFORMS_NAMED = 6  # more platforms than this are counted, not named


def _covered(report: dict[str, Any]) -> str:
    """What the figures cover, as the filters chose it: the platforms (named when few) and
    their regions."""
    platforms = report["platforms"]
    names = sorted(printable(entry["name"]) for entry in platforms)
    regions = dict(Region.choices)
    in_regions = sorted({str(regions.get(entry["region"], entry["region"])) for entry in platforms})
    if not platforms:
        return _("No platform in this scope.")
    if len(names) <= PLATFORMS_NAMED:
        return _("Platforms: %(names)s.") % {"names": ", ".join(names)}
    return _("%(count)d platforms, in %(regions)s.") % {
        "count": len(names),
        "regions": ", ".join(in_regions),
    }


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
        _Row(
            _("of which measured at the machine"),
            lambda f: _number(f.get("hours_measured") or 0, 1),
        ),
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
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
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
    heading = ParagraphStyle("cell-heading", parent=styles["BodyText"], fontName="Helvetica-Bold")
    heading.fontSize, heading.leading = 8.5, 10
    number_heading = ParagraphStyle("number-heading", parent=heading, alignment=TA_RIGHT)

    def header(*labels: str) -> list[Any]:
        # Paragraphs wrap within their column: long headers never run into each other.
        return [
            Paragraph(escape(label), heading if index == 0 else number_heading)
            for index, label in enumerate(labels)
        ]

    story: list[Any] = [
        Paragraph(escape(title), styles["Title"]),
        Paragraph(escape(period_text(report)), styles["Normal"]),
        Paragraph(escape(_covered(report)), styles["Normal"]),
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
    rows = [header(_("Figure"), _("Period"), _("Previous period"))]
    rows += [
        [row.label, row.value(report["totals"]), row.value(report["previous"])]
        for row in summary_rows()
    ]
    table = Table(rows, colWidths=[8 * cm, 4 * cm, 4 * cm])
    table.setStyle(grid)
    story += [table, Spacer(1, 0.5 * cm)]
    subsidy = report.get("subsidy")
    if subsidy and subsidy["by_platform"]:
        story.append(Paragraph(escape(_("Programme aid")), styles["Heading2"]))
        granted = _("Granted in the period: %(granted)s €.") % {
            "granted": _number(Decimal(subsidy["granted"]), 2)
        }
        if subsidy["budget_left"] is not None:
            granted += " " + _("Budget left: %(left)s €.") % {
                "left": _number(Decimal(subsidy["budget_left"]), 2)
            }
        story.append(Paragraph(escape(granted), styles["Normal"]))
        aid_rows = [header(_("Platform"), _("Granted"))]
        aid_rows += [
            [
                Paragraph(escape(printable(entry["name"])), styles["BodyText"]),
                f"{_number(Decimal(entry['granted']), 2)} €",
            ]
            for entry in subsidy["by_platform"]
        ]
        aid = Table(aid_rows, colWidths=[12 * cm, 4 * cm], repeatRows=1)
        aid.setStyle(grid)
        story += [aid, Spacer(1, 0.5 * cm)]
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
        header(_("Platform"), _("SMEs served"), _("Hours used"), _("Open hours"), _("Utilisation"))
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
    busiest = sorted(report["machines"], key=lambda entry: -entry["hours_used"])[:BUSIEST]
    if busiest:
        most_used = ngettext(
            "The machine most used", "The %(count)d machines most used", len(busiest)
        ) % {"count": len(busiest)}
        story.append(Paragraph(escape(most_used), styles["Heading2"]))
        machine_rows = [header(_("Machine"), _("Hours used"), _("Open hours"), _("Utilisation"))]
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
