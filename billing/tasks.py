"""Celery tasks of billing (registered in ``CELERY_BEAT_SCHEDULE``)."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .services.invoices import invoices_issue


@shared_task
def invoices_issue_due_task() -> int:
    """From ``INVOICES_ISSUE_DAY`` of a month on, issue the previous month's invoices (hourly;
    idempotent, so a late line or a failed run is caught up)."""
    today = timezone.localdate()
    if today.day < settings.INVOICES_ISSUE_DAY:
        return 0
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    issued, _incomplete = invoices_issue(month=last_month, today=today)
    return len(issued)
