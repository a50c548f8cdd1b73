"""Issue a month's invoices by hand (the monthly job does it on its own)."""

from datetime import date, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Sum
from django.utils import timezone

from billing.exceptions import MonthNotOver
from billing.services.invoices import invoices_issue


def month_arg(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m").date()
    except ValueError as error:
        raise CommandError(f"--month wants YYYY-MM, e.g. 2026-11 (got {value!r})") from error


class Command(BaseCommand):
    help = (
        "Issue one invoice per company and platform for a month's lines to bill. Run again, "
        "it issues nothing more."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="YYYY-MM, a month that is over")

    def handle(self, *args: Any, **options: Any) -> None:
        month = month_arg(options["month"])
        if not 2000 <= month.year <= 2100:
            raise CommandError("--month: a year between 2000 and 2100")
        try:
            issued, incomplete = invoices_issue(month=month, today=timezone.localdate())
        except MonthNotOver as error:
            raise CommandError(error.detail) from error
        for name in incomplete:
            self.stderr.write(
                f"{name}: not invoiced, its invoicing details are incomplete "
                "(legal name, address, SIRET, invoice prefix)."
            )
        total = issued.aggregate(total=Sum("total_ttc"))["total"] or 0
        self.stdout.write(
            self.style.SUCCESS(
                f"{issued.count()} invoices issued for {month:%Y-%m}, {total:.2f} € TTC."
            )
        )
