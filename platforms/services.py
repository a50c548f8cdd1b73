"""State changes of the supply side: platforms and machines."""

from typing import Any

from django.db import transaction
from schedule.models import Calendar

from .models import Machine, Platform


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
    return machine_calendar_ensure(machine=machine)
