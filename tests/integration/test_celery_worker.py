"""Periodic tasks run by a real Celery worker over the real Redis broker."""

from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.utils import timezone
from kombu import pools

from bookings.models import Booking, BookingStatus
from bookings.tasks import no_shows_mark_task
from config.celery import app
from tests.factories import MachineFactory, MembershipFactory
from tests.plugin import services


def test_every_periodic_task_is_registered():
    app.loader.import_default_modules()

    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]


@pytest.fixture
def redis_worker(settings):
    """A worker thread consuming from Redis, with eager mode off for the test."""
    previous = {
        "broker_url": app.conf.broker_url,
        "result_backend": app.conf.result_backend,
        "task_always_eager": app.conf.task_always_eager,
    }
    app.conf.update(
        broker_url=services["redis_url"],
        result_backend=services["redis_url"],
        task_always_eager=False,
    )
    _forget_backend()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield app
    finally:
        app.conf.update(**previous)
        _forget_backend()


def _forget_backend() -> None:
    # Celery caches the result backend and the broker connections it first built (an eager
    # send earlier in the run built them for no broker): drop them so the configured ones
    # are used.
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_marks_no_shows_through_redis(redis_worker):
    # given: a confirmed booking that ended three hours ago with no usage recorded
    membership = MembershipFactory()
    now = timezone.now()
    booking = Booking.objects.create(
        machine=MachineFactory(),
        company=membership.company,
        start=now - timedelta(hours=5),
        end=now - timedelta(hours=3),
    )

    # when
    marked = no_shows_mark_task.delay().get(timeout=30)

    # then
    booking.refresh_from_db()
    assert marked == 1
    assert booking.status == BookingStatus.NO_SHOW
    assert booking.version == 2
