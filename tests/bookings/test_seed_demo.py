from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from billing.models import Programme
from bookings.models import (
    Booking,
    Company,
    Enrolment,
    Membership,
    MembershipRole,
    TrainingSession,
)
from notifications.models import Message
from platforms.models import Closure, ClosureInterval, Machine, Platform, Qualification

pytestmark = [pytest.mark.django_db]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot():
    return (
        Platform.objects.count(),
        Machine.objects.count(),
        Company.objects.count(),
        User.objects.count(),
        Booking.objects.count(),
        TrainingSession.objects.count(),
    )


def test_seed_demo_builds_a_network_and_is_idempotent_then_current_a_month_later(
    django_capture_on_commit_callbacks,
):
    # when
    with django_capture_on_commit_callbacks(execute=True) as sends:
        seed()
    first = snapshot()
    seed()

    # then: nothing doubled by a second run, and no one was told about demo data
    assert snapshot() == first
    assert Message.objects.count() == 0
    assert sends == []
    platforms = Platform.objects.annotate(n=Count("machines"))
    assert platforms.count() == 5
    assert len({platform.region for platform in platforms}) == 5
    assert all(4 <= platform.n <= 8 for platform in platforms)
    assert all(platform.calendar_id for platform in platforms)
    assert not Machine.objects.filter(calendar__isnull=True).exists()
    assert Machine.objects.filter(requires_approval=True).exists()
    assert Machine.objects.filter(requires_qualification=True).exists()
    now = timezone.now()
    assert Booking.objects.filter(start__lt=now - timezone.timedelta(days=60)).exists()
    assert Booking.objects.filter(start__gt=now).exists()
    assert Closure.objects.filter(event__rule__frequency="WEEKLY").exists()
    assert Closure.objects.filter(event__rule__params__contains="bysetpos:1").exists()
    assert ClosureInterval.objects.exists()
    assert Machine.objects.filter(weekly_quota_hours__isnull=False).exists()
    assert Qualification.objects.filter(status="granted", user__email="sme@demo.fr").exists()
    # A session ahead on each machine that needs a qualification, one with a seat taken.
    needing = Machine.objects.filter(requires_qualification=True)
    assert TrainingSession.objects.filter(start__gt=now).count() == needing.count()
    assert Enrolment.objects.filter(user__email="sme2@demo.fr", waiting=False).exists()
    # The demo's people sign in with the demo password (one seeding serves both checks).
    for email in (
        "admin@demo.fr",
        "operator@demo.fr",
        "sme@demo.fr",
        "sme2@demo.fr",
        "funder@demo.fr",
    ):
        assert User.objects.get(email=email).check_password("demo1234"), email
    assert User.objects.get(email="admin@demo.fr").is_superuser
    assert User.objects.get(email="operator@demo.fr").operated_platforms.count() == 2
    sme = Membership.objects.get(user__email="sme@demo.fr")
    assert sme.role == MembershipRole.ADMIN
    assert Membership.objects.get(user__email="sme2@demo.fr").company != sme.company
    # Its programme, followed by the demo funder.
    programme = Programme.objects.get()
    assert programme.target_smes == 2000
    assert programme.funders.get().email == "funder@demo.fr"
    assert programme.platforms.count() == 5

    # Started again a month later (one seeding serves this too): the two weeks ahead are
    # booked again, and the past month has its history.
    later = timezone.now() + timezone.timedelta(days=40)
    with time_machine.travel(later, tick=False):
        out = seed()
        now = timezone.now()
        assert "upcoming" in out
        assert Booking.objects.filter(start__gt=now, start__lt=now + timezone.timedelta(days=15))
        last_week = Booking.objects.filter(
            start__gt=now - timezone.timedelta(days=8), start__lt=now, status="completed"
        )
        assert last_week.count() > 10
        # and a third run adds nothing
        before = snapshot()
        seed()
        assert snapshot() == before
