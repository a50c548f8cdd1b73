"""The catalogue as a visitor meets it: the platform typed rather than picked from a list of
hundreds, its suggestions, and the answers visitors share for a few seconds — search results
and machine weeks (issue 28)."""

import re
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings.models import Booking
from tests.conftest import NOW, paris
from tests.factories import CompanyFactory, MachineFactory, PlatformFactory, UserFactory

pytestmark = pytest.mark.django_db

WEEK = {"available_from": "2027-01-06", "available_to": "2027-01-08"}
# Wednesday 08:00 and 10:00 in Paris, as the booking links carry them
EIGHT, TEN = "2027-01-06T07:00+00:00", "2027-01-06T09:00+00:00"


@pytest.fixture
def two_cities(db: Any) -> dict[str, Any]:
    return {
        "etienne": MachineFactory(
            name="Fraiseuse Haas",
            platform=PlatformFactory(name="Manufacture Nord", city="Saint-Étienne"),
        ),
        "nantes": MachineFactory(
            name="Robot UR10e", platform=PlatformFactory(name="Atelier Océan", city="Nantes")
        ),
    }


def _book(machine: Any) -> None:
    """Wednesday 08:00–10:00 taken by some company."""
    Booking.objects.create(
        machine=machine,
        company=CompanyFactory(),
        start=paris(2027, 1, 6, 8),
        end=paris(2027, 1, 6, 10),
    )


def _names(page: Any) -> list[str]:
    return sorted(machine.name for machine, _slots in page.context["results"])


def test_the_platform_is_found_by_its_name_or_its_city_whatever_the_accents(
    client: Any, two_cities: Any
) -> None:
    assert _names(client.get("/machines/", {"platform": "saint-etienne"})) == ["Fraiseuse Haas"]
    assert _names(client.get("/machines/", {"platform": "  NANTES "})) == ["Robot UR10e"]
    assert _names(client.get("/machines/", {"platform": "ocean"})) == ["Robot UR10e"]
    assert _names(client.get("/machines/", {"platform": ""})) == [
        "Fraiseuse Haas",
        "Robot UR10e",
    ]


def test_a_search_for_free_time_keeps_to_the_platform_typed(
    client: Any, frozen_now: Any, two_cities: Any
) -> None:
    page = client.get("/machines/", {**WEEK, "platform": "Nantes"})
    assert _names(page) == ["Robot UR10e"]


def test_a_platform_nobody_has_is_said_in_the_form(client: Any, two_cities: Any) -> None:
    page = client.get("/machines/", {"platform": "Tombouctou"})
    assert page.status_code == 200
    assert page.context["results"] == []
    assert "Aucune plateforme du réseau ne s’appelle ou n’est à « Tombouctou »." in (
        page.content.decode()
    )


def test_the_filter_lists_no_platform_however_many_there_are(client: Any, laser: Any) -> None:
    # given: forty platforms without machines — a select would have listed every one
    PlatformFactory.create_batch(40, name="Plateforme sans machine")
    # when
    page = client.get("/machines/").content.decode()
    # then
    assert "Plateforme sans machine" not in page
    assert 'list="platform-suggestions"' in page


def test_suggestions_offer_the_active_platforms_that_match(client: Any, two_cities: Any) -> None:
    # given
    PlatformFactory(name="Océan fermé", city="Nantes", active=False)
    PlatformFactory(name="<script>alert(1)</script> Océan", city="Brest")
    # when
    text = client.get("/machines/platforms/", {"platform": "oce"}).content.decode()
    # then
    assert '<option value="Atelier Océan">Nantes</option>' in text
    assert "Océan fermé" not in text
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert client.get("/machines/platforms/", {"platform": "o"}).content.strip() == b""


def _first_slot(page: Any) -> str:
    """The start of the first free slot the results offer (its booking link's)."""
    found = re.search(r"/book/\?start=([0-9T%A-F:-]+)", page.content.decode())
    assert found, page.content.decode()
    return unquote(found.group(1))


