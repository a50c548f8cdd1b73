"""The catalogue and the bookings list read a fixed number of queries, however many rows they
show."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.services import booking_create
from tests.conftest import paris
from tests.factories import MachineFactory, PlatformFactory

pytestmark = pytest.mark.django_db


def _queries(client: Any, path: str, data: dict[str, str] | None = None) -> int:
    client.get(path, data)  # warm the session and the caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, data).status_code == 200
    return len(queries)


@pytest.fixture(autouse=True)
def _unshared(settings: Any) -> None:
    # What a page computes is counted, not an answer visitors share from the cache.
    settings.SEARCH_SHARED_SECONDS = 0


@pytest.mark.parametrize("query", [{}, {"available_from": "2027-01-06", "min_free": "60"}])
def test_catalogue_queries_do_not_grow_with_machines(
    client: Any, frozen_now: Any, query: dict[str, str]
) -> None:
    counts = []
    platforms = [PlatformFactory() for _ in range(3)]
    for total in (5, 30):
        while _machine_count() < total:
            MachineFactory(platform=platforms[_machine_count() % 3])
        counts.append(_queries(client, "/machines/", query))
    assert counts[0] == counts[1], counts


def test_the_whole_network_search_api_queries_do_not_grow_with_machines(
    client: Any, frozen_now: Any
) -> None:
    # The machines it shows carry their description and specifications: read with them, not
    # one query each.
    window = {
        "available_from": "2027-01-06T00:00:00+01:00",
        "available_to": "2027-01-08T00:00:00+01:00",
    }
    counts = []
    platforms = [PlatformFactory() for _ in range(3)]
    for total in (3, 25):
        while _machine_count() < total:
            MachineFactory(platform=platforms[_machine_count() % 3], description="Découpe 1 m²")
        counts.append(_queries(client, "/api/v1/machines/", window))
    assert counts[0] == counts[1], counts


def _machine_count() -> int:
    from platforms.models import Machine

    return Machine.objects.count()


def test_bookings_list_queries_do_not_grow_with_bookings(
    client: Any, member: Any, frozen_now: Any
) -> None:
    client.force_login(member)
    counts = []
    made = 0
    for total in (2, 20):
        while made < total:
            booking_create(
                machine=MachineFactory(min_notice_hours=0),
                company=member.company,
                user=member,
                start=paris(2027, 1, 6 + made // 8, 8 + made % 8),
                end=paris(2027, 1, 6 + made // 8, 9 + made % 8),
            )
            made += 1
        counts.append(_queries(client, "/bookings/"))
    assert counts[0] == counts[1], counts


def test_dashboard_queries_do_not_grow_with_bookings(
    client: Any, member: Any, frozen_now: Any
) -> None:
    client.force_login(member)
    counts = []
    made = 0
    for total in (1, 8):
        while made < total:
            booking_create(
                machine=MachineFactory(min_notice_hours=0, weekly_quota_hours=10),
                company=member.company,
                user=member,
                start=paris(2027, 1, 6, 8 + made),
                end=paris(2027, 1, 6, 9 + made),
            )
            made += 1
        counts.append(_queries(client, "/"))
    assert counts[0] == counts[1], counts
