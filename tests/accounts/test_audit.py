"""Every state change through the services writes its audit entry in the same transaction:
who, when, from which address, what, before and after; the entries cannot be changed or
deleted through the application, and pages show a booking's and a machine's history to those
who may see them."""

from datetime import UTC
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from accounts.services import token_create, token_revoke
from bookings.models import BookingStatus
from bookings.services import (
    booking_approve,
    booking_cancel,
    booking_create,
    booking_move,
    booking_reject,
    company_refuse,
    company_validate,
    no_shows_mark,
)
from platforms.services import (
    closure_create,
    machine_update,
    opening_hours_set,
    qualification_grant,
    qualification_refuse,
    qualification_request,
)
from tests.conftest import paris
from tests.factories import CompanyFactory, MachineFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: Any, make_member: Any) -> dict[str, Any]:
    operator = UserFactory(display_name="Camille Opératrice")
    machine = MachineFactory(name="Laser", requires_approval=True, min_notice_hours=0)
    machine.platform.operators.add(operator)
    return {"operator": operator, "machine": machine, "member": make_member()}


def _book(world: dict[str, Any], day: int = 6) -> Any:
    return booking_create(
        machine=world["machine"],
        company=world["member"].company,
        user=world["member"],
        start=paris(2027, 1, day, 10),
        end=paris(2027, 1, day, 11),
    )


def _actions(obj: Any) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type=obj._meta.model_name, object_id=str(obj.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_a_bookings_life_is_traced(world: dict[str, Any], frozen_now: Any) -> None:
    booking = _book(world)
    booking_approve(booking=booking, user=world["operator"])
    booking = booking_move(
        booking=booking,
        user=world["operator"],
        start=paris(2027, 1, 7, 14),
        end=paris(2027, 1, 7, 15),
    )
    booking_cancel(booking=booking, user=world["member"], reason="Projet reporté")
    assert _actions(booking) == [
        "booking.created",
        "booking.approved",
        "booking.moved",
        "booking.cancelled",
    ]
    moved = AuditEntry.objects.get(action="booking.moved")
    assert moved.actor == world["operator"]
    assert moved.before["start"] == paris(2027, 1, 6, 10).astimezone(UTC).isoformat()
    assert moved.after["start"] == paris(2027, 1, 7, 14).astimezone(UTC).isoformat()
    cancelled = AuditEntry.objects.get(action="booking.cancelled")
    assert cancelled.after["status"] == BookingStatus.CANCELLED
    assert cancelled.after["cancellation_reason"] == "Projet reporté"
    other = _book(world, day=8)
    booking_reject(booking=other, user=world["operator"], reason="Plein")
    assert _actions(other) == ["booking.created", "booking.rejected"]


def test_no_shows_the_machine_qualifications_companies_and_tokens_are_traced(
    world: dict[str, Any], frozen_now: Any, time_machine: Any
) -> None:
    operator, machine = world["operator"], world["machine"]
    booking = _book(world)
    booking_approve(booking=booking, user=operator)
    time_machine.move_to(paris(2027, 1, 7, 9))
    assert no_shows_mark() == 1
    entry = AuditEntry.objects.get(action="booking.no_show")
    assert entry.actor is None and entry.after == {"status": "no_show"}
    machine_update(machine=machine, user=operator, hourly_rate="80.00")
    change = AuditEntry.objects.get(action="machine.updated")
    assert change.before == {"hourly_rate": "60.00"} and change.after == {"hourly_rate": "80.00"}
    opening_hours_set(platform=machine.platform, user=operator, ranges=[(0, "08:00", "12:00")])
    closure_create(
        platform=machine.platform,
        user=operator,
        title="Entretien",
        start=paris(2027, 1, 11, 8),
        end=paris(2027, 1, 11, 10),
    )
    person = UserFactory()
    granted = qualification_grant(operator=operator, user=person, machine=machine)
    qualification_refuse(operator=operator, qualification=granted)
    asked = qualification_request(user=UserFactory(), machine=machine, note="Formé")
    qualification_refuse(operator=operator, qualification=asked)
    waiting, refused = CompanyFactory(validated_at=None), CompanyFactory(validated_at=None)
    company_validate(company=waiting, user=operator)
    company_refuse(company=refused, user=operator, reason="SIRET inconnu")
    token, _raw = token_create(user=person, name="ERP")
    token_revoke(token=token)
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {
        "platform.hours_set",
        "closure.placed",
        "qualification.granted",
        "qualification.revoked",
        "qualification.refused",
        "company.validated",
        "company.refused",
        "token.created",
        "token.revoked",
    }


def test_entries_record_the_address_and_cannot_be_changed(
    client: Any, world: dict[str, Any], frozen_now: Any
) -> None:
    booking = _book(world)
    client.force_login(world["operator"])
    client.post(reverse("web:operator-approve", args=[booking.pk]), REMOTE_ADDR="203.0.113.9")
    entry = AuditEntry.objects.get(action="booking.approved")
    assert entry.address == "203.0.113.9"
    entry.action = "booking.created"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    url = reverse("admin:accounts_auditentry_change", args=[entry.pk])
    assert client.post(url, {"action": "x"}).status_code == 403
    assert (
        client.post(reverse("admin:accounts_auditentry_delete", args=[entry.pk])).status_code == 403
    )
    assert AuditEntry.objects.get(pk=entry.pk).action == "booking.approved"


def test_the_booking_and_machine_pages_show_their_history(
    client: Any, world: dict[str, Any], frozen_now: Any
) -> None:
    booking = _book(world)
    booking_approve(booking=booking, user=world["operator"])
    machine_update(machine=world["machine"], user=world["operator"], hourly_rate="75.00")
    client.force_login(world["member"])
    own = client.get(reverse("web:booking", args=[booking.pk])).content.decode()
    assert "Acceptée" in own or "Approuvée" in own or "Camille Opératrice" in own
    assert [
        line.what
        for line in client.get(reverse("web:booking", args=[booking.pk])).context["history"]
    ][:2] == [
        "Acceptée",
        "Réservée",
    ]
    # what a creation set, without an arrow from nothing; nothing said of empty fields
    created = client.get(reverse("web:booking", args=[booking.pk])).context["history"][1]
    changes = {name: (before, after) for name, before, after in created.changes}
    assert "Note" not in changes
    assert all(before is None for before, _after in changes.values())
    assert "Prix : 120,00 €" not in own and "— →" not in own
    client.force_login(world["operator"])
    page = client.get(reverse("web:operator-machine", args=[world["machine"].pk]))
    [line] = page.context["history"]
    assert line.changes == [("Tarif horaire (€ HT)", "60,00", "75,00")]
    assert "Tarif horaire (€ HT) : 60,00 → 75,00" in page.content.decode()
    # another company's booking, and its history, stay out of reach
    client.force_login(UserFactory())
    assert client.get(reverse("web:booking", args=[booking.pk])).status_code == 404
