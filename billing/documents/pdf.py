"""An invoice or a credit note as a printed page (reportlab, fonts embedded for PDF/A): every
mention French law asks of it, in French — the language of the seller's accounts."""

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import reportlab
from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.text import printable

from ..pricing import totals

FONTS = Path(reportlab.__file__).parent / "fonts"
pdfmetrics.registerFont(TTFont("Vera", str(FONTS / "Vera.ttf")))
pdfmetrics.registerFont(TTFont("Vera-Bold", str(FONTS / "VeraBd.ttf")))
TEXT = ParagraphStyle("text", fontName="Vera", fontSize=8.5, leading=11)
SMALL = ParagraphStyle("small", parent=TEXT, fontSize=7, leading=9, textColor=colors.grey)
TITLE = ParagraphStyle("title", parent=TEXT, fontName="Vera-Bold", fontSize=15, leading=19)
BOLD = ParagraphStyle("bold", parent=TEXT, fontName="Vera-Bold")


def euros(value: Any) -> str:
    return f"{formats.number_format(value, 2, use_l10n=True, force_grouping=True)} €"


def number(value: Any) -> str:
    return formats.number_format(value, 2, use_l10n=True, force_grouping=True)


def day(value: Any) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _text(value: Any) -> str:
    """Printable and safe inside a reportlab paragraph (its markup is XML)."""
    return printable(str(value)).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _party_lines(party: dict[str, Any], *, seller: bool) -> list[str]:
    lines = [f"<b>{_text(party.get('legal_name') or party.get('name'))}</b>"]
    if seller and (party.get("legal_form") or party.get("share_capital")):
        lines.append(
            _text(" ".join(filter(None, [party.get("legal_form"), party.get("share_capital")])))
        )
    lines.append(_text(party.get("street") or ""))
    lines.append(_text(f"{party.get('postcode', '')} {party.get('city', '')}".strip()))
    lines.append(_("SIREN: %(siren)s") % {"siren": party["siren"]})
    if seller:
        lines.append(_("SIRET: %(siret)s") % {"siret": party["siret"]})
        if party.get("vat_number"):
            lines.append(_("VAT number: %(number)s") % {"number": party["vat_number"]})
        if party.get("rcs"):
            lines.append(_text(party["rcs"]))
    return [line for line in lines if line]


def legal_notes(invoice: Any) -> list[tuple[str, str]]:
    """The mentions an invoice must carry (subject codes of UNTDID 4451), printed and put in
    the XML alike."""
    if invoice.kind != "invoice":
        return [("REG", _("Nature of the operation: services."))]
    days = invoice.seller.get("payment_days", 30)
    return [
        (
            "AAB",
            _(
                "Payment within %(days)d days, by %(due)s, by bank transfer. No discount for "
                "early payment."
            )
            % {"days": days, "due": day(invoice.due_on)},
        ),
        (
            "PMD",
            _(
                "Late payment: penalties at the European Central Bank's refinancing rate plus "
                "10 points (Code de commerce, art. L441-10)."
            ),
        ),
        (
            "PMT",
            _("Fixed indemnity for recovery costs in case of late payment: 40 € (art. D441-5)."),
        ),
        (
            "REG",
            _("Nature of the operation: services. VAT payable on receipts (no option for debits)."),
        ),
    ]


def render(invoice: Any, lines: Sequence[Any]) -> bytes:
    """The PDF page(s) of ``invoice`` (numbered, totals set) with ``lines``."""
    figures = totals(lines)
    credit = invoice.kind == "credit_note"
    title = (_("Credit note %(number)s") if credit else _("Invoice %(number)s")) % {
        "number": invoice.number
    }
    story: list[Any] = []
    parties = Table(
        [
            [
                Paragraph("<br/>".join(_party_lines(invoice.seller, seller=True)), TEXT),
                Paragraph(
                    f"<b>{_('Billed to')}</b><br/>"
                    + "<br/>".join(_party_lines(invoice.buyer, seller=False)),
                    TEXT,
                ),
            ]
        ],
        colWidths=[95 * mm, 80 * mm],
    )
    parties.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [parties, Spacer(1, 8 * mm), Paragraph(_text(title), TITLE), Spacer(1, 2 * mm)]
    facts = [
        _("Issued on %(date)s") % {"date": day(invoice.issued_on)},
        _("Services from %(start)s to %(end)s")
        % {"start": day(invoice.period_start), "end": day(invoice.period_end)},
    ]
    if credit and invoice.credited_id:
        facts.append(
            _("Credits invoice %(number)s of %(date)s. Reason: %(reason)s")
            % {
                "number": invoice.credited.number,
                "date": day(invoice.credited.issued_on),
                "reason": _text(invoice.reason),
            }
        )
    else:
        facts.append(_("Due on %(date)s") % {"date": day(invoice.due_on)})
    story += [Paragraph(fact, TEXT) for fact in facts]
    story.append(Spacer(1, 5 * mm))
    header = [
        _("Date"),
        _("Designation"),
        _("Quantity"),
        _("Unit price excl. VAT"),
        _("VAT"),
        _("Total excl. VAT"),
    ]
    rows: list[list[Any]] = [[Paragraph(f"<b>{cell}</b>", TEXT) for cell in header]]
    for line in lines:
        rows.append(
            [
                day(line.service_date),
                Paragraph(_text(line.label), TEXT),
                number(line.quantity),
                euros(line.unit_price_ht),
                f"{number(line.vat_rate)} %",
                euros(line.total_ht),
            ]
        )
    table = Table(
        rows, colWidths=[20 * mm, 70 * mm, 18 * mm, 25 * mm, 15 * mm, 27 * mm], repeatRows=1
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Vera", 8.5),
                ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
            ]
        )
    )
    story += [table, Spacer(1, 5 * mm)]
    sums: list[list[str]] = []
    for rate, (base, vat) in figures.by_rate.items():
        sums.append(
            [
                _("VAT %(rate)s %% on %(base)s") % {"rate": number(rate), "base": euros(base)},
                euros(vat),
            ]
        )
    sums += [
        [_("Total excl. VAT"), euros(figures.total_ht)],
        [_("Total VAT"), euros(figures.total_vat)],
        [_("Total incl. VAT"), euros(figures.total_ttc)],
    ]
    if figures.subsidy:
        sums.append([_("of which programme aid (paid by the programme)"), euros(figures.subsidy)])
    sums.append([_("Credited") if credit else _("To pay"), euros(figures.to_pay)])
    summary = Table(sums, colWidths=[80 * mm, 35 * mm], hAlign="RIGHT")
    summary.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Vera", 8.5),
                ("FONT", (0, -1), (-1, -1), "Vera-Bold", 9.5),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black),
            ]
        )
    )
    story += [summary, Spacer(1, 6 * mm)]
    for _code, note in legal_notes(invoice):
        story.append(Paragraph(_text(note), SMALL))
    if not credit and invoice.seller.get("iban"):
        bank = _("Bank details: IBAN %(iban)s") % {"iban": invoice.seller["iban"]}
        if invoice.seller.get("bic"):
            bank += " – BIC " + invoice.seller["bic"]
        story.append(Paragraph(_text(bank), SMALL))
    return built(story, title=title, author=invoice.seller.get("legal_name", ""))


def built(story: list[Any], *, title: str, author: str = "") -> bytes:
    """An A4 document of ``story``, the same bytes for the same story (``invariant``)."""
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=17 * mm,
        rightMargin=17 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=title,
        author=author,
        invariant=1,
    ).build(story)
    return out.getvalue()
