"""The dashboard's snapshots: each view of a report as last computed by a worker, served
stale-while-revalidate (a national report takes seconds to aggregate; no request computes
one), refreshed by the beat for the default views."""

import hashlib
import logging
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F, Func, IntegerField, JSONField, QuerySet, Value
from django.db.models.fields.json import KeyTransform
from django.utils import timezone

from billing.models import Programme
from core.limits import allow
from platforms.models import Platform

from .models import ReportExport, ReportSnapshot
from .selectors import Scope, usage_report

logger = logging.getLogger(__name__)


def snapshot_key(scope: Scope, start: date, end: date) -> str:
    """The name of a view's snapshot: its scope and period."""
    parts = (
        scope.platform_ids,
        scope.company_ids,
        scope.programme.pk if scope.programme else None,
        scope.region,
        scope.machine_id,
        start.isoformat(),
        end.isoformat(),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()


# A view being computed is not asked again for this long (the worker is on it).
REFRESH_SECONDS = 120


def _max_age() -> timedelta:
    return timedelta(minutes=settings.REPORTS_SNAPSHOT_MINUTES)


def snapshot_store(
    *, scope: Scope, start: date, end: date, now: datetime | None = None
) -> tuple[dict[str, Any], datetime]:
    """Compute the report now and keep it for the dashboard."""
    now = now or timezone.now()
    report = usage_report(scope=scope, start=start, end=end)
    # As the dashboard lists them, so that it reads one page of them (``report_recent``).
    report["machines"].sort(key=lambda row: (-(row["utilisation"] or 0), -row["hours_used"]))
    ReportSnapshot.objects.update_or_create(
        key=snapshot_key(scope, start, end), defaults={"report": report, "computed_at": now}
    )
    return report, now


def report_recent(
    *,
    scope: Scope,
    start: date,
    end: date,
    now: datetime | None = None,
    machines: slice | None = None,
) -> tuple[dict[str, Any] | None, datetime | None]:
    """The report of ``scope`` over [start, end) as last computed, and when — never computed
    in the request (a national report takes seconds): a snapshot older than
    ``REPORTS_SNAPSHOT_MINUTES`` is served while a worker computes the next one; with none yet,
    (None, None) while a worker computes the first (the page says so and fills in). Tasks run
    in-process without a broker (``make run``, tests): there the new snapshot is read at once.

    ``machines``: only that slice of its machines, busiest first, and ``machine_count`` — the
    dashboard shows a page of them; at 5,000 machines they are 1.9 MB of the report's 2.1,
    which each view read and parsed (45 ms of the page's 90)."""
    now = now or timezone.now()
    key = snapshot_key(scope, start, end)
    found = ReportSnapshot.objects.filter(key=key)
    if machines is None:
        found = found.only("report", "computed_at")
    else:
        found = _with_machines(found, machines)
    snapshot = found.first()
    stale = snapshot is None or snapshot.computed_at < now - _max_age()
    # One computation at a time per view, whoever asks meanwhile.
    if stale and allow("report-snapshot", key, limit=1, window=REFRESH_SECONDS):
        _compute_soon(scope, start, end)
        snapshot = found.first()
    if snapshot is None:
        return None, None
    if machines is None:
        return snapshot.report, snapshot.computed_at
    report = {
        **snapshot.summary,  # type: ignore[attr-defined]
        "machines": snapshot.machine_page,  # type: ignore[attr-defined]
        "machine_count": snapshot.machine_count,  # type: ignore[attr-defined]
    }
    return report, snapshot.computed_at


def _with_machines(snapshots: QuerySet[ReportSnapshot], machines: slice) -> Any:
    """``snapshots`` read without their machines but the ``machines`` slice of them (the
    snapshot keeps them ranked) and their number."""
    first, stop = machines.start or 0, machines.stop
    return snapshots.only("computed_at").annotate(
        summary=Func(
            F("report"),
            Value("machines"),
            template="%(expressions)s",
            arg_joiner=" - ",
            output_field=JSONField(),
        ),
        machine_page=Func(
            F("report"),
            Value(f"$.machines[{int(first)} to {int(stop) - 1}]"),
            function="jsonb_path_query_array",
            output_field=JSONField(),
        ),
        machine_count=Func(
            KeyTransform("machines", "report"),
            function="jsonb_array_length",
            output_field=IntegerField(),
        ),
    )


def _compute_soon(scope: Scope, start: date, end: date) -> None:
    from .tasks import report_snapshot_task

    try:
        report_snapshot_task.delay(scope_data(scope), start.isoformat(), end.isoformat())
    except Exception:
        logger.warning("A report view was not queued (broker unreachable?)", exc_info=True)


def scope_data(scope: Scope) -> dict[str, Any]:
    """A scope as a task's argument (JSON)."""
    return {
        "platform_ids": None if scope.platform_ids is None else list(scope.platform_ids),
        "company_ids": None if scope.company_ids is None else list(scope.company_ids),
        "programme": scope.programme.pk if scope.programme else None,
        "region": scope.region,
        "machine_id": scope.machine_id,
    }


def scope_of(data: dict[str, Any]) -> Scope:
    programme = (
        Programme.objects.filter(pk=data["programme"]).first() if data["programme"] else None
    )
    return Scope(
        platform_ids=None if data["platform_ids"] is None else tuple(data["platform_ids"]),
        company_ids=None if data["company_ids"] is None else tuple(data["company_ids"]),
        programme=programme,
        region=data["region"],
        machine_id=data["machine_id"],
    )


def default_period(today: date) -> tuple[date, date]:
    """The dashboard's default period: the twelve months to the end of this one."""
    end = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    return (end - timedelta(days=335)).replace(day=1), end


def snapshots_refresh(*, now: datetime | None = None) -> int:
    """Recompute the dashboard's default views (periodic): the whole network, each programme,
    each active platform, over the default period; drop snapshots past their use."""
    now = now or timezone.now()
    start, end = default_period(timezone.localdate(now))
    scopes = [Scope(platform_ids=None)]
    for programme in Programme.objects.prefetch_related("platforms"):
        scopes.append(
            Scope(
                platform_ids=tuple(sorted(p.pk for p in programme.platforms.all())),
                programme=programme,
            )
        )
    scopes += [
        Scope(platform_ids=(pk,))
        for pk in Platform.objects.filter(active=True).values_list("pk", flat=True)
    ]
    for scope in scopes:
        snapshot_store(scope=scope, start=start, end=end, now=now)
    ReportSnapshot.objects.filter(computed_at__lt=now - 6 * _max_age()).delete()
    # Reports built for download are kept as long as the files the outbox sends.
    ReportExport.objects.filter(
        created_at__lt=now - timedelta(days=settings.NOTIFICATIONS_ATTACHMENT_DAYS)
    ).delete()
    return len(scopes)
