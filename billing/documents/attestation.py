"""A company's de minimis statement (issue 27, 2): the aid the programme granted it over the
three years up to a day, with what it declared, against the ceiling — a PDF it can hand to
any other public funder."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from ..models import SubsidyGrant
from ..subsidy import declared_de_minimis, three_years_before
from .pdf import SMALL, TEXT, TITLE, _text, built, day, euros


def de_minimis_statement(*, company: Any, on: date) -> bytes:
    siren = company.siret[:9]
    since = three_years_before(on)
    grants = list(
        SubsidyGrant.objects.filter(siren=siren, granted_on__gt=since, granted_on__lte=on)
        .select_related("programme", "invoice")
        .order_by("granted_on", "id")
    )
    declared = declared_de_minimis(siren=siren, on=on)
    granted = sum((grant.amount for grant in grants), Decimal(0))
    total = declared + granted
    ceiling = settings.DE_MINIMIS_CEILING
    story: list[Any] = [
        Paragraph(_text(_("De minimis aid statement")), TITLE),
        Spacer(1, 3 * mm),
        Paragraph(
            _text(
                _("%(company)s, SIREN %(siren)s, on %(date)s")
                % {"company": company.name, "siren": siren, "date": day(on)}
            ),
            TEXT,
        ),
        Paragraph(
            _text(
                _("Aid received from %(start)s to %(end)s (Regulation (EU) 2023/2831).")
                % {"start": day(since), "end": day(on)}
            ),
            TEXT,
        ),
        Spacer(1, 5 * mm),
    ]
    rows: list[list[str]] = [[_("Date"), _("Programme"), _("Invoice"), _("Amount")]]
    rows += [
        [day(g.granted_on), _text(g.programme.name), g.invoice.number, euros(g.amount)]
        for g in grants
    ]
    rows += [
        ["", _("Declared by the company"), "", euros(declared)],
        ["", _("Total over three years"), "", euros(total)],
        ["", _("Ceiling"), "", euros(ceiling)],
        ["", _("Still available"), "", euros(max(ceiling - total, Decimal(0)))],
    ]
    table = Table(rows, colWidths=[25 * mm, 80 * mm, 35 * mm, 30 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Vera", 8.5),
                ("FONT", (0, 0), (-1, 0), "Vera-Bold", 8.5),
                ("ALIGN", (3, 0), (3, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                ("LINEABOVE", (0, -4), (-1, -4), 0.6, colors.black),
            ]
        )
    )
    story += [
        table,
        Spacer(1, 6 * mm),
        Paragraph(
            _text(
                _(
                    "Amounts granted by the programme are recorded when each invoice is issued "
                    "(credit notes deducted). The amount declared is the company's own statement."
                )
            ),
            SMALL,
        ),
    ]
    return built(story, title=_("De minimis aid statement"))
