"""Demo data: five labelled platforms, their machines, companies, users and bookings.

Idempotent: platforms, machines, companies and users are matched by slug, SIRET or e-mail, and
bookings are generated only the first time. Upcoming bookings go through ``booking_create``
like any other; past history (completed, cancelled, no-show) is inserted directly, since the
rules rightly refuse to book the past.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from billing.pricing import price_lines, totals
from bookings.models import Booking, BookingStatus, Company, Membership, MembershipRole
from bookings.services import booking_create
from bookings.signals import demo_seeded
from bookings.siret import siret_complete
from core.events import announcements_muted
from core.exceptions import DomainError
from demo.activity import seed_training, seed_waiting
from demo.data import COMPANIES, MACHINES, PASSWORD, PLATFORMS, WEEKDAY_HOURS
from platforms.models import (
    ClosureKind,
    Machine,
    MachineCategory,
    OpeningHours,
    Platform,
    Qualification,
)
from platforms.services import (
    closure_create,
    machine_create,
    platform_create,
    qualification_grant,
    qualification_request,
)
from platforms.timezones import aware_lenient


def _day_rng(seed: int, machine: Machine, day: date) -> random.Random:
    """The draws of one machine's day: the same whenever the demo is seeded again, so that a
    day that drew nothing draws nothing again (the command stays idempotent)."""
    return random.Random(f"{seed}:{machine.pk}:{day.isoformat()}")


class Command(BaseCommand):
    help = "Create (idempotently) demo platforms, machines, companies, users and bookings."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--seed", type=int, default=42, help="random seed (same seed, same data)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Demo data tells no one: no confirmation, no closure notice is sent.
        with announcements_muted():
            self._handle(options)

    def _handle(self, options: dict[str, Any]) -> None:
        seed = options["seed"]
        with transaction.atomic():
            users = self._users()
            platforms = self._platforms(users)
            companies = self._companies(users)
            machines = self._machines(platforms)
            self._closures(platforms, users)
            self._qualifications(machines, users)
            created_history = self._history(seed, machines, companies, users)
        created_upcoming = self._upcoming(seed, machines, companies, users)
        seed_waiting(machines, users)
        seed_training(machines, users)
        with transaction.atomic():
            # What upper layers add to the demo: the funder's programme, prices and invoices.
            demo_seeded.send(sender=Platform, platforms=platforms, users=users)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(platforms)} platforms, {len(machines)} machines, "
                f"{len(companies)} companies; {created_history} past and {created_upcoming} "
                f"upcoming bookings added."
            )
        )

    def _user(self, email: str, name: str, **extra: Any) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            # Demo addresses need no proving (no link could reach them).
            user = User.objects.create_user(
                email=email,
                password=PASSWORD,
                display_name=name,
                email_confirmed_at=timezone.now(),
                **extra,
            )
        return user

    def _users(self) -> dict[str, User]:
        return {
            "admin": self._user(
                "admin@demo.fr", "Administrateur", is_staff=True, is_superuser=True
            ),
            "operator": self._user("operator@demo.fr", "Opératrice Camille Martin"),
            "sme": self._user("sme@demo.fr", "Julien Bernard"),
            "sme2": self._user("sme2@demo.fr", "Sophie Laurent", preferred_language="en"),
            "funder": self._user("funder@demo.fr", "Chargé de suivi Bpifrance"),
        }

    def _platforms(self, users: dict[str, User]) -> list[Platform]:
        platforms = []
        for index, (slug, name, region, city) in enumerate(PLATFORMS):
            platform = Platform.objects.filter(slug=slug).first()
            if platform is None:
                platform = platform_create(
                    slug=slug,
                    name=name,
                    region=region,
                    city=city,
                    label_reference=f"PCL-2026-{index + 1:03d}",
                    label_date=date(2026, 3, 1),
                    contact_email=f"contact@{slug}.example.fr",
                    contact_phone=f"04 72 00 00 {index + 10:02d}",
                    address=f"{12 + index} rue de l'Industrie\n{city}",
                    # Programme SMEs pay 80 % of the rates on the first platform.
                    sme_percent=Decimal(80) if index == 0 else Decimal(100),
                    access="Accueil au bâtiment B, badge remis à l'arrivée ; parking visiteurs.",
                )
                for weekday in range(5):
                    for opens, closes in WEEKDAY_HOURS:
                        OpeningHours.objects.create(
                            platform=platform, weekday=weekday, opens=opens, closes=closes
                        )
                if index % 2 == 0:
                    OpeningHours.objects.create(
                        platform=platform, weekday=5, opens=time(9, 0), closes=time(12, 0)
                    )
            platforms.append(platform)
        # The demo operator runs the first two platforms.
        for platform in platforms[:2]:
            platform.operators.add(users["operator"])
        return platforms

    def _companies(self, users: dict[str, User]) -> list[Company]:
        companies = []
        for index, (name, region, size, naf) in enumerate(COMPANIES):
            siret = siret_complete(f"{812345670 + index * 7:09d}0001")
            company, _ = Company.objects.get_or_create(
                siret=siret,
                defaults={"name": name, "region": region, "size_class": size, "naf_code": naf},
            )
            companies.append(company)
        Membership.objects.get_or_create(
            user=users["sme"], company=companies[0], defaults={"role": MembershipRole.ADMIN}
        )
        Membership.objects.get_or_create(
            user=users["sme2"], company=companies[1], defaults={"role": MembershipRole.MEMBER}
        )
        return companies

    def _machines(self, platforms: list[Platform]) -> list[Machine]:
        machines = []
        for index, platform in enumerate(platforms):
            count = 4 + index  # 4 to 8 machines per platform
            for offset in range(count):
                name, category, maker, model, rate, slot, approval, qualif = MACHINES[
                    (index * 3 + offset) % len(MACHINES)
                ]
                slug = f"{maker}-{model}".lower().replace(" ", "-").replace(".", "")
                machine = Machine.objects.filter(platform=platform, slug=slug).first()
                if machine is None:
                    machine = machine_create(
                        platform=platform,
                        slug=slug,
                        name=f"{name} {maker} {model}",
                        category=category,
                        manufacturer=maker,
                        model_name=model,
                        hourly_rate=Decimal(rate),
                        slot_minutes=slot,
                        min_minutes=slot,
                        max_minutes=480,
                        min_notice_hours=24,
                        max_advance_days=90,
                        requires_approval=approval,
                        requires_qualification=qualif,
                        buffer_minutes=15
                        if category == MachineCategory.ADDITIVE_MANUFACTURING
                        else 0,
                        # Metal printers are scarce: each company gets 8 hours a week.
                        weekly_quota_hours=Decimal(8) if maker == "EOS" else None,
                        # Robots and CNC need setting up, and a technician may assist.
                        setup_fee=Decimal(20)
                        if category in (MachineCategory.ROBOTICS, MachineCategory.CNC_MACHINING)
                        else Decimal(0),
                        assisted_hourly_rate=Decimal(40)
                        if category in (MachineCategory.ROBOTICS, MachineCategory.CNC_MACHINING)
                        else None,
                    )
                machines.append(machine)
        return machines

    def _closures(self, platforms: list[Platform], users: dict[str, User]) -> None:
        """Weekly maintenance of additive machines, monthly calibration of metrology ones (every
        first Monday), and a platform-wide closure day on each platform."""
        today = timezone.localdate()
        monday = today - timedelta(days=today.weekday())
        for index, platform in enumerate(platforms):
            if platform.closures.exists():
                continue
            for machine in platform.machines.all():
                if machine.category == MachineCategory.ADDITIVE_MANUFACTURING:
                    friday = monday + timedelta(days=4)
                    closure_create(
                        platform=platform,
                        machine=machine,
                        user=users["admin"],
                        kind=ClosureKind.MAINTENANCE,
                        title="Maintenance hebdomadaire",
                        start=datetime.combine(friday, time(16, 0)),
                        end=datetime.combine(friday, time(18, 0)),
                        frequency="WEEKLY",
                    )
                elif machine.category == MachineCategory.METROLOGY:
                    closure_create(
                        platform=platform,
                        machine=machine,
                        user=users["admin"],
                        kind=ClosureKind.MAINTENANCE,
                        title="Étalonnage mensuel",
                        start=datetime.combine(monday, time(8, 0)),
                        end=datetime.combine(monday, time(12, 0)),
                        frequency="MONTHLY",
                        params="byweekday:MO;bysetpos:1",
                    )
            closed_day = today + timedelta(days=9 + index)
            closure_create(
                platform=platform,
                user=users["admin"],
                title="Journée de formation de l’équipe",
                start=datetime.combine(closed_day, time(0, 0)),
                end=datetime.combine(closed_day + timedelta(days=1), time(0, 0)),
            )

    def _qualifications(self, machines: list[Machine], users: dict[str, User]) -> None:
        needing = [machine for machine in machines if machine.requires_qualification]
        if not needing:
            return
        first = needing[0]
        if not Qualification.objects.filter(user=users["sme"], machine=first).exists():
            qualification_grant(operator=users["admin"], user=users["sme"], machine=first)
        qualification_request(user=users["sme2"], machine=needing[-1], note="Formé en 2025")

    def _history(
        self,
        seed: int,
        machines: list[Machine],
        companies: list[Company],
        users: dict[str, User],
    ) -> int:
        # The last 90 days, from the day after the latest demo history: a demo started again
        # a month later has its past month too.
        today = timezone.localdate()
        latest = dict(
            Booking.objects.filter(machine__in=machines, start__lt=timezone.now())
            .values_list("machine_id")
            .annotate(Max("start"))
        )
        rows = []
        for machine in machines:
            tz = machine.platform.tz
            last = latest.get(machine.pk)
            first = last.astimezone(tz).date() + timedelta(days=1) if last else date.min
            for days_back in range(90, 0, -1):
                day = today - timedelta(days=days_back)
                if day < first:
                    continue
                rng = _day_rng(seed, machine, day)
                if day.weekday() >= 5:
                    continue
                for opens, closes in WEEKDAY_HOURS:
                    if rng.random() < 0.45:
                        continue
                    hours = min(rng.choice([1, 2, 3]), closes.hour - opens.hour)
                    begin = rng.randint(opens.hour, closes.hour - hours)
                    start = aware_lenient(day, time(begin, 0), tz)
                    end = start + timedelta(hours=hours)
                    draw = rng.random()
                    status = (
                        BookingStatus.COMPLETED
                        if draw < 0.82
                        else BookingStatus.CANCELLED
                        if draw < 0.94
                        else BookingStatus.NO_SHOW
                    )
                    company = rng.choice(companies)
                    done = status == BookingStatus.COMPLETED
                    rows.append(
                        Booking(
                            machine=machine,
                            company=company,
                            booked_by=users["sme"] if company == companies[0] else users["admin"],
                            start=start,
                            end=end,
                            status=status,
                            price=totals(
                                price_lines(
                                    machine=machine,
                                    start=start,
                                    end=end,
                                    company=company,
                                    assisted=False,
                                )
                            ).total_ht,
                            actual_start=start if done else None,
                            actual_end=end - timedelta(minutes=rng.choice([0, 0, 15]))
                            if done
                            else None,
                            # Two machines in three have their QR code up: usage measured there.
                            measured=done and machine.pk % 3 != 0,
                            cancelled_at=start - timedelta(days=2)
                            if status == BookingStatus.CANCELLED
                            else None,
                        )
                    )
        Booking.objects.bulk_create(rows, batch_size=1000)
        return len(rows)

    def _upcoming(
        self,
        seed: int,
        machines: list[Machine],
        companies: list[Company],
        users: dict[str, User],
    ) -> int:
        # Each machine without anything booked ahead gets the next two weeks again.
        today = timezone.localdate()
        booked_ahead = set(
            Booking.objects.filter(machine__in=machines, start__gt=timezone.now()).values_list(
                "machine_id", flat=True
            )
        )
        created = 0
        for machine in machines:
            if machine.pk in booked_ahead:
                continue
            for days_ahead in range(2, 15):
                day = today + timedelta(days=days_ahead)
                rng = _day_rng(seed, machine, day)
                if day.weekday() >= 5 or rng.random() < 0.4:
                    continue
                begin = rng.choice([8, 9, 10, 13, 14, 15])
                company = rng.choice(companies)
                booker = users["sme"] if company == companies[0] else users["admin"]
                try:
                    booking_create(
                        machine=machine,
                        company=company,
                        user=booker,
                        start=datetime.combine(day, time(begin, 0)),
                        end=datetime.combine(day, time(begin + 2, 0)),
                        note="Réservation de démonstration",
                    )
                    created += 1
                except DomainError:
                    continue
        return created
