"""Asking for a qualification through the API: one that expired or lapsed is asked again."""

from datetime import date

import pytest

from platforms.models import Machine, Qualification
from platforms.services import qualification_grant

pytestmark = [pytest.mark.django_db]


def test_a_qualification_that_ended_is_asked_for_again(world, api_as):
    Machine.objects.filter(pk=world.machine.pk).update(requires_qualification=True)
    world.machine.refresh_from_db()
    member = world.users["member_b"]
    qualification_grant(
        operator=world.users["operator"],
        user=member,
        machine=world.machine,
        valid_until=date(2027, 1, 1),
    )

    asked = api_as("member_b").post(
        f"/api/v1/machines/{world.machine.pk}/qualification/",
        {"note": "Formé à nouveau"},
        format="json",
    )

    assert asked.status_code == 201
    assert asked.json()["status"] == "requested"
    assert Qualification.objects.get(user=member).status == "requested"


def test_a_qualification_still_valid_stays_granted(world, api_as):
    Machine.objects.filter(pk=world.machine.pk).update(requires_qualification=True)
    world.machine.refresh_from_db()
    member = world.users["member_b"]
    qualification_grant(operator=world.users["operator"], user=member, machine=world.machine)

    api_as("member_b").post(
        f"/api/v1/machines/{world.machine.pk}/qualification/", {}, format="json"
    )

    assert Qualification.objects.get(user=member).status == "granted"
