"""The statement every booking starts with: the machine locked, its platform, the company and
the membership, read in one round trip and loaded exactly as the ORM loads them."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings.exceptions import UnknownCompany, UnknownMachine
from bookings.models import Company
from bookings.services.rules import lock_for_booking
from platforms.models import Machine, Platform
from tests.factories import MachineFactory, MembershipFactory, UserFactory


def _values(obj):
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


@pytest.mark.django_db(transaction=True)
def test_one_statement_loads_what_the_orm_would_load():
    machine = MachineFactory(hourly_rate=Decimal("42.50"), weekly_quota_hours=Decimal("7.5"))
    membership = MembershipFactory()
    Company.objects.filter(pk=membership.company_id).update(validated_at=timezone.now())

    with CaptureQueriesContext(connection) as queries:
        lock = lock_for_booking(
            machine=machine.pk, company=membership.company_id, user=membership.user
        )

    assert len(queries) == 1
    assert _values(lock.machine) == _values(Machine.objects.get(pk=machine.pk))
    assert _values(lock.machine.platform) == _values(Platform.objects.get(pk=machine.platform_id))
    assert _values(lock.company) == _values(Company.objects.get(pk=membership.company_id))
    # Types too: money stays Decimal, instants stay aware, the zone is a zone.
    assert isinstance(lock.machine.hourly_rate, Decimal)
    assert timezone.is_aware(lock.company.validated_at)
    assert lock.machine.platform.tz.key == Platform.objects.get(pk=machine.platform_id).tz.key
    assert lock.member is True
    assert lock.machine._state.adding is False


@pytest.mark.django_db
def test_someone_else_is_not_a_member_and_instances_are_accepted():
    machine = MachineFactory()
    membership = MembershipFactory()

    lock = lock_for_booking(machine=machine, company=membership.company, user=UserFactory())

    assert lock.member is False
    assert (lock.machine.pk, lock.company.pk) == (machine.pk, membership.company_id)


@pytest.mark.django_db
def test_unknown_ids_are_named():
    machine = MachineFactory()
    membership = MembershipFactory()

    with pytest.raises(UnknownCompany):
        lock_for_booking(machine=machine.pk, company=999999, user=membership.user)
    with pytest.raises(UnknownMachine):
        lock_for_booking(machine=999999, company=membership.company_id, user=membership.user)


@pytest.mark.django_db
def test_with_members_the_same_statement_reads_the_companys_active_members_in_joining_order():
    from bookings.models import MembershipRole

    machine = MachineFactory()
    admin = MembershipFactory(role=MembershipRole.ADMIN)
    company = admin.company
    left = MembershipFactory(company=company, user=UserFactory(is_active=False))
    member = MembershipFactory(company=company)
    MembershipFactory()  # another company's

    with CaptureQueriesContext(connection) as queries:
        lock = lock_for_booking(machine=machine, company=company, user=member.user, members=True)

    assert len(queries) == 1
    assert [(user.pk, role) for user, role in lock.members] == [
        (admin.user_id, MembershipRole.ADMIN),
        (member.user_id, MembershipRole.MEMBER),
    ]
    assert left.user_id not in [user.pk for user, _role in lock.members]
    assert _values(lock.members[0][0]) == _values(type(admin.user).objects.get(pk=admin.user_id))
    assert lock.member is True
    # Without a company, or without asking: no members.
    assert lock_for_booking(machine=machine, company=None, user=None, members=True).members == []
    assert lock_for_booking(machine=machine, company=company, user=member.user).members is None
