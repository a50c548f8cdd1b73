"""The load mix (issue 28), run by ``bench/load.py`` against the production shape: anonymous
visitors searching, SMEs opening machine weeks and booking by form and API, operators on their
week and day, a funder on ``/reports/`` — each thinking 1 to 5 s between clicks.

The people come from ``BENCH_LOAD_PEOPLE`` (a JSON file ``bench/load.py`` writes): machine ids,
members (e-mail, company, token), operators (e-mail, platform), the funder. A refusal the
product is meant to give (a slot taken meanwhile: 409, a rule: 400) is a success here; only
5xx, timeouts and unexpected answers count as failures.
"""

import json
import os
import random
import re
from datetime import date, timedelta
from typing import Any

from locust import HttpUser, between, constant_pacing, task

PEOPLE: dict[str, Any] = json.loads(
    open(os.environ.get("BENCH_LOAD_PEOPLE", "/dev/null")).read() or "{}"  # noqa: SIM115
)
PASSWORD = PEOPLE.get("password", "")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CATEGORIES = ["laser", "cnc", "printing_3d", "robotics", "metrology"]
REGIONS = ["84", "44", "11", "52", "75", "76"]


def _day(ahead: int) -> date:
    return date.today() + timedelta(days=ahead)


def _sign_in(user: HttpUser, email: str) -> None:
    page = user.client.get("/login/", name="/login/ (page)")
    token = TOKEN.search(page.text)
    user.client.post(
        "/login/",
        data={
            "csrfmiddlewaretoken": token.group(1) if token else "",
            "username": email,
            "password": PASSWORD,
        },
        headers={"Referer": f"{user.host}/login/"},
        name="/login/ (sign in)",
    )


def _expected(response: Any, allowed: tuple[int, ...]) -> None:
    if response.status_code in allowed:
        response.success()
    else:
        response.failure(f"{response.status_code}: {response.text[:200]}")


class Visitor(HttpUser):
    """Someone looking for a machine, signed out."""

    weight = 5
    wait_time = between(1, 5)

    @task(3)
    def catalogue(self) -> None:
        params = {"category": random.choice(CATEGORIES), "region": random.choice(REGIONS)}
        self.client.get("/machines/", params=params, name="/machines/ (filtered)")

    @task(2)
    def search_free_time(self) -> None:
        start = _day(random.randint(1, 20))
        params = {
            "category": random.choice(CATEGORIES),
            "available_from": start.isoformat(),
            "available_to": (start + timedelta(days=6)).isoformat(),
        }
        self.client.get("/machines/", params=params, name="/machines/ (free time)")

    @task(1)
    def whole_network_search(self) -> None:
        start = _day(random.randint(1, 20))
        self.client.get(
            "/api/v1/machines/",
            params={
                "available_from": f"{start.isoformat()}T00:00:00+01:00",
                "available_to": f"{(start + timedelta(days=7)).isoformat()}T00:00:00+01:00",
            },
            name="/api/v1/machines/ (whole network)",
        )

    @task(3)
    def machine_week(self) -> None:
        machine = random.choice(PEOPLE["machines"])
        self.client.get(f"/machines/{machine}/", name="/machines/<id>/")


class Member(HttpUser):
    """An SME member: signs in, opens machine weeks, books by the form or the API."""

    weight = 4
    wait_time = between(1, 5)

    def on_start(self) -> None:
        self.me = random.choice(PEOPLE["members"])
        _sign_in(self, self.me["email"])

    @task(3)
    def machine_week(self) -> None:
        machine = random.choice(PEOPLE["machines"])
        self.client.get(f"/machines/{machine}/", name="/machines/<id>/ (member)")

    @task(1)
    def my_bookings(self) -> None:
        self.client.get("/bookings/", name="/bookings/")

    @task(1)
    def book_by_form(self) -> None:
        machine = random.choice(PEOPLE["machines"])
        day, hour = _day(random.randint(3, 40)), random.randint(8, 16)
        page = self.client.get(f"/machines/{machine}/book/", name="/machines/<id>/book/ (form)")
        token = TOKEN.search(page.text)
        with self.client.post(
            f"/machines/{machine}/book/",
            data={
                "csrfmiddlewaretoken": token.group(1) if token else "",
                "company": self.me["company"],
                "start": f"{day.isoformat()}T{hour:02d}:00",
                "end": f"{day.isoformat()}T{hour + 1:02d}:00",
            },
            headers={"Referer": f"{self.host}/machines/{machine}/book/"},
            name="/machines/<id>/book/ (post)",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            _expected(response, (200, 302, 422))

    @task(1)
    def book_by_api(self) -> None:
        machine = random.choice(PEOPLE["machines"])
        day, hour = _day(random.randint(3, 40)), random.randint(8, 16)
        with self.client.post(
            "/api/v1/bookings/",
            json={
                "machine": machine,
                "company": self.me["company"],
                "start": f"{day.isoformat()}T{hour:02d}:00:00",
                "end": f"{day.isoformat()}T{hour + 1:02d}:00:00",
            },
            headers={"Authorization": f"Token {self.me['token']}"},
            name="/api/v1/bookings/ (post)",
            catch_response=True,
        ) as response:
            _expected(response, (201, 400, 403, 409))


class Operator(HttpUser):
    """A platform operator on their week and their day."""

    weight = 1
    wait_time = between(1, 5)

    def on_start(self) -> None:
        self.me = random.choice(PEOPLE["operators"])
        _sign_in(self, self.me["email"])

    @task(2)
    def week(self) -> None:
        self.client.get(
            f"/operator/platforms/{self.me['platform']}/", name="/operator/platforms/<id>/"
        )

    @task(1)
    def day(self) -> None:
        day = _day(random.randint(0, 6)).isoformat()
        self.client.get(
            f"/operator/platforms/{self.me['platform']}/?day={day}",
            name="/operator/platforms/<id>/?day",
        )

    @task(1)
    def home(self) -> None:
        self.client.get("/operator/", name="/operator/")


class Funder(HttpUser):
    """The funder's officer on the dashboard."""

    weight = 1
    wait_time = between(1, 5)

    def on_start(self) -> None:
        _sign_in(self, PEOPLE["funder"])

    @task
    def reports(self) -> None:
        self.client.get("/reports/", name="/reports/")


class Newcomer(HttpUser):
    """The sign-in wave (``--signin-wave N``: N of them, each signing in once a second), run
    only when named."""

    fixed_count = int(os.environ.get("BENCH_SIGNIN_WAVE", "0"))
    wait_time = constant_pacing(1)

    @task
    def sign_in(self) -> None:
        _sign_in(self, random.choice(PEOPLE["members"])["email"])
        self.client.cookies.clear()


class Floor(HttpUser):
    """The floor of the same sitting: ``/healthz`` only, run only when named."""

    wait_time = between(0.1, 0.3)

    @task
    def health(self) -> None:
        self.client.get("/healthz", name="/healthz")
