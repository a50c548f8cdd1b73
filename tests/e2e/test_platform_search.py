"""A visitor looks for a platform by typing part of its city: the field suggests the
platforms that match, and the results keep to the one chosen — at 1,280 and 390 px (issue 28:
a national network has hundreds of platforms, which no list shows usefully)."""

from typing import Any

import pytest
from playwright.sync_api import expect

from platforms.models import MachineCategory
from tests.factories import MachineFactory, PlatformFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def network(db: Any) -> None:
    for index in range(12):
        MachineFactory(
            platform=PlatformFactory(name=f"Atelier numérique {index:02d}", city="Lyon"),
            name=f"Fraiseuse {index:02d}",
            category=MachineCategory.CNC_MACHINING,
        )
    MachineFactory(
        platform=PlatformFactory(name="Manufacture Nord", city="Saint-Étienne"),
        name="Découpe laser Trotec",
        category=MachineCategory.LASER_CUTTING,
    )


@pytest.mark.parametrize("width", [1280, 390])
def test_a_visitor_types_a_city_picks_a_suggestion_and_sees_its_machines(
    open_page: Any, live_server: Any, network: None, width: int
) -> None:
    page, shot = open_page(width, "platform-search")
    page.goto(f"{live_server.url}/machines/")
    field = page.get_by_label("Plateforme ou ville")
    # typed without its accent: the suggestion comes all the same
    field.fill("saint-etienne")
    expect(page.locator("#platform-suggestions option")).to_have_count(1)
    expect(page.locator("#platform-suggestions option")).to_have_attribute(
        "value", "Manufacture Nord"
    )
    shot("suggested")
    field.fill("Manufacture Nord")
    field.press("Enter")
    page.wait_for_url("**/machines/?*platform=Manufacture%20Nord*")
    results = page.locator("#results .card")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Découpe laser Trotec")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot("filtered")
    # a name nobody has is said next to the field
    field.fill("Tombouctou")
    field.press("Enter")
    expect(page.get_by_text("Aucune plateforme du réseau ne s’appelle ou n’est à")).to_be_visible()
    shot("unknown")
