"""Report subscriptions and their deliveries through the notifications' outbox, and reports
built in the background with their progress."""

import logging
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.exceptions import DomainError
from notifications.models import MessageKind
from notifications.services import Outgoing, messages_record

from .exceptions import ExportsBusy, ReportNotAllowed
from .exports import period_label, report_file, summary_rows
from .models import (
    ExportStatus,
    Frequency,
    ReportDelivery,
    ReportExport,
    ReportSubscription,
)
from .selectors import (
    Scope,
    report_scope,
    report_title,
    usage_report,
)

logger = logging.getLogger(__name__)


class SubscriptionNotAllowed(DomainError):
    code = "not_allowed"
    status = 403
    message = _("Only funders and platform operators subscribe to reports.")


def _scope_of(subscription: ReportSubscription) -> Scope:
    return report_scope(
        user=subscription.owner,
        programme_id=subscription.programme_id,
        platform_id=subscription.platform_id,
        region=subscription.region,
    )


@transaction.atomic
def subscription_create(
    *,
    user: Any,
    email: str,
    frequency: str,
    programme_id: int | None = None,
    platform_id: int | None = None,
    region: str = "",
) -> ReportSubscription:
    """A funder or an operator has the report of a scope they see sent to ``email``."""
    scope = report_scope(
        user=user, programme_id=programme_id, platform_id=platform_id, region=region
    )
    if scope.for_companies:
        raise SubscriptionNotAllowed()
    return ReportSubscription.objects.create(
        owner=user,
        email=email,
        frequency=frequency,
        programme_id=programme_id,
        platform_id=platform_id,
        region=region,
    )


def subscription_stop(*, subscription: ReportSubscription, user: Any) -> None:
    if subscription.owner_id != user.pk and not user.is_staff:
        raise ReportNotAllowed()
    subscription.active = False
    subscription.save(update_fields=["active"])


