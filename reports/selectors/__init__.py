"""What funders, operators and SMEs read: ``scope`` (who sees which figures), ``figures`` (the
usage report), over ``frame`` (the scope's bookings, months, open time) and ``groups`` (every
group in two PostgreSQL statements)."""

from .figures import usage_report
from .frame import FIGURES, MAX_REPORT_DAYS, SME_SIZES, STATUSES, Month, months_of
from .scope import Scope, platforms_in_view, programmes_followed, report_scope, report_title

__all__ = [
    "FIGURES",
    "MAX_REPORT_DAYS",
    "SME_SIZES",
    "STATUSES",
    "Month",
    "Scope",
    "months_of",
    "platforms_in_view",
    "programmes_followed",
    "report_scope",
    "report_title",
    "usage_report",
]
