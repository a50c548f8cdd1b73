"""A document as it is sent and kept: the printed PDF with its Factur-X XML embedded, made in
French whatever the language of whoever issues it."""

from collections.abc import Sequence
from typing import Any

from django.utils import translation

from .facturx import embed, invoice_xml
from .pdf import legal_notes, render


def document_pdf(invoice: Any, lines: Sequence[Any]) -> bytes:
    with translation.override("fr"):
        pdf = render(invoice, lines)
        xml = invoice_xml(invoice, lines, legal_notes(invoice))
        return embed(pdf, xml, title=invoice.number, seller=invoice.seller.get("legal_name", ""))
