"""Random but realistic networks of platforms for benchmarks, reproducible for a seed.

Everything is inserted in bulk (COPY) so that a million bookings take minutes:
platforms with opening hours and calendars, machines of every category, companies with valid
SIRETs, recurring maintenance (through ``closure_create``, so intervals are expanded), and
bookings spread over the past year and the coming weeks, never overlapping, in realistic
proportions of statuses.
"""

import io
import random
import time as clock
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from schedule.models import Calendar

from accounts.models import User
from bookings.models import BookingStatus, Company, CompanySize
from bookings.siret import siret_complete
from core.events import announcements_muted
from platforms.models import Machine, MachineCategory, OpeningHours, Platform, Region
from platforms.services import closure_create
from platforms.timezones import aware_lenient, zone

FUTURE_DAYS = 45
CATEGORIES = [choice for choice, _ in MachineCategory.choices]
REGIONS = [choice for choice, _ in Region.choices][:13]  # metropolitan France
SIZES = [
    (CompanySize.MICRO, 0.58),
    (CompanySize.SMALL, 0.27),
    (CompanySize.MEDIUM, 0.11),
    (CompanySize.INTERMEDIATE, 0.04),
]
PAST_STATUSES = [
    (BookingStatus.COMPLETED, 0.80),
    (BookingStatus.CANCELLED, 0.10),
    (BookingStatus.NO_SHOW, 0.05),
    (BookingStatus.REJECTED, 0.05),
]
FUTURE_STATUSES = [
    (BookingStatus.CONFIRMED, 0.82),
    (BookingStatus.PENDING, 0.10),
    (BookingStatus.CANCELLED, 0.08),
]
BOOKING_COLUMNS = (
    "machine_id",
    "company_id",
    "kind",
    "start",
    "end",
    "status",
    "version",
    "note",
    "price",
    "late_cancellation",
    "actual_start",
    "actual_end",
    "cancelled_at",
    "created_at",
    "updated_at",
    "cancellation_reason",
    "rejection_reason",
)


@dataclass
class NetworkSummary:
    platforms: int
    machines: int
    companies: int
    bookings: int
    closures: int
    seconds: float


Progress = Callable[[str, int, int], None]


def _weighted(rng: random.Random, choices: list[tuple[Any, float]]) -> Any:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def network_exists(seed: int) -> bool:
    return Platform.objects.filter(slug__startswith=f"net{seed}-").exists()


def _siret(rng: random.Random, used: set[str]) -> str:
    while True:
        head = f"{rng.randrange(100_000_000, 999_999_999)}{rng.randrange(0, 99999):05d}"[:13]
        candidate = siret_complete(head)
        if candidate not in used:
            used.add(candidate)
            return candidate


def _platforms(rng: random.Random, seed: int, count: int) -> list[Platform]:
    calendars = Calendar.objects.bulk_create(
        Calendar(name=f"Plateforme {seed}-{index}", slug=f"net{seed}-platform-{index}")
        for index in range(count)
    )
    platforms = Platform.objects.bulk_create(
        Platform(
            name=f"Plateforme {index + 1:03d} ({seed})",
            slug=f"net{seed}-{index}",
            region=REGIONS[index % len(REGIONS)],
            city=f"Ville {index + 1}",
            label_reference=f"PCL-{seed}-{index:04d}",
            calendar=calendar,
        )
        for index, calendar in enumerate(calendars)
    )
    hours = []
    for platform in platforms:
        lunch = rng.random() < 0.6
        for weekday in range(5):
            if lunch:
                hours.append(
                    OpeningHours(platform=platform, weekday=weekday, opens=time(8), closes=time(12))
                )
                hours.append(
                    OpeningHours(
                        platform=platform, weekday=weekday, opens=time(13), closes=time(18)
                    )
                )
            else:
                hours.append(
                    OpeningHours(platform=platform, weekday=weekday, opens=time(8), closes=time(19))
                )
        if rng.random() < 0.3:
            hours.append(OpeningHours(platform=platform, weekday=5, opens=time(9), closes=time(13)))
    OpeningHours.objects.bulk_create(hours)
    return platforms


