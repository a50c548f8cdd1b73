"""A machine's photos and documents on the pages: an operator uploads them from the machine's
rules page, refusals are said there; everyone sees the photos, documents come as downloads."""

from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from platforms.models import Machine, MachineDocument, MachinePhoto
from tests.factories import UserFactory
from tests.platforms.test_machine_media import jpeg_with_gps, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def desk(operator: Any) -> Client:
    operator.preferred_language = "en"
    operator.save(update_fields=["preferred_language"])
    client = Client()
    client.force_login(operator)
    return client


def test_an_operator_adds_a_photo_and_a_safety_sheet_that_visitors_see(machine, desk):
    desk.post(
        f"/operator/machines/{machine.pk}/photos/",
        {
            "image": SimpleUploadedFile("vue.jpg", jpeg_with_gps((800, 600))),
            "caption": "Vue de face",
        },
    )
    desk.post(
        f"/operator/machines/{machine.pk}/documents/",
        {
            "file": SimpleUploadedFile("fds.pdf", pdf()),
            "kind": "safety",
            "title": "Fiche de sécurité",
        },
    )
    photo, document = MachinePhoto.objects.get(), MachineDocument.objects.get()
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")

    page = visitor.get(f"/machines/{machine.pk}/").content.decode()
    thumbnail = visitor.get(f"/machines/{machine.pk}/photos/{photo.pk}/thumbnail.jpg")
    download = visitor.get(f"/machines/{machine.pk}/documents/{document.pk}.pdf")

    assert 'alt="Vue de face"' in page and "Fiche de sécurité" in page and "Safety sheet" in page
    assert thumbnail["Content-Type"] == "image/jpeg"
    with Image.open(BytesIO(b"".join(thumbnail.streaming_content))) as image:
        assert image.size == (400, 300)
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="fiche-de-securite.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_refused_file_is_said_on_the_page_and_nothing_is_kept(machine, desk):
    answer = desk.post(
        f"/operator/machines/{machine.pk}/photos/",
        {"image": SimpleUploadedFile("shell.jpg", b"<?php echo 1; ?>")},
        follow=True,
    )

    assert "This file is not a photo we can read" in answer.content.decode()
    assert not MachinePhoto.objects.exists()
    answer = desk.post(
        f"/operator/machines/{machine.pk}/documents/",
        {
            "file": SimpleUploadedFile("fds.pdf", pdf("app.alert(1)")),
            "kind": "safety",
            "title": "FDS",
        },
        follow=True,
    )
    assert "holds a script or an action" in answer.content.decode()
    assert not MachineDocument.objects.exists()


def test_another_platforms_operator_cannot_touch_the_machines_files(
    machine, desk, make_machine, operator
):
    desk.post(
        f"/operator/machines/{machine.pk}/photos/",
        {"image": SimpleUploadedFile("vue.jpg", jpeg_with_gps((80, 60)))},
    )
    photo = MachinePhoto.objects.get()
    elsewhere = make_machine()
    stranger_desk = Client()
    stranger = UserFactory()
    elsewhere.platform.operators.add(stranger)
    stranger_desk.force_login(stranger)

    assert (
        stranger_desk.post(f"/operator/machines/{machine.pk}/photos/{photo.pk}/remove/").status_code
        == 404
    )
    assert (
        stranger_desk.post(
            f"/operator/machines/{machine.pk}/photos/",
            {"image": SimpleUploadedFile("x.jpg", jpeg_with_gps((80, 60)))},
        ).status_code
        == 404
    )
    assert MachinePhoto.objects.count() == 1
    desk.post(f"/operator/machines/{machine.pk}/photos/{photo.pk}/remove/")
    assert not MachinePhoto.objects.exists()


def test_an_inactive_machines_files_are_not_served(machine, desk):
    desk.post(
        f"/operator/machines/{machine.pk}/photos/",
        {"image": SimpleUploadedFile("vue.jpg", jpeg_with_gps((80, 60)))},
    )
    photo = MachinePhoto.objects.get()
    Machine.objects.filter(pk=machine.pk).update(active=False)

    assert Client().get(f"/machines/{machine.pk}/photos/{photo.pk}/photo.jpg").status_code == 404
    assert Client().get(f"/machines/{machine.pk}/photos/{photo.pk}/other.jpg").status_code == 404


def test_the_machine_page_links_the_platform_on_a_map_and_its_telephone(machine):
    machine.platform.address = "12 rue de l'Industrie\n69007 Lyon"
    machine.platform.contact_phone = "04 72 00 00 00"
    machine.platform.save()

    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/machines/{machine.pk}/").content.decode()

    assert (
        'href="https://www.openstreetmap.org/search?query=12%20rue%20de%20l%27Industrie%0A69007%20Lyon"'
        in page
    )
    assert 'href="tel:0472000000"' in page