def last_period(frequency: str, today: date) -> tuple[date, date]:
    """The last whole month or quarter before ``today``: [start, end)."""
    this_month = today.replace(day=1)
    if frequency == Frequency.QUARTERLY:
        end = this_month.replace(month=(this_month.month - 1) // 3 * 3 + 1)
        start = (end - timedelta(days=80)).replace(day=1)
        start = start.replace(month=(start.month - 1) // 3 * 3 + 1)
        return start, end
    return (this_month - timedelta(days=1)).replace(day=1), this_month


def _lines(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (row.label, row.value(report["totals"]), row.value(report["previous"]))
        for row in summary_rows()[:8]
    ]


def _deliver(subscription: ReportSubscription, start: date, end: date) -> bool:
    """Build the subscription's report for [start, end) and record it in the outbox, with
    its delivery, in one transaction. False if this period was recorded already."""
    try:
        scope = _scope_of(subscription)
    except DomainError:
        # The owner no longer sees that scope (no longer an operator, no longer following).
        subscription.active = False
        subscription.save(update_fields=["active"])
        logger.info("Report subscription %s stopped: its scope is out of view", subscription.pk)
        return False
    with transaction.atomic():
        try:
            with transaction.atomic():
                ReportDelivery.objects.create(
                    subscription=subscription, period_start=start, period_end=end
                )
        except IntegrityError:
            return False
        owner = subscription.owner
        with translation.override(owner.preferred_language):
            report = usage_report(scope=scope, start=start, end=end, detail=True)
            title = report_title(scope)
            xlsx = report_file(report, "xlsx", title)
            pdf = report_file(report, "pdf", title)
            programme = report["programme"]
            context = {
                "title": title,
                "period_label": period_label(start, end),
                "figures": _lines(report),
                "programme_line": (
                    _("%(name)s: %(served)s SMEs served since it began, of a target of %(target)s.")
                    % {
                        "name": programme["name"],
                        "served": programme["smes_served_to_date"],
                        "target": programme["target"],
                    }
                    if programme
                    else ""
                ),
            }
        messages_record(
            [
                Outgoing(
                    kind=MessageKind.USAGE_REPORT,
                    recipient=owner,
                    platform=subscription.platform,
                    key=f"{MessageKind.USAGE_REPORT}:{subscription.pk}:{start.isoformat()}",
                    context=context,
                    to_email=subscription.email,
                    attachments=(
                        (xlsx[2], xlsx[1], xlsx[0]),
                        (pdf[2], pdf[1], pdf[0]),
                    ),
                )
            ]
        )
    return True


def reports_send_due(*, now: datetime | None = None) -> int:
    """Send each active subscription's report for its last whole period, once (periodic; a
    second run, or a concurrent one, finds the delivery recorded). Returns how many went."""
    today = timezone.localdate(now or timezone.now())
    sent = 0
    for subscription in ReportSubscription.objects.filter(active=True).select_related(
        "owner", "platform"
    ):
        start, end = last_period(subscription.frequency, today)
        if ReportDelivery.objects.filter(subscription=subscription, period_start=start).exists():
            continue
        sent += _deliver(subscription, start, end)
    return sent


# --- Reports built in the background ---------------------------------------------------------


def _scope_from(user: Any, parameters: dict[str, Any]) -> Scope:
    return report_scope(
        user=user,
        programme_id=parameters.get("programme"),
        platform_id=parameters.get("platform"),
        region=parameters.get("region", ""),
        machine_id=parameters.get("machine"),
    )


@transaction.atomic
def export_request(*, user: Any, parameters: dict[str, Any], kind: str) -> ReportExport:
    """Record a report to build in the background (its task is queued on commit); at most
    ``EXPORTS_AT_A_TIME`` waiting or being built per person (``exports_busy``)."""
    _scope_from(user, parameters)  # refused now, not later in the worker
    # One person's requests in turn: the count below cannot be raced past.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    busy = ReportExport.objects.filter(
        owner=user, status__in=[ExportStatus.PENDING, ExportStatus.RUNNING]
    ).count()
    if busy >= int(settings.EXPORTS_AT_A_TIME):
        raise ExportsBusy()
    export = ReportExport.objects.create(owner=user, parameters=parameters, format=kind)
    transaction.on_commit(lambda: _queue(export.pk))
    return export


def _queue(export_id: int) -> None:
    from .tasks import report_export_task

    try:
        report_export_task.delay(export_id)
    except Exception:
        logger.warning("Report %s not queued (broker unreachable?)", export_id, exc_info=True)


def _progress(export: ReportExport, percent: int, status: str = ExportStatus.RUNNING) -> None:
    export.progress, export.status = percent, status
    export.save(update_fields=["progress", "status"])


def export_build(*, export_id: int) -> str:
    """Build a background report, recording its progress as it goes."""
    export = ReportExport.objects.select_related("owner").filter(pk=export_id).first()
    if export is None or export.status in (ExportStatus.DONE, ExportStatus.FAILED):
        return "skipped"
    params = export.parameters
    _progress(export, 5)
    try:
        with translation.override(export.owner.preferred_language):
            scope = _scope_from(export.owner, params)
            _progress(export, 15)
            report = usage_report(
                scope=scope,
                start=date.fromisoformat(params["start"]),
                end=date.fromisoformat(params["end"]),
                detail=True,
            )
            _progress(export, 70)
            content, _type, filename = report_file(report, export.format, report_title(scope))
    except DomainError as error:
        export.status, export.error = ExportStatus.FAILED, str(error.detail)
        export.save(update_fields=["status", "error"])
        return "failed"
    except Exception:
        logger.exception("Report %s could not be built", export.pk)
        export.status, export.error = ExportStatus.FAILED, _("The report could not be built.")
        export.save(update_fields=["status", "error"])
        return "failed"
    export.content, export.filename = content, filename
    export.status, export.progress, export.finished_at = ExportStatus.DONE, 100, timezone.now()
    export.save(update_fields=["content", "filename", "status", "progress", "finished_at"])
    return "done"
