"""Operators set their platform up without the staff admin (issue 30, 1): a new machine, the
platform's details and price groups, co-operators invited (they join by accepting) and
removed, the last one kept; hostile forms answer a page, never a 500 nor half a machine."""

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from accounts.models import AuditEntry
from bookings.models import Invitation
from bookings.services import invitation_token
from notifications.models import Message, MessageKind
from platforms.models import Machine
from tests.factories import MachineFactory, UserFactory

pytestmark = [pytest.mark.django_db]


def browser(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(user)
    return client


def machine_form(**values: str) -> dict[str, str]:
    data = {
        "name": "Imprimante 3D Ultimaker S5",
        "category": "additive",
        "description": "Impression FDM double extrusion.",
        "manufacturer": "Ultimaker",
        "model_name": "S5",
        "specs_text": "Volume: 330 × 240 × 300 mm",
        "hourly_rate": "18",
        "setup_fee": "0",
        "minimum_charge": "0",
        "assisted_hourly_rate": "",
        "vat_rate": "20",
        "slot_minutes": "60",
        "min_minutes": "60",
        "max_minutes": "600",
        "min_notice_hours": "2",
        "max_advance_days": "60",
        "weekly_quota_hours": "",
        "daily_quota_hours": "",
        "buffer_minutes": "0",
        "active": "on",
    }
    return data | values


def test_an_operator_adds_a_machine(operator: Any, machine: Any) -> None:
    client = browser(operator)
    platform = machine.platform
    assert client.get(f"/operator/platforms/{platform.pk}/machines/new/").status_code == 200

    answer = client.post(f"/operator/platforms/{platform.pk}/machines/new/", machine_form())

    added = Machine.objects.get(name="Imprimante 3D Ultimaker S5")
    assert answer.status_code == 302
    assert answer["Location"] == f"/operator/machines/{added.pk}/"
    assert (added.platform, added.category, added.hourly_rate) == (platform, "additive", 18)
    assert added.specs == {"Volume": "330 × 240 × 300 mm"}
    assert added.calendar_id and added.active and added.slug == "imprimante-3d-ultimaker-s5"
    assert AuditEntry.objects.filter(action="machine.created", object_id=str(added.pk)).exists()
    assert client.get(f"/machines/{added.pk}/").status_code == 200
    # the same name again gets its own address
    client.post(f"/operator/platforms/{platform.pk}/machines/new/", machine_form())
    assert Machine.objects.filter(slug="imprimante-3d-ultimaker-s5-2").exists()


def test_a_machine_form_with_errors_adds_nothing(operator: Any, machine: Any) -> None:
    client = browser(operator)
    before = Machine.objects.count()

    answer = client.post(
        f"/operator/platforms/{machine.platform_id}/machines/new/",
        machine_form(name="", hourly_rate="-5", slot_minutes="7"),
    )

    assert answer.status_code == 422
    assert Machine.objects.count() == before


def test_another_platforms_operator_gets_404(operator: Any, machine: Any) -> None:
    stranger = UserFactory()
    MachineFactory().platform.operators.add(stranger)
    client = browser(stranger)

    assert client.get(f"/operator/platforms/{machine.platform_id}/settings/").status_code == 404
    assert (
        client.post(
            f"/operator/platforms/{machine.platform_id}/machines/new/", machine_form()
        ).status_code
        == 404
    )
    assert not Machine.objects.filter(name="Imprimante 3D Ultimaker S5").exists()


def test_the_platforms_details_and_price_groups(operator: Any, machine: Any) -> None:
    client = browser(operator)
    platform = machine.platform
    url = f"/operator/platforms/{platform.pk}/settings/"
    page = client.get(url).content.decode()
    assert "Plate-forme et équipe" in page and machine.name in page

    saved = client.post(
        url,
        {
            "action": "save",
            "city": "Lyon",
            "contact_email": "contact@usine-lyon.fr",
            "contact_phone": "04 72 00 00 00",
            "address": "12 rue de l'Industrie\n69007 Lyon",
            "access": "Bâtiment B",
            "sme_percent": "80",
            "other_percent": "120",
            "reminder_hours": "24",
        },
    )
    refused = client.post(url, {"action": "save", "city": "Lyon", "sme_percent": "5000"})

    platform.refresh_from_db()
    assert saved.status_code == 302
    assert (platform.sme_percent, platform.other_percent) == (Decimal(80), Decimal(120))
    assert platform.contact_email == "contact@usine-lyon.fr"
    assert refused.status_code == 422
    assert AuditEntry.objects.filter(action="platform.updated").count() == 1
    assert "Informations modifiées" in client.get(url).content.decode()


def test_a_co_operator_is_invited_joins_by_accepting_and_is_removed(
    operator: Any, machine: Any, django_capture_on_commit_callbacks: Any
) -> None:
    platform = machine.platform
    colleague = UserFactory(email="camille@usine-lyon.fr")
    client = browser(operator)
    url = f"/operator/platforms/{platform.pk}/settings/"

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(url, {"action": "invite", "email": "Camille@usine-lyon.fr"})
    again = client.post(url, {"action": "invite", "email": "camille@usine-lyon.fr"})

    assert sent.status_code == 302 and again.status_code == 422
    invitation = Invitation.objects.get(platform=platform)
    message = Message.objects.get(kind=MessageKind.INVITATION)
    assert message.subject.startswith("Invitation à animer")
    assert not platform.operators.filter(pk=colleague.pk).exists()  # not before accepting
    theirs = browser(colleague)
    assert "comme l’un de ses opérateurs" in theirs.get("/").content.decode()
    link = f"/invitations/{invitation_token(invitation)}/"
    assert "animer une plate-forme" in theirs.get(link).content.decode()
    accepted = theirs.post(link, {"action": "accept"})
    assert accepted["Location"] == "/operator/"
    assert platform.operators.filter(pk=colleague.pk).exists()
    assert theirs.get(url).status_code == 200

    removed = client.post(url, {"action": "remove", "person": colleague.pk})
    assert removed.status_code == 302
    assert theirs.get(url).status_code == 404
    # the last operator stays
    client.post(url, {"action": "remove", "person": operator.pk})
    assert platform.operators.filter(pk=operator.pk).exists()
    assert "au moins un opérateur" in client.get(url).content.decode()


@hsettings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    values=st.fixed_dictionaries(
        {},
        optional={
            name: st.one_of(st.text(max_size=30), st.sampled_from(["-1", "1e9", "9" * 30, "0"]))
            for name in (
                "name",
                "category",
                "hourly_rate",
                "slot_minutes",
                "max_minutes",
                "min_notice_hours",
                "max_advance_days",
                "vat_rate",
            )
        },
    )
)
def test_hostile_machine_forms_answer_a_page_and_add_nothing_half(
    operator: Any, machine: Any, values: dict[str, str]
) -> None:
    client = browser(operator)
    clean = {k: v.replace("\x00", "") for k, v in values.items()}
    before = Machine.objects.count()

    answer = client.post(
        f"/operator/platforms/{machine.platform_id}/machines/new/", machine_form(**clean)
    )

    assert answer.status_code in (302, 422)
    if answer.status_code == 422:
        assert Machine.objects.count() == before
    else:
        assert Machine.objects.filter(platform=machine.platform).latest("pk").calendar_id
