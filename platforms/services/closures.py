"""Closures and maintenance: placed, skipped or moved, and expanded into intervals."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from schedule.models import Calendar, Event, Occurrence, Rule

from accounts.audit import audit_record
from core.events import announce

from ..exceptions import (
    ClosureNotAllowed,
    InvalidClosureRange,
    NoSuchOccurrence,
)
from ..models import (
    Closure,
    ClosureInterval,
    ClosureKind,
    Machine,
    Platform,
)
from ..recurrence import closure_occurrences, expansion_window
from ..selectors import user_operates
from ..signals import (
    closure_occurrence_moved,
    closure_placed,
)
from ..timezones import aware_strict

RECURRENCE_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY")


def _calendar_for(*, slug: str, name: str) -> Calendar:
    calendar, _ = Calendar.objects.get_or_create(slug=slug, defaults={"name": name[:200]})
    return calendar


@transaction.atomic
def platform_calendar_ensure(*, platform: Platform) -> Platform:
    """Give a platform the calendar that holds its platform-wide closures (idempotent)."""
    if platform.calendar_id is None:
        platform.calendar = _calendar_for(slug=f"platform-{platform.pk}", name=platform.name)
        platform.save(update_fields=["calendar"])
    return platform


@transaction.atomic
def machine_calendar_ensure(*, machine: Machine) -> Machine:
    """Give a machine the calendar that holds its closures and maintenance (idempotent)."""
    if machine.calendar_id is None:
        machine.calendar = _calendar_for(slug=f"machine-{machine.pk}", name=str(machine))
        machine.save(update_fields=["calendar"])
    return machine


@transaction.atomic
def closure_intervals_rebuild(*, platform: Platform, now: datetime | None = None) -> int:
    """Re-expand every closure of ``platform`` into ``ClosureInterval`` rows up to the horizon.

    Rows that ended before the window are kept as history. Runs after every closure change and
    nightly (the horizon moves forward each day). Returns the number of rows written.
    """
    now = now or timezone.now()
    since, until = expansion_window(platform=platform, now=now)
    machine_ids = list(platform.machines.values_list("pk", flat=True))
    ClosureInterval.objects.filter(machine_id__in=machine_ids, end__gt=since).delete()
    closures = (
        Closure.objects.filter(platform=platform)
        .select_related("platform", "event__rule")
        .prefetch_related("event__occurrence_set")
    )
    rows: list[ClosureInterval] = []
    for closure in closures:
        targets = [closure.machine_id] if closure.machine_id else machine_ids
        for start, end in closure_occurrences(
            event=closure.event, timezone_name=platform.timezone, start=since, end=until
        ):
            rows.extend(
                ClosureInterval(machine_id=machine_id, closure=closure, start=start, end=end)
                for machine_id in targets
            )
    ClosureInterval.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def closure_intervals_rebuild_all(*, now: datetime | None = None) -> int:
    """The nightly rebuild, platform by platform (each in its own transaction)."""
    return sum(
        closure_intervals_rebuild(platform=platform, now=now)
        for platform in Platform.objects.filter(active=True)
    )


def _rule_for(*, frequency: str | None, params: str, title: str) -> Rule | None:
    if not frequency:
        return None
    if frequency not in RECURRENCE_FREQUENCIES:
        raise ValueError(f"unsupported frequency {frequency!r}")
    return Rule.objects.create(
        name=title[:32], description=title, frequency=frequency, params=params
    )


@transaction.atomic
def closure_create(
    *,
    platform: Platform,
    user: Any,
    title: str,
    start: datetime,
    end: datetime,
    machine: Machine | None = None,
    kind: str = ClosureKind.CLOSURE,
    reason: str = "",
    frequency: str | None = None,
    params: str = "",
    until: datetime | None = None,
) -> Closure:
    """Close a machine (or, without ``machine``, the whole platform) once or recurrently.

    ``start``/``end`` are the first occurrence, naive times being the platform's wall clock;
    ``frequency`` is DAILY, WEEKLY or MONTHLY with django-scheduler ``params`` such as
    ``"byweekday:MO;bysetpos:1"`` (every first Monday); ``until`` ends the recurrence.
    Bookings it overlaps are not touched: ``bookings.selectors.bookings_affected_by_closure``
    lists them for the operator to cancel or move.
    """
    if machine is not None and machine.platform_id != platform.pk:
        raise ValueError("the machine belongs to another platform")
    if not user_operates(user=user, platform=platform):
        raise ClosureNotAllowed()
    tz = platform.tz
    start, end = aware_strict(start, tz), aware_strict(end, tz)
    if end <= start:
        raise InvalidClosureRange()
    if machine is not None:
        machine_calendar_ensure(machine=machine)
        calendar = machine.calendar
    else:
        platform_calendar_ensure(platform=platform)
        calendar = platform.calendar
    event = Event.objects.create(
        calendar=calendar,
        title=title,
        description=reason,
        start=start,
        end=end,
        rule=_rule_for(frequency=frequency, params=params, title=title),
        end_recurring_period=aware_strict(until, tz) if until else None,
        creator=user if getattr(user, "is_authenticated", False) else None,
    )
    closure = Closure.objects.create(
        platform=platform,
        machine=machine,
        event=event,
        kind=kind,
        reason=reason,
        created_by=event.creator,
    )
    closure_intervals_rebuild(platform=platform)
    audit_record(
        actor=user,
        action="closure.placed",
        obj=closure,
        after={
            "title": title,
            "machine": closure.machine_id,
            "kind": kind,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "frequency": frequency,
            "params": params,
            "until": until.isoformat() if until else None,
        },
    )
    announce(closure_placed, sender=Closure, closure=closure, actor=user)
    return closure


@transaction.atomic
def closure_delete(*, closure: Closure, user: Any) -> None:
    """Remove a closure and all its occurrences; its slots become bookable again."""
    if not user_operates(user=user, platform=closure.platform):
        raise ClosureNotAllowed()
    platform = closure.platform
    event, rule = closure.event, closure.event.rule
    audit_record(
        actor=user,
        action="closure.removed",
        obj=closure,
        before={
            "title": event.title,
            "start": event.start.isoformat(),
            "end": event.end.isoformat(),
        },
    )
    closure.delete()
    event.delete()
    if rule is not None:
        rule.delete()
    closure_intervals_rebuild(platform=platform)


def _persisted_occurrence(closure: Closure, original_start: datetime) -> Occurrence:
    event = closure.event
    original_start = aware_strict(original_start, closure.platform.tz)
    occurrence = event.get_occurrence(original_start.astimezone(closure.platform.tz))
    if occurrence is None:
        raise NoSuchOccurrence()
    if occurrence.pk is None:
        occurrence.save()
    return occurrence


@transaction.atomic
def closure_occurrence_cancel(*, closure: Closure, user: Any, original_start: datetime) -> None:
    """Lift one occurrence of a recurring closure (e.g. maintenance skipped this week)."""
    if not user_operates(user=user, platform=closure.platform):
        raise ClosureNotAllowed()
    occurrence = _persisted_occurrence(closure, original_start)
    occurrence.cancelled = True
    occurrence.save()
    audit_record(
        actor=user,
        action="closure.occurrence_skipped",
        obj=closure,
        before={"occurrence": occurrence.original_start.isoformat()},
    )
    closure_intervals_rebuild(platform=closure.platform)


@transaction.atomic
def closure_occurrence_move(
    *, closure: Closure, user: Any, original_start: datetime, start: datetime, end: datetime
) -> None:
    """Move one occurrence of a recurring closure to another time."""
    if not user_operates(user=user, platform=closure.platform):
        raise ClosureNotAllowed()
    tz = closure.platform.tz
    start, end = aware_strict(start, tz), aware_strict(end, tz)
    if end <= start:
        raise InvalidClosureRange()
    occurrence = _persisted_occurrence(closure, original_start)
    before = {"start": occurrence.start.isoformat(), "end": occurrence.end.isoformat()}
    occurrence.start, occurrence.end = start, end
    occurrence.save()
    audit_record(
        actor=user,
        action="closure.occurrence_moved",
        obj=closure,
        before=before,
        after={"start": start.isoformat(), "end": end.isoformat()},
    )
    closure_intervals_rebuild(platform=closure.platform)
    announce(
        closure_occurrence_moved, sender=Closure, closure=closure, actor=user, start=start, end=end
    )
