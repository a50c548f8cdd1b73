"""A machine page worth choosing from (issue 29): an operator adds a photo and a safety sheet
from the machine's rules page; a visitor sees the photo, the specifications, the document and
how to get there; at 1,280 and 390 px."""

from typing import Any

import pytest
from playwright.sync_api import expect

from platforms.models import MachineDocument, MachinePhoto
from tests.e2e.conftest import sign_in
from tests.factories import MachineFactory, PlatformFactory, UserFactory
from tests.platforms.test_machine_media import jpeg_with_gps, pdf

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_an_operator_illustrates_a_machine_and_a_visitor_sees_it(
    open_page: Any, live_server: Any, settings: Any, tmp_path: Any, width: int
) -> None:
    settings.MEDIA_ROOT = tmp_path
    platform = PlatformFactory(
        name="Usine du Futur Lyon",
        city="Lyon",
        address="12 rue de l'Industrie\n69007 Lyon",
        access="Bâtiment B, badge à l'accueil.",
        contact_phone="04 72 00 00 00",
    )
    machine = MachineFactory(
        platform=platform,
        name="Fraiseuse 5 axes DMG",
        working_area="650 × 520 × 475 mm",
        materials="aluminium, acier, POM",
        tolerance="± 0,01 mm",
    )
    operator = UserFactory(email="camille@usine-lyon.fr")
    platform.operators.add(operator)
    photo_file, pdf_file = tmp_path / "face.jpg", tmp_path / "fds.pdf"
    photo_file.write_bytes(jpeg_with_gps((1200, 900)))
    pdf_file.write_bytes(pdf())

    page, shot = open_page(width, "machine-page")
    sign_in(page, live_server, "camille@usine-lyon.fr")
    page.goto(f"{live_server.url}/operator/machines/{machine.pk}/")
    page.locator("#id_image").set_input_files(str(photo_file))
    page.locator("#id_caption").fill("Vue de face")
    page.get_by_role("button", name="Ajouter la photo").click()
    expect(page.get_by_role("status").filter(has_text="Photo ajoutée")).to_be_visible()
    page.locator("#id_file").set_input_files(str(pdf_file))
    page.locator("#id_kind").select_option("safety")
    page.locator("#id_title").fill("Fiche de sécurité")
    page.get_by_role("button", name="Ajouter le document").click()
    expect(page.get_by_role("status").filter(has_text="Document ajouté")).to_be_visible()
    shot("operator-files")
    assert MachinePhoto.objects.count() == MachineDocument.objects.count() == 1

    visitor, visitor_shot = open_page(width, "machine-page-visitor")
    visitor.goto(f"{live_server.url}/machines/{machine.pk}/")
    gallery = visitor.locator(".gallery img")
    expect(gallery).to_have_count(1)
    gallery.first.scroll_into_view_if_needed()
    visitor.wait_for_function(
        "() => { const img = document.querySelector('.gallery img'); "
        "return img.complete && img.naturalWidth > 0; }"
    )
    assert gallery.first.evaluate("img => img.naturalWidth") == 400
    expect(visitor.locator(".specs")).to_contain_text("650 × 520 × 475 mm")
    expect(visitor.get_by_role("link", name="Fiche de sécurité")).to_have_attribute("download", "")
    expect(visitor.get_by_role("link", name="Voir sur une carte (OpenStreetMap)")).to_be_visible()
    assert visitor.evaluate("document.documentElement.scrollWidth") <= width
    visitor_shot("machine")
    assert page.js_errors == [] and visitor.js_errors == []
