"""A small world shared by the API's and the pages' access matrices: two platforms with their
operators, two companies (member_a administers A, member_b is a plain member of B), a funder,
staff, and a pending booking of company A on platform P's machine. The funder follows a
programme that funds platform P only."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from billing.models import BillableLine, LineKind, PlatformBilling, Programme
from billing.services.invoices import invoices_issue
from billing.services.lines import consumable_add
from bookings.models import Booking, MembershipRole
from bookings.services import booking_create
from platforms.services import qualification_request
from tests.conftest import paris
from tests.factories import MachineFactory, MembershipFactory, PlatformFactory, UserFactory


@dataclass
class World:
    machine: Any
    other_machine: Any
    company_a: Any
    company_b: Any
    users: dict[str, Any]
    booking: Booking
    qualification: Any
    # Company A's invoice of December 2026 on platform P, and the pending booking's line to bill.
    invoice: Any = None
    line: Any = None


ROLES = ["anonymous", "member_a", "member_b", "operator", "other_operator", "funder", "staff"]


def build_world() -> World:
    platform = PlatformFactory(name="Plateforme P")
    other_platform = PlatformFactory(name="Plateforme Q")
    machine = MachineFactory(platform=platform, name="Découpe laser P", requires_approval=True)
    other_machine = MachineFactory(platform=other_platform, name="Robot Q")
    a = MembershipFactory(user__email="a@pme-a.fr", role=MembershipRole.ADMIN)
    b = MembershipFactory(user__email="b@pme-b.fr")
    operator = UserFactory(email="op@p.fr")
    other_operator = UserFactory(email="op@q.fr")
    platform.operators.add(operator)
    other_platform.operators.add(other_operator)
    users = {
        "anonymous": None,
        "member_a": a.user,
        "member_b": b.user,
        "operator": operator,
        "other_operator": other_operator,
        "funder": UserFactory(email="suivi@bpifrance.example"),
        "staff": UserFactory(email="staff@example.fr", is_staff=True),
    }
    booking = booking_create(
        machine=machine,
        company=a.company,
        user=a.user,
        start=paris(2027, 1, 6, 10),
        end=paris(2027, 1, 6, 12),
    )
    qualification = qualification_request(user=a.user, machine=machine, note="Formé en 2025")
    programme = Programme.objects.create(
        name="Industrie du futur", start_date=date(2026, 1, 1), target_smes=2000
    )
    programme.platforms.add(platform)
    programme.funders.add(users["funder"])
    PlatformBilling.objects.create(
        platform=platform,
        legal_name="Plateforme P SAS",
        street="1 rue de l'Usine",
        postcode="75011",
        city="Paris",
        siret="73282932000074",
        invoice_prefix="PP",
    )
    consumable_add(
        user=operator,
        platform=platform,
        company=a.company,
        name="Plaque d'acier",
        quantity=Decimal(1),
        unit_price_ht=Decimal("40.00"),
        vat_rate=Decimal("20.00"),
        on=date(2026, 12, 10),
    )
    [invoice], _incomplete = invoices_issue(month=date(2026, 12, 1), today=date(2027, 1, 4))
    line = BillableLine.objects.get(booking=booking, kind=LineKind.TIME)
    return World(
        machine, other_machine, a.company, b.company, users, booking, qualification, invoice, line
    )


def expect(
    anonymous: Any,
    member_a: Any,
    member_b: Any,
    operator: Any,
    other_operator: Any,
    funder: Any,
    staff: Any,
) -> dict[str, Any]:
    """What each role should get from one row of an access matrix."""
    values = (anonymous, member_a, member_b, operator, other_operator, funder, staff)
    return dict(zip(ROLES, values, strict=True))


def fill(value: Any, ids: dict[str, Any]) -> Any:
    """A matrix row's address or body with the world's ids put in its ``{placeholders}``."""
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {key: fill(item, ids) for key, item in value.items()}
    return value