def test_visitors_share_an_answer_for_a_few_seconds_and_members_never(
    client: Any, signed_in: Any, frozen_now: Any, laser: Any, settings: Any
) -> None:
    # given: a visitor saw Wednesday's 08:00 free
    settings.SEARCH_SHARED_SECONDS = 30
    assert _first_slot(client.get("/machines/", WEEK)) == EIGHT
    # when: a company books it
    _book(laser)
    # then: visitors in the same 30 s see the answer they shared (the page and its htmx
    # fragment); a signed-in person, and visitors once the period is over, see the booking
    assert _first_slot(client.get("/machines/", WEEK)) == EIGHT
    member = signed_in(UserFactory())
    assert _first_slot(member.get("/machines/", WEEK)) == TEN
    member.logout()
    with time_machine.travel(NOW + timedelta(seconds=31), tick=False):
        assert _first_slot(client.get("/machines/", WEEK)) == TEN


def test_visitors_never_share_an_answer_when_it_is_turned_off(
    client: Any, frozen_now: Any, laser: Any, settings: Any
) -> None:
    settings.SEARCH_SHARED_SECONDS = 0
    client.get("/machines/", WEEK)
    _book(laser)
    assert _first_slot(client.get("/machines/", WEEK)) == TEN


def test_the_api_shares_visitors_answers_too(client: Any, frozen_now: Any, laser: Any) -> None:
    window = {
        "available_from": "2027-01-06T00:00:00+01:00",
        "available_to": "2027-01-08T00:00:00+01:00",
    }
    before = client.get("/api/v1/machines/", window).json()
    _book(laser)
    assert client.get("/api/v1/machines/", window).json() == before
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        after = client.get("/api/v1/machines/", window).json()
    assert after["results"][0]["first_free"][0]["start"].startswith("2027-01-06T10:00")


def test_visitors_still_search_with_the_cache_down(
    client: Any, frozen_now: Any, laser: Any, settings: Any
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    page = client.get("/machines/", WEEK)
    assert page.status_code == 200
    assert _names(page) == ["Découpe laser Trotec"]


typed = st.one_of(
    st.text(max_size=120),
    st.sampled_from(["<script>alert(1)</script>", "%", "_", "\\", "' OR 1=1 --", "x" * 5000]),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=typed)
def test_whatever_is_typed_as_a_platform_answers_a_page(
    client: Any, two_cities: Any, text: str
) -> None:
    for path in ("/machines/", "/machines/platforms/"):
        answer = client.get(path, {"platform": text, "available_from": "2027-01-06"})
        assert answer.status_code == 200
        assert b"<script>alert(1)</script>" not in answer.content


CELL = re.compile(r'<button[^>]*data-start="([^"]+)"')


def _free_starts(page: Any) -> set[str]:
    return set(CELL.findall(page.content.decode()))


def test_visitors_share_a_machines_week_for_a_few_seconds_and_members_never(
    client: Any, signed_in: Any, frozen_now: Any, laser: Any, settings: Any
) -> None:
    settings.SEARCH_SHARED_SECONDS = 30
    week = {"week": "2027-W01"}
    url = f"/machines/{laser.pk}/"
    assert "2027-01-06T08:00+01:00" in _free_starts(client.get(url, week))
    _book(laser)
    assert "2027-01-06T08:00+01:00" in _free_starts(client.get(url, week))
    member = signed_in(UserFactory())
    assert "2027-01-06T08:00+01:00" not in _free_starts(member.get(url, week))
    member.logout()
    with time_machine.travel(NOW + timedelta(seconds=31), tick=False):
        assert "2027-01-06T08:00+01:00" not in _free_starts(client.get(url, week))


def test_a_week_that_cannot_be_read_is_said_to_every_visitor(
    client: Any, frozen_now: Any, laser: Any
) -> None:
    for _ in range(2):
        page = client.get(f"/machines/{laser.pk}/", {"week": "2027-W99"})
        assert "Cette semaine est illisible" in page.content.decode()
