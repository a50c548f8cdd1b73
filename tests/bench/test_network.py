"""The benchmark network generator: realistic, valid, reproducible."""

import itertools
from contextlib import redirect_stderr, redirect_stdout
from io import StringIO

import pytest
from django.db import transaction

from bench.network import seed_network
from bookings.models import Booking, BookingStatus, Company
from bookings.siret import validate_siret
from notifications.models import Message
from platforms.models import Machine, Platform

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

ARGS = {"platforms": 3, "machines_per_platform": 4, "bookings": 600, "companies": 20, "seed": 7}


def seed(**overrides):
    out, err = StringIO(), StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        seed_network(**{**ARGS, **overrides})
    return out.getvalue(), err.getvalue()


def fingerprint():
    return list(
        Booking.objects.order_by("machine__slug", "machine__platform__slug", "start").values_list(
            "machine__platform__slug", "machine__slug", "start", "end", "status", "company__siret"
        )
    )


def test_the_network_has_the_requested_size_and_shows_progress():
    out, err = seed()

    assert Platform.objects.filter(slug__startswith="net7-").count() == 3
    assert Machine.objects.count() == 12
    assert Company.objects.count() == 20
    assert Booking.objects.count() == 600
    assert "600/600 (100 %)" in err
    assert "600 bookings" in out
    assert "closures" in out
    assert Message.objects.count() == 0, "benchmark data tells no one"


def test_the_network_is_valid_data():
    seed()

    for siret in Company.objects.values_list("siret", flat=True):
        validate_siret(siret)
    statuses = set(Booking.objects.values_list("status", flat=True))
    assert {BookingStatus.COMPLETED, BookingStatus.CONFIRMED, BookingStatus.CANCELLED} <= statuses
    active = list(
        Booking.objects.filter(status__in=Booking.ACTIVE_STATUSES).order_by("machine", "start")
    )
    for before, after in itertools.pairwise(active):
        if before.machine_id == after.machine_id:
            assert before.end <= after.start, "active bookings overlap"


def test_the_same_seed_gives_the_same_network_and_is_not_added_twice():
    with transaction.atomic():
        seed()
        first = fingerprint()
        transaction.set_rollback(True)

    seed()
    assert fingerprint() == first
    out, _ = seed()
    assert "already there" in out
    assert Booking.objects.count() == 600
    seed(seed=8)
    assert Booking.objects.count() == 1200  # another seed is another network
