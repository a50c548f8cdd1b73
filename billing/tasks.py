"""Celery tasks of billing (registered in ``CELERY_BEAT_SCHEDULE``)."""

from datetime import date, timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from platforms.models import Platform

from .services.invoices import invoices_issue


@shared_task
def invoices_issue_due_task() -> int:
    """From ``INVOICES_ISSUE_DAY`` of a month on, issue the previous month's invoices (hourly;
    idempotent, so a late line or a failed run is caught up): one task per platform, so that
    several workers share a national month (each platform numbers its own invoices)."""
    today = timezone.localdate()
    if today.day < settings.INVOICES_ISSUE_DAY:
        return 0
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    platforms = list(Platform.objects.values_list("pk", flat=True).order_by("pk"))
    for platform_id in platforms:
        invoices_issue_platform_task.delay(platform_id, last_month.isoformat())
    return len(platforms)


@shared_task(acks_late=True)
def invoices_issue_platform_task(platform_id: int, month: str) -> int:
    platform = Platform.objects.filter(pk=platform_id).first()
    if platform is None:
        return 0
    issued, _incomplete = invoices_issue(month=date.fromisoformat(month), platform=platform)
    return issued.count()
