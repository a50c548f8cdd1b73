"""The operator's page of qualifications recognised from other platforms: typed, added, removed;
the machine page says when one's qualification ended and asks for it again."""

from datetime import date
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import AuditEntry
from platforms.models import MachineCategory, Qualification, QualificationRecognition
from platforms.services import qualification_grant
from tests.factories import MachineFactory, PlatformFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_page(machine: Any, operator: Any) -> Client:
    operator.preferred_language = "en"
    operator.save(update_fields=["preferred_language"])
    client = Client()
    client.force_login(operator)
    return client


def test_an_operator_accepts_another_platforms_qualifications_by_typing_its_name(
    machine, operator_page
):
    PlatformFactory(name="Fab'Atelier Nantes", city="Nantes")
    PlatformFactory(name="Usine Saint-Étienne", city="Saint-Étienne")

    added = operator_page.post(
        "/operator/qualifications/",
        {"accepts": "fab'atelier nantes", "category": "cnc", "platform": machine.platform_id},
        follow=True,
    )

    (recognition,) = QualificationRecognition.objects.all()
    assert (recognition.platform, recognition.accepts.name) == (
        machine.platform,
        "Fab'Atelier Nantes",
    )
    page = added.content.decode()
    assert "now count on your machines" in page
    assert "Fab&#x27;Atelier Nantes: CNC machining" in page
    assert AuditEntry.objects.filter(action="recognition.added").exists()

    removed = operator_page.post(
        f"/operator/qualifications/recognitions/{recognition.pk}/remove/", follow=True
    )
    assert "no longer count" in removed.content.decode()
    assert not QualificationRecognition.objects.exists()


def test_an_unknown_or_vague_or_own_platform_is_said_in_the_form(machine, operator_page):
    PlatformFactory(name="Usine A", city="Lyon")
    PlatformFactory(name="Usine B", city="Lyon")

    unknown = operator_page.post(
        "/operator/qualifications/",
        {"accepts": "Atlantide", "category": "cnc", "platform": machine.platform_id},
    )
    vague = operator_page.post(
        "/operator/qualifications/",
        {"accepts": "lyon", "category": "cnc", "platform": machine.platform_id},
    )
    own = operator_page.post(
        "/operator/qualifications/",
        {"accepts": machine.platform.name, "category": "cnc", "platform": machine.platform_id},
    )

    assert unknown.status_code == vague.status_code == own.status_code == 422
    assert "No platform is called “Atlantide”." in unknown.content.decode()
    assert "2 platforms match “lyon”" in vague.content.decode()
    assert "recognises its own qualifications already" in own.content.decode()
    assert not QualificationRecognition.objects.exists()


def test_another_platforms_operator_cannot_remove_a_recognition(machine, operator_page):
    operator_page.post(
        "/operator/qualifications/",
        {
            "accepts": PlatformFactory(name="Ailleurs").name,
            "category": "laser",
            "platform": machine.platform_id,
        },
    )
    recognition = QualificationRecognition.objects.get()
    stranger = UserFactory()
    PlatformFactory().operators.add(stranger)
    client = Client()
    client.force_login(stranger)

    answer = client.post(f"/operator/qualifications/recognitions/{recognition.pk}/remove/")

    assert answer.status_code == 404
    assert QualificationRecognition.objects.exists()


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.fixed_dictionaries(
        {},
        optional={
            "accepts": st.one_of(
                st.text(max_size=40), st.sampled_from(["<script>", "%", "\x00", "x" * 500])
            ),
            "category": st.one_of(st.text(max_size=10), st.sampled_from(MachineCategory.values)),
            "platform": st.one_of(st.text(max_size=8), st.integers().map(str)),
        },
    )
)
def test_hostile_recognition_posts_answer_a_form(machine, operator_page, data):
    answer = operator_page.post("/operator/qualifications/", data)

    assert answer.status_code in (302, 422)
    assert b"<script>" not in answer.content.replace(b"<script src", b"")


def test_the_machine_page_says_when_a_qualification_ended_and_asks_again(
    machine, member, operator, frozen_now
):
    machine.requires_qualification = True
    machine.qualification_months = 6
    machine.qualification_lapse_months = 3
    machine.save()
    qualification_grant(
        operator=operator, user=member, machine=machine, valid_until=date(2027, 1, 3)
    )
    member.preferred_language = "en"
    member.save(update_fields=["preferred_language"])
    client = Client()
    client.force_login(member)

    page = client.get(f"/machines/{machine.pk}/").content.decode()

    assert "counted until Sunday 3 January 2027" in page
    assert "A qualification is valid 6 months." in page
    assert "It lapses after 3 months without a booking of the machine." in page
    client.post(f"/machines/{machine.pk}/qualification/", {"note": "Formé à nouveau"})
    assert Qualification.objects.get().status == "requested"


def test_the_machine_page_names_the_platforms_whose_qualifications_count(machine, operator):
    machine.requires_qualification = True
    machine.save()
    nantes = PlatformFactory(name="Fab'Atelier Nantes")
    QualificationRecognition.objects.create(
        platform=machine.platform, accepts=nantes, category=machine.category
    )
    MachineFactory(platform=nantes, category=machine.category)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    page = client.get(f"/machines/{machine.pk}/").content.decode()

    assert (
        "Qualifications from Fab&#x27;Atelier Nantes on machines of this kind count here too."
        in page
    )
