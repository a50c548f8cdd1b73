"""A real browser on the live server: Playwright for Python driving Debian's Chromium
(``/usr/bin/chromium``, installed by ``.ci/run``; never ``playwright install``).

Each step saves a screenshot under ``tests/e2e/screenshots/`` (git-ignored) to look at."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.plugin import require_services

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# The factories' password.
PASSWORD = "secret-pass-123"
SCREENSHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if require_services():
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread while the browser
    # lives; the tests' ORM calls (and the database flush between them) are still plain
    # synchronous code. Set for the browser's lifetime only.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


class Shots:
    """Numbered screenshots of one journey: ``shots("booked")`` → ``03-booked.png``."""

    def __init__(self, page: Any, folder: Path) -> None:
        self.page, self.folder, self.count = page, folder, 0
        folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, name: str) -> None:
        self.count += 1
        self.page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}.png"), full_page=True)


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    contexts = []

    def open_page(width: int, journey: str) -> tuple[Any, Shots]:
        context = browser.new_context(
            viewport={"width": width, "height": 900}, locale="fr-FR", timezone_id="Europe/Paris"
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "console",
            lambda message: (
                violations.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        page.js_errors = errors  # type: ignore[attr-defined]
        return page, Shots(page, SCREENSHOTS / f"{journey}-{width}")

    violations: list[str] = []
    yield open_page
    for context in contexts:
        context.close()
    # Every journey runs under the strict Content-Security-Policy: anything it blocked fails.
    assert violations == [], violations


def sign_in(page: Any, live_server: Any, email: str, password: str = PASSWORD) -> None:
    """Sign in through the French sign-in page and wait for the page it leads to."""
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.locator("main").get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
