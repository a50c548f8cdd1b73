"""Money at network scale: issuing a month's invoices and answering quotes (issue 27).

On a seeded network (bench/network.py, the same databases as booking_core.py):
- every platform gets its invoicing details and the programme pays half of SMEs' machine time
  (up to 5,000 € a year); the billing tables are emptied, then the last whole month's bookings
  that bill (completed, confirmed, no-shows) get their lines, priced by ``price_lines`` in bulk
  (set-up, not measured);
- ``invoices_issue`` for that month is timed, with the process's peak memory (RSS) before and
  after and the invoices issued per second — the monthly job as the beat task runs it;
- ``GET /api/v1/machines/<id>/quote/`` through Django's test client: a visitor's (no company)
  and a member's (its company: its price group and the programme's aid, read from the ledger).

Usage (see bench/README.md):
    .venv/bin/python bench/invoices.py --platforms 50 --machines-per-platform 10 \
        --bookings 1000000 --runs 200 [--quotes-only]
"""

import json
import random
import resource
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from booking_core import _stats, arguments, seeded  # noqa: E402

# ``--quotes-only``: measure the quotes on the month already issued (the issue takes minutes).
QUOTES_ONLY = "--quotes-only" in sys.argv
if QUOTES_ONLY:
    sys.argv.remove("--quotes-only")


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _prepare(month: Any) -> int:
    """Invoicing details, the programme, and the month's lines to bill (in bulk)."""
    from django.db import connection, transaction

    from billing.models import BillableLine, PlatformBilling, Programme
    from billing.pricing import price_lines
    from billing.services.invoices import month_end
    from bookings.models import Booking, BookingStatus
    from platforms.models import Platform

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE billing_subsidygrant, billing_invoiceline, billing_billableline, "
            "billing_invoice"
        )
    platforms = list(Platform.objects.all())
    for index, platform in enumerate(platforms):
        PlatformBilling.objects.update_or_create(
            platform=platform,
            defaults={
                "legal_name": f"{platform.name} SAS",
                "street": "1 rue de l'Industrie",
                "postcode": "69007",
                "city": platform.city[:100] or "Lyon",
                "siret": "73282932000074",
                "invoice_prefix": f"P{index + 1}",
                "iban": "FR7630006000011234567890189",
            },
        )
    programme, _ = Programme.objects.get_or_create(
        name="Bench programme",
        defaults={
            "start_date": month.replace(year=month.year - 1),
            "subsidy_rate": Decimal(50),
            "subsidy_cap": Decimal(5000),
        },
    )
    programme.platforms.set(platforms)
    bookings = (
        Booking.objects.filter(
            kind="company",
            start__date__gte=month,
            start__date__lte=month_end(month),
            status__in=[
                BookingStatus.COMPLETED,
                BookingStatus.CONFIRMED,
                BookingStatus.NO_SHOW,
            ],
        )
        .select_related("machine__platform", "company")
        .iterator(chunk_size=2000)
    )
    rows = []
    for booking in bookings:
        for line in price_lines(
            machine=booking.machine,
            start=booking.start,
            end=booking.end,
            company=booking.company,
            assisted=False,
        ):
            rows.append(
                BillableLine(
                    platform=booking.machine.platform,
                    company_id=booking.company_id,
                    booking_id=booking.pk,
                    kind=line.kind,
                    label=f"{booking.machine.name} – {line.label}",
                    quantity=line.quantity,
                    unit_price_ht=line.unit_price_ht,
                    vat_rate=line.vat_rate,
                    total_ht=line.total_ht,
                    service_date=booking.start.astimezone(booking.machine.platform.tz).date(),
                )
            )
    with transaction.atomic():
        BillableLine.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def run(args: Any) -> dict[str, Any]:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from billing.services.invoices import invoices_issue, month_end
    from bookings.models import Company, Membership
    from platforms.models import Machine

    seeded(args)
    today = timezone.localdate()
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    # As in production: no debug log of every query (it would keep each PDF's insert).
    from django.conf import settings

    settings.DEBUG = False
    issuing: dict[str, Any] = {}
    if not QUOTES_ONLY:
        started = time.perf_counter()
        lines = _prepare(month)
        prepared = time.perf_counter() - started
        before_mb = _peak_mb()
        started = time.perf_counter()
        issued, incomplete = invoices_issue(month=month, today=month_end(month) + timedelta(days=5))
        seconds = time.perf_counter() - started
        assert not incomplete, incomplete
        count = issued.count()
        issuing = {
            "lines": lines,
            "prepare lines (bulk, not the product path)": round(prepared, 1),
            "invoices_issue": {
                "invoices": count,
                "seconds": round(seconds, 1),
                "invoices_per_second": round(count / seconds, 1),
                "peak_rss_mb_before": before_mb,
                "peak_rss_mb_after": _peak_mb(),
            },
        }

    rng = random.Random(args.seed)
    machines = list(Machine.objects.values_list("pk", flat=True))
    user, _ = get_user_model().objects.get_or_create(
        email="bench-quote@demo.fr", defaults={"display_name": "Bench"}
    )
    company = Company.objects.order_by("pk").first()
    Membership.objects.get_or_create(user=user, company=company)
    results: dict[str, Any] = {}
    for label, client, extra in (
        ("quote (visitor)", Client(), {}),
        ("quote (member, with the programme's aid)", Client(), {"company": company.pk}),
    ):
        if extra:
            client.force_login(user)
        samples = []
        for _ in range(args.runs):
            day = today + timedelta(days=rng.randint(2, 30))
            start = f"{day.isoformat()}T10:00:00+01:00"
            end = f"{day.isoformat()}T12:00:00+01:00"
            began = time.perf_counter()
            answer = client.get(
                f"/api/v1/machines/{rng.choice(machines)}/quote/",
                {"start": start, "end": end, **extra},
            )
            samples.append(time.perf_counter() - began)
            assert answer.status_code == 200, answer.content[:300]
        results[label] = _stats(samples)

    return {
        "scale": {"machines": len(machines), "bookings": args.bookings, "month": month.isoformat()},
        "results": {**issuing, **results},
    }


if __name__ == "__main__":
    arguments_ = arguments(__doc__, runs=200)
    report = run(arguments_)
    scale = report["scale"]
    name = f"invoices_{scale['machines']}m_{arguments_.bookings}b{'_quotes' if QUOTES_ONLY else ''}"
    out = ROOT / "bench" / "results" / f"{name}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2, ensure_ascii=False))
