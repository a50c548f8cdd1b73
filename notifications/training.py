"""Training sessions told to the people in them (connected with the receivers): a seat (taken,
or given from the waiting list), a place on the waiting list, a session cancelled. Each message
is keyed by the enrolment, so one event is told once; it is composed at send time and not sent
if it no longer holds (the seat given up meanwhile, the session cancelled since:
``offers.enrolment_context``)."""

from typing import Any

from django.dispatch import receiver

from bookings.models import Enrolment, TrainingSession
from bookings.signals import enrolment_seated, enrolment_waiting, training_cancelled

from .models import MessageKind
from .services import Outgoing, messages_record


def _told(kind: str, enrolment: Enrolment, **context: Any) -> Outgoing:
    return Outgoing(
        kind=kind,
        recipient=enrolment.user,
        platform=enrolment.session.machine.platform,
        key=f"{kind}:e{enrolment.pk}",
        context={"enrolment": enrolment.pk, **context},
    )


@receiver(enrolment_seated, dispatch_uid="notifications.training_seated")
def _on_seated(sender: Any, enrolment: Enrolment, from_waiting: bool, **kwargs: Any) -> None:
    messages_record([_told(MessageKind.TRAINING_SEAT, enrolment, from_waiting=from_waiting)])


@receiver(enrolment_waiting, dispatch_uid="notifications.training_waiting")
def _on_waiting(sender: Any, enrolment: Enrolment, **kwargs: Any) -> None:
    messages_record([_told(MessageKind.TRAINING_WAITING, enrolment)])


@receiver(training_cancelled, dispatch_uid="notifications.training_cancelled")
def _on_cancelled(
    sender: Any, session: TrainingSession, enrolments: list[Enrolment], **kwargs: Any
) -> None:
    messages_record(_told(MessageKind.TRAINING_CANCELLED, each) for each in enrolments)
