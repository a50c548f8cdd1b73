"""The usage report as files: CSV (one row per machine per month), XLSX (a summary sheet,
detail sheets, native charts) and PDF (a printable summary with its charts). Each is built from
the report dict of ``usage_report(detail=True)``, so every file says what the API says.

Text that people typed (machine and platform names) never runs as a spreadsheet formula: a
cell that would start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written
with a leading apostrophe in CSV and as a plain string in XLSX.
"""

from typing import Any

from .pdf import report_pdf, summary_rows
from .table import FORMATS, period_label, report_csv, safe_text
from .xlsx import report_xlsx

__all__ = [
    "CONTENT_TYPES",
    "FORMATS",
    "period_label",
    "report_file",
    "safe_text",
    "summary_rows",
]

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def report_file(
    report: dict[str, Any], kind: str, title: str, *, for_tools: bool = False
) -> tuple[bytes, str, str]:
    """The report as ``kind`` (csv, xlsx, pdf): its bytes, content type and file name
    (``for_tools``: a CSV in the API's names, whatever the language)."""
    name = f"usage-{report['period']['start']}-{report['period']['end']}.{kind}"
    if kind == "csv":
        return report_csv(report, for_tools=for_tools), CONTENT_TYPES[kind], name
    if kind == "xlsx":
        return report_xlsx(report, title), CONTENT_TYPES[kind], name
    if kind == "pdf":
        return report_pdf(report, title), CONTENT_TYPES[kind], name
    raise ValueError(kind)
