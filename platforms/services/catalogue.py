"""Platforms and machines: their calendars, rules and opening hours."""

from typing import Any

from django.db import transaction

from accounts.audit import audit_record, state_of

from ..exceptions import (
    MachineNotAllowed,
    OperatorOnly,
)
from ..feeds import new_feed_token
from ..models import (
    Machine,
    OpeningHours,
    Platform,
)
from ..selectors import user_operates
from .closures import closure_intervals_rebuild, machine_calendar_ensure, platform_calendar_ensure


@transaction.atomic
def platform_create(**fields: Any) -> Platform:
    """Create a platform together with its calendar."""
    platform = Platform.objects.create(**fields)
    return platform_calendar_ensure(platform=platform)


@transaction.atomic
def machine_create(*, platform: Platform, **fields: Any) -> Machine:
    """Create a machine together with the calendar it owns."""
    machine = Machine(platform=platform, **fields)
    machine.full_clean(exclude=["calendar"])
    machine.save()
    machine_calendar_ensure(machine=machine)
    if platform.closures.filter(machine__isnull=True).exists():
        # Platform-wide closures close the new machine too.
        closure_intervals_rebuild(platform=platform)
    return machine


def fields_apply(locked: Any, *, user: Any, action: str, fields: dict[str, Any]) -> None:
    """Set ``fields`` on a locked platform or machine, validate and save them, and record in
    the audit trail those that changed (inside the caller's transaction)."""
    before = state_of(locked, fields)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean(exclude=["calendar"])
    locked.save(update_fields=list(fields))
    after = state_of(locked, fields)
    changed = [name for name in fields if before[name] != after[name]]
    if changed:
        audit_record(
            actor=user,
            action=action,
            obj=locked,
            before={name: before[name] for name in changed},
            after={name: after[name] for name in changed},
        )


MACHINE_EDITABLE = (
    "description",
    "manufacturer",
    "model_name",
    "specs",
    "working_area",
    "materials",
    "tolerance",
    "hourly_rate",
    "setup_fee",
    "minimum_charge",
    "assisted_hourly_rate",
    "vat_rate",
    "slot_minutes",
    "min_minutes",
    "max_minutes",
    "min_notice_hours",
    "max_advance_days",
    "requires_approval",
    "requires_qualification",
    "qualification_months",
    "qualification_lapse_months",
    "weekly_quota_hours",
    "daily_quota_hours",
    "buffer_minutes",
    "active",
)


@transaction.atomic
def machine_update(*, machine: Machine, user: Any, **fields: Any) -> Machine:
    """An operator of the machine's platform changes its description, rate or booking rules.

    Existing bookings keep what they were booked under (their price is a snapshot); the rules
    apply to bookings made or moved from now on. A longer horizon re-expands the closures.
    """
    if not user_operates(user=user, platform=machine.platform):
        raise MachineNotAllowed()
    unknown = set(fields) - set(MACHINE_EDITABLE)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    locked = Machine.objects.select_for_update().get(pk=machine.pk)
    horizon = locked.max_advance_days
    fields_apply(locked, user=user, action="machine.updated", fields=fields)
    if locked.max_advance_days > horizon:
        closure_intervals_rebuild(platform=locked.platform)
    return locked


@transaction.atomic
def opening_hours_set(
    *, platform: Platform, user: Any, ranges: list[tuple[int, Any, Any]]
) -> list[OpeningHours]:
    """Replace a platform's weekly opening hours with ``ranges`` (weekday, opens, closes),
    several a day allowed. Bookings already made are not touched."""
    if not user_operates(user=user, platform=platform):
        raise MachineNotAllowed()
    rows = [
        OpeningHours(platform=platform, weekday=day, opens=opens, closes=closes)
        for day, opens, closes in ranges
    ]
    for row in rows:
        row.full_clean(exclude=["platform"])
    previous = [
        [row.weekday, row.opens.isoformat(), row.closes.isoformat()]
        for row in platform.opening_hours.order_by("weekday", "opens")
    ]
    platform.opening_hours.all().delete()
    created = OpeningHours.objects.bulk_create(rows)
    audit_record(
        actor=user,
        action="platform.hours_set",
        obj=platform,
        before={"opening_hours": previous},
        after={
            "opening_hours": [
                [row.weekday, row.opens.isoformat(), row.closes.isoformat()]
                for row in sorted(rows, key=lambda r: (r.weekday, r.opens))
            ]
        },
    )
    return created


@transaction.atomic
def machine_ical_token_regenerate(*, machine: Machine, user: Any) -> Machine:
    """Give a machine's operator feed a new secret address; the old one stops working."""
    if not user_operates(user=user, platform=machine.platform):
        raise OperatorOnly()
    machine.ical_token = new_feed_token()
    machine.save(update_fields=["ical_token"])
    return machine
