from celery import shared_task

from .services import idempotency_keys_purge


@shared_task
def idempotency_keys_purge_task() -> int:
    """Periodic: forget the answers kept for retries once their 24 hours are over."""
    return idempotency_keys_purge()