def _machines(
    rng: random.Random, seed: int, platforms: list[Platform], per_platform: int
) -> list[Machine]:
    specs = [(platform, index) for platform in platforms for index in range(per_platform)]
    calendars = Calendar.objects.bulk_create(
        Calendar(
            name=f"Machine {platform.pk}-{index}", slug=f"net{seed}-machine-{platform.pk}-{index}"
        )
        for platform, index in specs
    )
    machines = []
    for (platform, index), calendar in zip(specs, calendars, strict=True):
        category = CATEGORIES[(index + platform.pk) % len(CATEGORIES)]
        slot = rng.choice([30, 30, 60])
        machines.append(
            Machine(
                platform=platform,
                name=f"{MachineCategory(category).label} {index + 1}",
                slug=f"machine-{index + 1}",
                category=category,
                hourly_rate=Decimal(rng.randrange(20, 150)),
                slot_minutes=slot,
                min_minutes=slot,
                max_minutes=480,
                min_notice_hours=rng.choice([0, 24, 24, 48]),
                max_advance_days=90,
                requires_approval=rng.random() < 0.2,
                requires_qualification=rng.random() < 0.3,
                weekly_quota_hours=Decimal(rng.choice([8, 12, 16]))
                if rng.random() < 0.15
                else None,
                buffer_minutes=rng.choice([0, 0, 0, 15]),
                calendar=calendar,
            )
        )
    return Machine.objects.bulk_create(machines)


def _companies(rng: random.Random, count: int) -> list[Company]:
    used = set(Company.objects.values_list("siret", flat=True))
    return Company.objects.bulk_create(
        Company(
            name=f"PME {rng.randrange(1, 10**6):06d}",
            siret=_siret(rng, used),
            size_class=_weighted(rng, SIZES),
            region=rng.choice(REGIONS),
        )
        for _ in range(count)
    )


def _closures(
    rng: random.Random, platforms: list[Platform], machines: list[Machine], user: User
) -> int:
    by_platform: dict[int, list[Machine]] = {}
    for machine in machines:
        by_platform.setdefault(machine.platform_id, []).append(machine)
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    created = 0
    for platform in platforms:
        for machine in by_platform.get(platform.pk, []):
            if rng.random() < 0.25:
                day = monday + timedelta(days=rng.randrange(5))
                closure_create(
                    platform=platform,
                    machine=machine,
                    user=user,
                    kind="maintenance",
                    title="Maintenance hebdomadaire",
                    start=datetime.combine(day, time(8)),
                    end=datetime.combine(day, time(10)),
                    frequency="WEEKLY",
                )
                created += 1
        if rng.random() < 0.5:
            closure_create(
                platform=platform,
                user=user,
                title="Fermeture mensuelle",
                start=datetime.combine(monday, time(13)),
                end=datetime.combine(monday, time(18)),
                frequency="MONTHLY",
                params="byweekday:FR;bysetpos:-1",
            )
            created += 1
    return created


def _day_bookings(
    rng: random.Random, day: date, machine: Machine, tz: Any
) -> Iterator[tuple[datetime, datetime]]:
    """Two to four non-overlapping bookings inside 08:00-18:00 local on ``day``."""
    hours = sorted(rng.sample(range(8, 18), rng.randint(2, 4)))
    for index, hour in enumerate(hours):
        limit = hours[index + 1] if index + 1 < len(hours) else 18
        length = rng.randint(1, min(3, limit - hour))
        yield aware_lenient(day, time(hour), tz), aware_lenient(day, time(hour + length), tz)


def _booking_rows(
    rng: random.Random, machines: list[Machine], companies: list[Company], total: int, now: datetime
) -> Iterator[tuple[Any, ...]]:
    per_machine, extra = divmod(total, len(machines))
    today = now.astimezone(zone("Europe/Paris")).date()
    for position, machine in enumerate(machines):
        wanted = per_machine + (1 if position < extra else 0)
        tz = zone(machine.platform.timezone)
        # About three bookings a weekday; at most a third of them (and 45 days) in the future.
        weeks_needed = wanted / 15
        day = today + timedelta(days=min(FUTURE_DAYS, int(weeks_needed * 7 / 3) + 1))
        made = 0
        while made < wanted:
            day -= timedelta(days=1)
            if day.weekday() >= 5:
                continue
            for start, end in _day_bookings(rng, day, machine, tz):
                if made >= wanted:
                    break
                past = end < now
                status = _weighted(rng, PAST_STATUSES if past else FUTURE_STATUSES)
                hours = Decimal((end - start).total_seconds()) / Decimal(3600)
                done = status == BookingStatus.COMPLETED
                yield (
                    machine.pk,
                    rng.choice(companies).pk,
                    "company",
                    start,
                    end,
                    status,
                    1 if status in (BookingStatus.CONFIRMED, BookingStatus.PENDING) else 2,
                    "",
                    (machine.hourly_rate * hours).quantize(Decimal("0.01")),
                    status == BookingStatus.CANCELLED and rng.random() < 0.2,
                    start if done else None,
                    end if done else None,
                    start - timedelta(days=rng.randint(1, 10))
                    if status == BookingStatus.CANCELLED
                    else None,
                    start - timedelta(days=rng.randint(2, 30)),
                    now,
                    "",
                    "",
                )
                made += 1


