"""What a platform's operators set up themselves, without the staff admin: a new machine (then
its rules, photos and documents on its page; retired by unticking "active", never deleted), the
platform's own details, and the team that runs it (co-operators removed here; added by an
invitation they accept, in ``bookings.services.invitations``)."""

from typing import Any

from django.db import transaction
from django.utils.text import slugify

from accounts.audit import audit_record, state_of

from ..exceptions import LastOperator, OperatorOnly
from ..models import Machine, Platform
from ..selectors import user_operates
from .catalogue import MACHINE_EDITABLE, fields_apply, machine_create

# What an operator changes on their platform. Its name, region and time zone stay with staff:
# the funder's reports and every booking's local times depend on them.
PLATFORM_EDITABLE = (
    "city",
    "contact_email",
    "contact_phone",
    "address",
    "access",
    "sme_percent",
    "other_percent",
    "reminder_hours",
)


def machine_add(
    *, platform: Platform, user: Any, name: str, category: str, **fields: Any
) -> Machine:
    """A new machine on a platform ``user`` operates, with its rules (the rest as defaults)."""
    if not user_operates(user=user, platform=platform):
        raise OperatorOnly()
    unknown = set(fields) - set(MACHINE_EDITABLE)
    if unknown:
        raise ValueError(f"not settable here: {sorted(unknown)}")
    with transaction.atomic():
        Platform.objects.select_for_update().get(pk=platform.pk)
        base = slugify(name)[:90] or "machine"
        slug, number = base, 1
        while Machine.objects.filter(platform=platform, slug=slug).exists():
            number += 1
            slug = f"{base}-{number}"
        machine = machine_create(
            platform=platform, name=name, slug=slug, category=category, **fields
        )
        audit_record(
            actor=user,
            action="machine.created",
            obj=machine,
            after=state_of(machine, ["name", "category", *fields]),
        )
    return machine


def platform_update(*, platform: Platform, user: Any, **fields: Any) -> Platform:
    """An operator changes their platform's contact, address, access and price groups."""
    if not user_operates(user=user, platform=platform):
        raise OperatorOnly()
    unknown = set(fields) - set(PLATFORM_EDITABLE)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    with transaction.atomic():
        locked = Platform.objects.select_for_update().get(pk=platform.pk)
        fields_apply(locked, user=user, action="platform.updated", fields=fields)
    return locked


def operator_remove(*, platform: Platform, user: Any, person: Any) -> None:
    """``person`` no longer operates ``platform`` (themselves included); the last one stays."""
    if not user_operates(user=user, platform=platform):
        raise OperatorOnly()
    with transaction.atomic():
        locked = Platform.objects.select_for_update().get(pk=platform.pk)
        team = list(locked.operators.values_list("pk", flat=True))
        if person.pk not in team:
            return
        if len(team) == 1:
            raise LastOperator()
        locked.operators.remove(person)
        audit_record(
            actor=user,
            action="platform.operator_removed",
            obj=locked,
            before={"operator": person.pk},
        )
