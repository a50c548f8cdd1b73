"""Qualifications that end: a validity in months from the grant, a lapse after months without
a booking, and recognition of another platform's qualifications by category."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import translation

from bookings import exceptions as exc
from bookings.services import booking_cancel, booking_create
from platforms.models import MachineCategory
from platforms.services import qualification_grant, recognition_add, recognition_remove
from tests.conftest import paris
from tests.factories import MachineFactory, PlatformFactory, UserFactory

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def cnc(frozen_now):
    return MachineFactory(
        name="Fraiseuse CNC",
        category=MachineCategory.CNC_MACHINING,
        requires_qualification=True,
        min_notice_hours=0,
    )


def qualify(machine, person, **kwargs):
    operator = UserFactory()
    machine.platform.operators.add(operator)
    return qualification_grant(operator=operator, user=person, machine=machine, **kwargs)


def book(machine, member, day, hour=10):
    start = paris(day.year, day.month, day.day, hour)
    return booking_create(
        machine=machine,
        company=member.company,
        user=member,
        start=start,
        end=start + timedelta(hours=1),
    )


def test_a_qualification_lasts_the_machines_months_from_its_grant(cnc, member):
    cnc.qualification_months = 12
    cnc.save()

    qualification = qualify(cnc, member)

    assert qualification.valid_until == date(2028, 1, 4)
    # An operator may still set another end.
    assert qualify(cnc, member, valid_until=date(2027, 6, 30)).valid_until == date(2027, 6, 30)


def test_an_expired_qualification_is_refused_with_its_end(cnc, member):
    qualify(cnc, member, valid_until=date(2027, 1, 20))
    book(cnc, member, date(2027, 1, 20))

    with pytest.raises(exc.QualificationExpired) as refused, translation.override("fr"):
        book(cnc, member, date(2027, 1, 21))

    with translation.override("fr"):
        assert "mercredi 20 janvier 2027" in refused.value.detail
    assert refused.value.code == "qualification_expired"


def test_a_qualification_lapses_after_months_without_a_booking(cnc, member):
    cnc.qualification_lapse_months = 3
    cnc.save()
    qualify(cnc, member)  # 4 January 2027: lapses on 4 April without a booking

    first = book(cnc, member, date(2027, 4, 2))
    with time_machine.travel(paris(2027, 3, 20, 9), tick=False):
        # Counted from the 2 April booking, planned: it keeps the qualification alive.
        second = book(cnc, member, date(2027, 6, 15))
    assert (first.machine, second.machine) == (cnc, cnc)


def test_a_lapsed_qualification_is_refused_and_a_cancelled_booking_is_no_use(cnc, member):
    cnc.qualification_lapse_months = 3
    cnc.save()
    qualify(cnc, member)
    kept_alive = book(cnc, member, date(2027, 3, 1))
    booking_cancel(booking=kept_alive, user=member)

    with (
        time_machine.travel(paris(2027, 3, 20, 9), tick=False),
        pytest.raises(exc.QualificationExpired) as refused,
    ):
        book(cnc, member, date(2027, 4, 6))

    assert refused.value.params["date"] is not None
    with translation.override("en"):
        assert "Sunday 4 April 2027" in refused.value.detail


def test_a_person_never_qualified_is_told_so(cnc, member):
    with pytest.raises(exc.NotQualified) as refused:
        book(cnc, member, date(2027, 1, 6))

    assert refused.value.code == "not_qualified"


def test_another_platforms_qualification_counts_once_recognised_for_its_category(cnc, member):
    nantes = PlatformFactory(name="Fab'Atelier Nantes")
    their_cnc = MachineFactory(
        platform=nantes,
        category=MachineCategory.CNC_MACHINING,
        requires_qualification=True,
        min_notice_hours=0,
    )
    their_laser = MachineFactory(
        platform=nantes,
        category=MachineCategory.LASER_CUTTING,
        requires_qualification=True,
        min_notice_hours=0,
    )
    elsewhere = MachineFactory(
        category=MachineCategory.CNC_MACHINING, requires_qualification=True, min_notice_hours=0
    )
    qualify(cnc, member)
    operator = UserFactory()
    nantes.operators.add(operator)
    with pytest.raises(exc.NotQualified):
        book(their_cnc, member, date(2027, 1, 6))

    recognition = recognition_add(
        operator=operator, platform=nantes, accepts=cnc.platform, category="cnc"
    )

    assert book(their_cnc, member, date(2027, 1, 6)).machine == their_cnc
    with pytest.raises(exc.NotQualified):
        book(their_laser, member, date(2027, 1, 6))
    with pytest.raises(exc.NotQualified):
        book(elsewhere, member, date(2027, 1, 6))
    recognition_remove(operator=operator, recognition=recognition)
    with pytest.raises(exc.NotQualified):
        book(their_cnc, member, date(2027, 1, 7))


def test_only_the_platforms_operators_declare_what_it_recognises(cnc):
    other = PlatformFactory()
    stranger = UserFactory()

    with pytest.raises(Exception) as refused:
        recognition_add(operator=stranger, platform=other, accepts=cnc.platform, category="cnc")
    assert refused.value.code == "not_allowed"
    operator = UserFactory()
    other.operators.add(operator)
    with pytest.raises(Exception) as itself:
        recognition_add(operator=operator, platform=other, accepts=other, category="cnc")
    assert itself.value.code == "recognition_of_itself"
