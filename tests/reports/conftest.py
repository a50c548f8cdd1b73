"""A hand-built month whose every figure is known (October 2026, Paris; the clocks go back on
the 25th): two machines open every day 08:00–18:00, closures, two establishments of one SME,
an intermediate-size company, a micro company served before, every status, an internal block,
bookings on both sides of the local month's edges."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from bookings.models import Booking, BookingKind, BookingStatus, Company, CompanySize
from bookings.siret import siret_complete
from platforms.models import MachineCategory, Region
from platforms.services import closure_create
from tests.conftest import paris
from tests.factories import CompanyFactory, MachineFactory, PlatformFactory, UserFactory


@dataclass
class Month:
    laser: Any
    cnc: Any
    other_platform_machine: Any
    dupont_lyon: Company
    dupont_paris: Company
    eti: Company
    micro: Company
    staff: Any


def _book(machine: Any, company: Company | None, start: datetime, hours: float, **kw: Any) -> Any:
    return Booking.objects.create(
        machine=machine,
        company=company,
        kind=BookingKind.COMPANY if company else BookingKind.INTERNAL,
        start=start,
        end=start + timedelta(hours=hours),
        **kw,
    )


@pytest.fixture
def october(db: Any) -> Month:
    staff = UserFactory(is_staff=True)
    platform = PlatformFactory(name="Usine du Futur Lyon", region=Region.AUVERGNE_RHONE_ALPES)
    laser = MachineFactory(platform=platform, name="Laser", category=MachineCategory.LASER_CUTTING)
    cnc = MachineFactory(
        platform=platform, name="Fraiseuse", category=MachineCategory.CNC_MACHINING
    )
    elsewhere = MachineFactory(name="Robot ailleurs")
    dupont_lyon = CompanyFactory(
        name="Dupont Lyon",
        siret=siret_complete("7328293200007"),
        size_class=CompanySize.SMALL,
        region=Region.AUVERGNE_RHONE_ALPES,
    )
    dupont_paris = CompanyFactory(
        name="Dupont Paris",
        siret=siret_complete("7328293200008"),
        size_class=CompanySize.MEDIUM,
        region=Region.ILE_DE_FRANCE,
    )
    eti = CompanyFactory(name="Grande ETI", size_class=CompanySize.INTERMEDIATE)
    micro = CompanyFactory(name="Micro atelier", size_class=CompanySize.MICRO)
    done = BookingStatus.COMPLETED
    # Closures placed in advance (their intervals are expanded from "now" on).
    with time_machine.travel(paris(2026, 9, 1, 9), tick=False):
        closure_create(
            platform=platform,
            user=staff,
            title="Entretien",
            start=paris(2026, 10, 20, 8),
            end=paris(2026, 10, 20, 12),
            machine=laser,
        )
        closure_create(
            platform=platform,
            user=staff,
            title="Révision",
            start=paris(2026, 10, 21, 16),
            end=paris(2026, 10, 21, 20),  # two hours of it fall outside opening hours
            machine=cnc,
        )
    # Before the month: the micro company was served in September; the ETI on the 30th,
    # 23:30 local (21:30 UTC), still September.
    _book(cnc, micro, paris(2026, 9, 15, 10), 1, status=done, price=Decimal("30"))
    _book(laser, eti, paris(2026, 9, 30, 23, 30), 0.5, status=done)
    # October
    _book(
        laser,
        dupont_lyon,
        paris(2026, 10, 5, 10),
        2,
        status=done,
        price=Decimal("100"),
        actual_start=paris(2026, 10, 5, 10),
        actual_end=paris(2026, 10, 5, 11, 30),
    )
    _book(cnc, dupont_paris, paris(2026, 10, 6, 9), 1, status=done, price=Decimal("50"))
    _book(
        laser,
        eti,
        paris(2026, 10, 7, 14),
        3,
        status=done,
        price=Decimal("150"),
        actual_start=paris(2026, 10, 7, 14),
        actual_end=paris(2026, 10, 7, 16),
    )
    _book(cnc, micro, paris(2026, 10, 8, 8), 1, status=BookingStatus.NO_SHOW, price=Decimal("40"))
    # after the clocks went back
    _book(laser, micro, paris(2026, 10, 26, 9), 2, status=done, price=Decimal("80"))
    _book(laser, dupont_lyon, paris(2026, 10, 9, 9), 1, status=BookingStatus.CANCELLED)
    _book(
        laser,
        dupont_lyon,
        paris(2026, 10, 12, 9),
        1,
        status=BookingStatus.CANCELLED,
        late_cancellation=True,
        price=Decimal("60"),
    )
    _book(cnc, eti, paris(2026, 10, 28, 9), 1, status=BookingStatus.PENDING)
    _book(cnc, eti, paris(2026, 10, 29, 10), 2, status=BookingStatus.CONFIRMED)
    _book(laser, dupont_lyon, paris(2026, 10, 13, 9), 1, status=BookingStatus.REJECTED)
    # 1 October 00:30 local is 30 September 22:30 UTC: October
    _book(cnc, dupont_lyon, paris(2026, 10, 1, 0, 30), 1, status=done)
    # the platform's own time is not usage
    _book(laser, None, paris(2026, 10, 14, 9), 4, status=done)
    # 1 November 00:30 local is 31 October 23:30 UTC: November
    _book(laser, dupont_paris, paris(2026, 11, 1, 0, 30), 1, status=done, price=Decimal("10"))
    # another platform's
    _book(elsewhere, micro, paris(2026, 10, 15, 10), 1, status=done, price=Decimal("999"))
    return Month(
        laser=laser,
        cnc=cnc,
        other_platform_machine=elsewhere,
        dupont_lyon=dupont_lyon,
        dupont_paris=dupont_paris,
        eti=eti,
        micro=micro,
        staff=staff,
    )


@pytest.fixture
def funder(october: Month) -> Any:
    """A funder's officer following a programme that funds October's platform (not the
    other one); the programme rides along as ``funder.programme``."""
    from billing.models import Programme

    person = UserFactory(email="suivi@bpifrance.fr")
    programme = Programme.objects.create(
        name="Industrie du futur", start_date=date(2026, 1, 1), target_smes=2000
    )
    programme.platforms.add(october.laser.platform)
    programme.funders.add(person)
    person.programme = programme
    return person
