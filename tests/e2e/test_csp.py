"""The strict Content-Security-Policy holds on every kind of page: the pages, the admin and the
API documentation render and work with no violation reported in the console (the journeys
assert the same on theirs, in ``conftest.open_page``)."""

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.factories import MachineFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_admin_and_the_api_docs_work_under_the_policy(open_page: Any, live_server: Any) -> None:
    machine = MachineFactory(name="Laser Trotec")
    UserFactory(email="staff@fablab.fr", is_staff=True, is_superuser=True)
    page, shot = open_page(1280, "csp")
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.get_by_label("Adresse e-mail").fill("staff@fablab.fr")
    page.get_by_label("Mot de passe").fill("secret-pass-123")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("link", name="Administration de Django")).to_be_visible()
    for path in (
        "/admin/platforms/machine/",
        f"/admin/platforms/machine/{machine.pk}/change/",
        "/admin/platforms/closure/add/",
        "/admin/bookings/booking/",
    ):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("#content")).to_be_visible()
    shot("admin")
    # the admin's own scripts run: the changelist's "select all" ticks every row
    page.goto(f"{live_server.url}/admin/platforms/machine/")
    page.locator("#action-toggle").check()
    expect(page.locator("input.action-select").first).to_be_checked()
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.get_by_text("Fab-lab equipment booking API")).to_be_visible()
    expect(page.get_by_text("/api/v1/reports/usage/")).to_be_visible()
    shot("api-docs")
    page.goto(f"{live_server.url}/machines/{machine.pk}/")
    expect(page.get_by_role("heading", name="Laser Trotec")).to_be_visible()
    assert page.js_errors == []
