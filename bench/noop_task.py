"""A Celery task that does nothing but note when it ran: the baseline of bench/notifications.py.
Loaded only by that benchmark's worker (``celery worker -I bench.noop_task``)."""

import time

import redis
from celery import current_app, shared_task


@shared_task(name="bench.noop")
def noop(published_at: float) -> None:
    client = redis.Redis.from_url(current_app.conf.broker_url)
    client.rpush("bench:noop", f"{published_at} {time.time()}")
