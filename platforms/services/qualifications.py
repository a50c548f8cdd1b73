"""Qualifications: requested by members, granted or refused by the platform's operators."""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record, state_of
from core.events import announce

from ..exceptions import (
    QualificationNotAllowed,
)
from ..models import (
    Machine,
    Qualification,
    QualificationStatus,
)
from ..selectors import user_operates
from ..signals import (
    qualification_granted,
    qualification_refused,
)


@transaction.atomic
def qualification_request(*, user: Any, machine: Machine, note: str = "") -> Qualification:
    """An SME member asks to be qualified on a machine (idempotent while pending or granted)."""
    qualification, created = Qualification.objects.get_or_create(
        user=user,
        machine=machine,
        defaults={"requested_at": timezone.now(), "note": note},
    )
    if not created and qualification.status == QualificationStatus.REFUSED:
        qualification.status = QualificationStatus.REQUESTED
        qualification.requested_at = timezone.now()
        qualification.note = note
        qualification.save()
    return qualification


@transaction.atomic
def qualification_grant(
    *, operator: Any, user: Any, machine: Machine, valid_until: date | None = None
) -> Qualification:
    """An operator of the machine's platform qualifies ``user`` on it (with or without request)."""
    if not user_operates(user=operator, platform=machine.platform):
        raise QualificationNotAllowed()
    qualification, _ = Qualification.objects.update_or_create(
        user=user,
        machine=machine,
        defaults={
            "status": QualificationStatus.GRANTED,
            "granted_by": operator,
            "granted_at": timezone.now(),
            "valid_until": valid_until,
        },
    )
    audit_record(
        actor=operator,
        action="qualification.granted",
        obj=qualification,
        after=state_of(qualification, ["user", "machine", "status", "valid_until"]),
    )
    announce(
        qualification_granted, sender=Qualification, qualification=qualification, actor=operator
    )
    return qualification


@transaction.atomic
def qualification_refuse(*, operator: Any, qualification: Qualification) -> Qualification:
    """An operator refuses (or withdraws) a qualification."""
    if not user_operates(user=operator, platform=qualification.machine.platform):
        raise QualificationNotAllowed()
    before = state_of(qualification, ["status"])
    withdrawn = qualification.status == QualificationStatus.GRANTED
    qualification.status = QualificationStatus.REFUSED
    qualification.save(update_fields=["status"])
    audit_record(
        actor=operator,
        action="qualification.revoked" if withdrawn else "qualification.refused",
        obj=qualification,
        before=before,
        after=state_of(qualification, ["status"]),
    )
    announce(
        qualification_refused, sender=Qualification, qualification=qualification, actor=operator
    )
    return qualification
