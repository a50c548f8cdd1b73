"""Celery tasks of the reports (registered in ``CELERY_BEAT_SCHEDULE`` for the periodic one)."""

from datetime import date
from typing import Any

from celery import shared_task

from .services import export_build, reports_send_due
from .snapshots import scope_of, snapshot_store, snapshots_refresh


@shared_task
def reports_send_due_task() -> int:
    return reports_send_due()


@shared_task(acks_late=True)
def report_export_task(export_id: int) -> str:
    return export_build(export_id=export_id)


@shared_task
def snapshots_refresh_task() -> int:
    return snapshots_refresh()


@shared_task(acks_late=True)
def report_snapshot_task(scope: dict[str, Any], start: str, end: str) -> str:
    """Compute one view of the dashboard and keep it (asked by a page that had none, or an
    old one)."""
    snapshot_store(
        scope=scope_of(scope), start=date.fromisoformat(start), end=date.fromisoformat(end)
    )
    return "stored"