def _copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return str(value)


def _insert_bookings(rows: Iterator[tuple[Any, ...]], total: int, progress: Progress) -> int:
    written = 0
    batch: list[tuple[Any, ...]] = []
    columns = ", ".join(f'"{name}"' for name in BOOKING_COLUMNS)

    def flush() -> None:
        nonlocal written
        if not batch:
            return
        buffer = io.StringIO()
        for row in batch:
            buffer.write("\t".join(_copy_value(value) for value in row) + "\n")
        sql = f"COPY bookings_booking ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            copy.write(buffer.getvalue())
        written += len(batch)
        batch.clear()
        progress("bookings", written, total)

    for row in rows:
        batch.append(row)
        if len(batch) >= 20_000:
            flush()
    flush()
    return written


def generate_network(
    *,
    platforms: int,
    machines_per_platform: int,
    bookings: int,
    companies: int,
    seed: int,
    progress: Progress,
) -> NetworkSummary:
    """Insert a reproducible random network (same seed, same network) and return its size."""
    started = clock.perf_counter()
    rng = random.Random(seed)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    with transaction.atomic():
        user, _ = User.objects.get_or_create(
            email="network-seed@demo.fr",
            defaults={"display_name": "Network generator", "is_staff": True},
        )
        platform_rows = _platforms(rng, seed, platforms)
        progress("platforms", platforms, platforms)
        machine_rows = _machines(rng, seed, platform_rows, machines_per_platform)
        by_pk = {platform.pk: platform for platform in platform_rows}
        for machine in machine_rows:
            machine.platform = by_pk[machine.platform_id]
        progress("machines", len(machine_rows), len(machine_rows))
        company_rows = _companies(rng, companies)
        progress("companies", companies, companies)
        closures = _closures(rng, platform_rows, machine_rows, user)
        progress("closures", closures, closures)
        written = _insert_bookings(
            _booking_rows(rng, machine_rows, company_rows, bookings, now), bookings, progress
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return NetworkSummary(
        platforms=platforms,
        machines=len(machine_rows),
        companies=companies,
        bookings=written,
        closures=closures,
        seconds=clock.perf_counter() - started,
    )


def seed_network(
    *, platforms: int, machines_per_platform: int, bookings: int, companies: int, seed: int
) -> None:
    """Generate the network of ``seed`` unless it is there already, its progress on stderr."""
    import sys

    if network_exists(seed):
        print(f"A network with seed {seed} is already there: nothing added.")
        return
    started = clock.perf_counter()

    def progress(label: str, done: int, total: int) -> None:
        elapsed = clock.perf_counter() - started
        percent = 100 * done // max(total, 1)
        end = "\n" if done >= total else ""
        sys.stderr.write(
            f"\r{label:>10}: {done:>9,}/{total:,} ({percent:3d} %) {elapsed:6.1f} s{end}"
        )
        sys.stderr.flush()

    # Benchmark data tells no one: no closure notice is sent.
    with announcements_muted():
        summary = generate_network(
            platforms=platforms,
            machines_per_platform=machines_per_platform,
            bookings=bookings,
            companies=companies,
            seed=seed,
            progress=progress,
        )
    print(
        f"Network {seed}: {summary.platforms} platforms, {summary.machines} machines, "
        f"{summary.companies} companies, {summary.closures} closures, "
        f"{summary.bookings:,} bookings in {summary.seconds:.1f} s."
    )
