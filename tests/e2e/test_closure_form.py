"""The closure form in a browser (issue 25, 8): the repeat fields of the repeat chosen only;
a weekly maintenance placed reads as its rule."""

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.factories import MachineFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_repeat_fields_follow_the_repeat_chosen(
    open_page: Any, live_server: Any, width: int
) -> None:
    laser = MachineFactory(name="Découpe laser")
    operator = UserFactory(email="camille@fablab-lyon.fr")
    laser.platform.operators.add(operator)
    page, shot = open_page(width, "closure-form")
    sign_in(page, live_server, operator.email)
    page.goto(f"{live_server.url}/operator/platforms/{laser.platform.pk}/closures/")
    weekly, monthly, until = (
        page.locator(".repeat-weekly"),
        page.locator(".repeat-monthly"),
        page.locator(".repeat-until"),
    )
    # once: no repeat field
    expect(weekly).to_be_hidden()
    expect(monthly).to_be_hidden()
    expect(until).to_be_hidden()
    shot("once")
    page.get_by_label("Répéter").select_option("weekly")
    expect(weekly).to_be_visible()
    expect(until).to_be_visible()
    expect(monthly).to_be_hidden()
    # a weekly Tuesday maintenance, placed
    page.get_by_label("Type").select_option("maintenance")
    page.get_by_label("Intitulé").fill("Entretien hebdomadaire")
    page.get_by_label("Premier jour").fill("2027-01-04")
    page.locator("#id_opens").fill("08:00")
    page.locator("#id_closes").fill("10:00")
    weekly.get_by_label("Mardi").check()
    page.locator("#id_until").fill("2027-03-31")
    page.get_by_role("button", name="Voir les réservations couvertes").click()
    page.get_by_role("button", name="La placer").click()
    expect(page.locator("main")).to_contain_text(
        "chaque mardi de 8 h à 10 h, à partir du 4 janvier 2027 jusqu'au 31 mars 2027"
    )
    expect(page.locator("main")).to_contain_text("Maintenance")
    shot("placed")
    assert page.js_errors == []
