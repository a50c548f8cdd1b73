"""Every page of every role, on the demo's data, checked by axe-core 4 (the npm package in
``tests/e2e/axe``, installed by ``make test`` and ``.ci/run`` with ``npm ci``) against WCAG 2.1
AA: no violation of impact serious or critical, at 1,280 and 390 px."""

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from bookings.models import Booking, BookingStatus, Enrolment, TrainingSession
from platforms.models import Platform
from tests.plugin import require_services

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
DEMO_PASSWORD = "demo1234"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SERIOUS = {"serious", "critical"}

PAGES = {
    "": [
        "/",
        "/machines/",
        "/machines/?category=laser&min_free=120",
        "/machines/{machine}/",
        "/login/",
        "/signup/",
        "/password-reset/",
    ],
    "sme@demo.fr": [
        "/",
        "/machines/{machine}/",
        "/machines/{machine}/book/",
        "/machines/{training_machine}/",
        "/bookings/",
        "/bookings/{booking}/",
        "/bookings/{booking}/move/",
        "/bookings/{booking}/cancel/",
        "/profile/",
        "/profile/two-factor/",
        "/webhooks/",
        "/companies/{company}/members/",
        "/invoices/",
        "/invoices/companies/{company}/",
    ],
    "operator@demo.fr": [
        "/operator/",
        "/operator/platforms/{platform}/",
        "/operator/platforms/{platform}/?day={day}",
        "/operator/bookings/{operated_booking}/",
        "/operator/bookings/{operated_booking}/move/",
        "/operator/machines/{operated_machine}/",
        "/operator/machines/{operated_machine}/book/",
        "/operator/platforms/{platform}/closures/",
        "/operator/platforms/{platform}/hours/",
        "/operator/qualifications/",
        "/operator/training/",
        "/operator/training/{session}/",
        "/operator/companies/",
        "/operator/billing/",
        "/operator/platforms/{platform}/invoicing/",
        "/operator/platforms/{platform}/settings/",
        "/operator/platforms/{platform}/machines/new/",
        "/webhooks/",
    ],
    "funder@demo.fr": ["/", "/reports/", "/reports/subscriptions/"],
}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        reason = f"axe-core is not installed ({AXE}; npm ci --prefix tests/e2e/axe)"
        if require_services():
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def demo(db: Any) -> dict[str, Any]:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    booking = (
        Booking.objects.filter(
            booked_by__email="sme@demo.fr",
            start__gt=timezone.now(),
            status=BookingStatus.CONFIRMED,
        )
        .order_by("start")
        .first()
    )
    operated = (
        Booking.objects.filter(
            machine__platform__operators__email="operator@demo.fr", start__gt=timezone.now()
        )
        .order_by("start")
        .first()
    )
    assert booking is not None and operated is not None
    platform = Platform.objects.get(pk=operated.machine.platform_id)
    session = TrainingSession.objects.filter(machine__platform=platform).first()
    seat = Enrolment.objects.get(user__email="sme2@demo.fr")
    assert session is not None
    return {
        "session": session.pk,
        "training_machine": seat.session.machine_id,
        "booking": booking.pk,
        "machine": booking.machine_id,
        "company": booking.company_id,
        "operated_booking": operated.pk,
        "operated_machine": operated.machine_id,
        "platform": platform.pk,
        "day": operated.start.astimezone(platform.tz).date().isoformat(),
    }


def _violations(page: Any, source: str) -> list[str]:
    # Through the DevTools protocol: the page's Content-Security-Policy does not apply.
    page.evaluate(source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        TAGS,
    )
    found = []
    for violation in result["violations"]:
        if violation["impact"] in SERIOUS:
            targets = [" ".join(node["target"]) for node in violation["nodes"][:3]]
            found.append(
                f"{page.url}: {violation['id']} ({violation['impact']}, "
                f"{len(violation['nodes'])} nodes) {targets}"
            )
    return found


def test_no_serious_accessibility_violation_on_any_page(
    open_page: Any,
    live_server: Any,
    demo: dict[str, Any],
    axe_source: str,
) -> None:
    # Every role and both widths in one test: the demo is seeded once (about 20 s).
    found: list[str] = []
    for email, paths in PAGES.items():
        for width in (1280, 390):
            page, shot = open_page(width, f"axe-{email.split('@')[0] or 'visitor'}")
            if email:
                page.goto(f"{live_server.url}/login/")
                page.locator("input[name=username]").fill(email)
                page.locator("input[name=password]").fill(DEMO_PASSWORD)
                page.locator("form:has(input[name=password]) button[type=submit]").click()
                page.wait_for_load_state()
            for path in paths:
                answer = page.goto(live_server.url + path.format(**demo))
                assert answer is not None and answer.status == 200, (email, width, path)
                found += [
                    f"{email or 'visitor'}, {width} px: {violation}"
                    for violation in _violations(page, axe_source)
                ]
                shot(path.strip("/").replace("/", "-").replace("?", "-") or "home")
            assert page.js_errors == [], (email, width)
    assert found == [], "\n".join(found)
