"""Network-wide search against a hand-built network of platforms."""

from datetime import time

import pytest

from bookings.models import Booking, BookingStatus
from bookings.selectors import machines_search, with_machines
from platforms.models import MachineCategory, Region
from platforms.services import closure_create, closure_occurrence_cancel
from tests.conftest import paris
from tests.factories import CompanyFactory, MachineFactory, PlatformFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

WEEK = {"start": paris(2027, 1, 5), "end": paris(2027, 1, 12)}
WEEKDAYS = [(day, time(8), time(18)) for day in range(5)]


@pytest.fixture
def network():
    """Lyon (two laser cutters, one busy all Tuesday), Nantes (a laser cutter closed Tuesday
    and Wednesday, a robot), Lille (an inactive laser cutter), an inactive platform."""
    staff = UserFactory(is_staff=True)
    company = CompanyFactory()
    lyon = PlatformFactory(name="Lyon", region=Region.AUVERGNE_RHONE_ALPES, hours=WEEKDAYS)
    nantes = PlatformFactory(name="Nantes", region=Region.PAYS_DE_LA_LOIRE, hours=WEEKDAYS)
    lille = PlatformFactory(name="Lille", region=Region.HAUTS_DE_FRANCE, hours=WEEKDAYS)
    closed = PlatformFactory(name="Fermée", active=False, hours=WEEKDAYS)
    machines = {
        "lyon-busy": MachineFactory(platform=lyon, name="Trotec A"),
        "lyon-free": MachineFactory(platform=lyon, name="Trotec B", min_notice_hours=48),
        "nantes-laser": MachineFactory(platform=nantes, name="Trumpf"),
        "nantes-robot": MachineFactory(
            platform=nantes, name="UR10e", category=MachineCategory.ROBOTICS
        ),
        "lille-off": MachineFactory(platform=lille, name="Epilog", active=False),
        "inactive-platform": MachineFactory(platform=closed, name="Bodor"),
    }
    Booking.objects.create(
        machine=machines["lyon-busy"],
        company=company,
        start=paris(2027, 1, 5, 8),
        end=paris(2027, 1, 5, 18),
    )
    Booking.objects.create(  # a cancelled booking frees its time
        machine=machines["lyon-free"],
        company=company,
        start=paris(2027, 1, 6, 8),
        end=paris(2027, 1, 6, 18),
        status=BookingStatus.CANCELLED,
    )
    closure_create(
        platform=nantes,
        machine=machines["nantes-laser"],
        user=staff,
        title="Maintenance",
        start=paris(2027, 1, 5, 0),
        end=paris(2027, 1, 7, 0),
    )
    return machines


def names(results):
    return [result.machine_name for result in results]


def test_search_ranks_laser_cutters_of_every_platform_by_soonest_free_slot(network):
    results = machines_search(category=MachineCategory.LASER_CUTTING, **WEEK)

    # Notice of 24 h from Monday 09:00: Tuesday 09:00 is the earliest anyone can book.
    assert names(results) == ["Trotec A", "Trotec B", "Trumpf"]
    soonest = {result.machine_name: result.soonest for result in results}
    assert soonest == {
        "Trotec A": paris(2027, 1, 6, 8),  # busy all Tuesday
        "Trotec B": paris(2027, 1, 6, 9),  # 48 h notice
        "Trumpf": paris(2027, 1, 7, 8),  # closed Tuesday and Wednesday
    }


def test_search_filters_by_region_and_platform(network):
    nantes = network["nantes-robot"].platform

    assert names(machines_search(region=Region.PAYS_DE_LA_LOIRE, **WEEK)) == ["UR10e", "Trumpf"]
    assert names(
        machines_search(platforms=[nantes.pk], category=MachineCategory.ROBOTICS, **WEEK)
    ) == ["UR10e"]
    assert machines_search(region=Region.HAUTS_DE_FRANCE, **WEEK) == []


def test_min_free_minutes_skips_slots_too_short(network):
    # Tuesday 08:00-18:00 with a booking 10:00-17:30 leaves 09:00-10:00 and 17:30-18:00.
    machine = network["nantes-robot"]
    Booking.objects.create(
        machine=machine,
        company=CompanyFactory(),
        start=paris(2027, 1, 5, 10),
        end=paris(2027, 1, 5, 17, 30),
    )

    [result] = machines_search(
        platforms=[machine.platform_id], category="robotics", min_free_minutes=90, **WEEK
    )

    assert result.first_free[0] == (paris(2027, 1, 6, 8), paris(2027, 1, 6, 18))


def test_first_free_slots_are_aligned_to_the_slot_grid(network):
    machine = network["nantes-robot"]
    machine.slot_minutes = 60
    machine.save()
    Booking.objects.create(
        machine=machine,
        company=CompanyFactory(),
        start=paris(2027, 1, 5, 8),
        end=paris(2027, 1, 5, 10, 30),
    )

    [result] = machines_search(platforms=[machine.platform_id], category="robotics", **WEEK)

    assert result.first_free[0] == (paris(2027, 1, 5, 11), paris(2027, 1, 5, 18))


@pytest.mark.parametrize("machines_count", [5, 500])
def test_search_runs_a_fixed_number_of_queries_whatever_the_size_of_the_network(
    machines_count, django_assert_num_queries
):
    # given: platforms of 5 machines, each with bookings (one cancelled), a recurring weekly
    # maintenance with one cancelled occurrence and a platform-wide closure
    staff = UserFactory(is_staff=True)
    company = CompanyFactory()
    for _platform in range(machines_count // 5):
        platform = PlatformFactory(hours=WEEKDAYS)
        for _ in range(5):
            machine = MachineFactory(platform=platform)
            Booking.objects.bulk_create(
                [
                    Booking(
                        machine=machine,
                        company=company,
                        start=paris(2027, 1, 5, 8),
                        end=paris(2027, 1, 5, 9),
                    ),
                    Booking(
                        machine=machine,
                        company=company,
                        start=paris(2027, 1, 6, 8),
                        end=paris(2027, 1, 6, 9),
                        status=BookingStatus.CANCELLED,
                    ),
                ]
            )
        weekly = closure_create(
            platform=platform,
            machine=machine,
            user=staff,
            title="Maintenance",
            start=paris(2027, 1, 5, 12),
            end=paris(2027, 1, 5, 13),
            frequency="WEEKLY",
        )
        closure_occurrence_cancel(closure=weekly, user=staff, original_start=paris(2027, 1, 12, 12))
        closure_create(
            platform=platform,
            user=staff,
            title="Pont",
            start=paris(2027, 1, 8, 0),
            end=paris(2027, 1, 9, 0),
        )
    machines_search(**WEEK)  # warm every cache (ContentTypes, zoneinfo…)

    # when / then: one statement
    with django_assert_num_queries(1):
        results = machines_search(**WEEK)
    assert len(results) == machines_count
    # and a page of them shows its machines for one query more
    with django_assert_num_queries(1):
        page = with_machines(results[:20])
    assert [result.machine.pk for result in page] == [result.machine_id for result in page]
