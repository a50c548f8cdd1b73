"""Qualifications: requested by members, granted or refused by the platform's operators."""

from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record, state_of
from core.events import announce

from ..exceptions import (
    QualificationNotAllowed,
    RecognitionOfItself,
)
from ..models import (
    Machine,
    Platform,
    Qualification,
    QualificationRecognition,
    QualificationStatus,
)
from ..selectors import user_operates
from ..signals import (
    qualification_granted,
    qualification_refused,
)


@transaction.atomic
def qualification_request(
    *, user: Any, machine: Machine, note: str = "", renew: bool = False
) -> Qualification:
    """An SME member asks to be qualified on a machine (idempotent while pending or granted;
    ``renew``: a granted one that expired or lapsed — what bookings knows — is asked again)."""
    qualification, created = Qualification.objects.get_or_create(
        user=user,
        machine=machine,
        defaults={"requested_at": timezone.now(), "note": note},
    )
    again = (QualificationStatus.REFUSED, QualificationStatus.GRANTED) if renew else ()
    if not created and qualification.status in (QualificationStatus.REFUSED, *again):
        qualification.status = QualificationStatus.REQUESTED
        qualification.requested_at = timezone.now()
        qualification.note = note
        qualification.save()
    return qualification


@transaction.atomic
def qualification_grant(
    *, operator: Any, user: Any, machine: Machine, valid_until: date | None = None
) -> Qualification:
    """An operator of the machine's platform qualifies ``user`` on it (with or without request),
    until ``valid_until`` — by default for the machine's ``qualification_months`` from today,
    or for good."""
    if not user_operates(user=operator, platform=machine.platform):
        raise QualificationNotAllowed()
    if valid_until is None and machine.qualification_months:
        today = timezone.localtime(timezone.now(), machine.platform.tz).date()
        valid_until = today + relativedelta(months=machine.qualification_months)
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


RECOGNITION_FIELDS = ("platform", "accepts", "category")


@transaction.atomic
def recognition_add(
    *, operator: Any, platform: Platform, accepts: Platform, category: str
) -> QualificationRecognition:
    """An operator of ``platform`` accepts ``accepts``'s qualifications on machines of
    ``category`` for its own machines of that category (idempotent)."""
    if not user_operates(user=operator, platform=platform):
        raise QualificationNotAllowed()
    if accepts.pk == platform.pk:
        raise RecognitionOfItself()
    recognition, created = QualificationRecognition.objects.get_or_create(
        platform=platform, accepts=accepts, category=category
    )
    if created:
        audit_record(
            actor=operator,
            action="recognition.added",
            obj=recognition,
            after=state_of(recognition, RECOGNITION_FIELDS),
        )
    return recognition


@transaction.atomic
def recognition_remove(*, operator: Any, recognition: QualificationRecognition) -> None:
    """An operator of the recognising platform stops accepting those qualifications."""
    if not user_operates(user=operator, platform=recognition.platform):
        raise QualificationNotAllowed()
    audit_record(
        actor=operator,
        action="recognition.removed",
        obj=recognition,
        before=state_of(recognition, RECOGNITION_FIELDS),
    )
    recognition.delete()
