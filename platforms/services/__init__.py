"""State changes of the supply side, by aggregate: ``catalogue`` (platforms, machines, their
rules and opening hours), ``closures`` (closures and maintenance, their intervals),
``qualifications`` (and those recognised from other platforms), ``media`` (a machine's
photos and documents) and ``setup`` (what operators set up themselves: a new machine, their
platform's details, their team). Keyword-only functions, one transaction each."""

from .catalogue import (
    MACHINE_EDITABLE,
    machine_calendar_ensure,
    machine_create,
    machine_ical_token_regenerate,
    machine_update,
    opening_hours_set,
    platform_calendar_ensure,
    platform_create,
)
from .closures import (
    RECURRENCE_FREQUENCIES,
    closure_create,
    closure_delete,
    closure_intervals_rebuild,
    closure_intervals_rebuild_all,
    closure_occurrence_cancel,
    closure_occurrence_move,
)
from .kiosks import kiosk_create, kiosk_from_key, kiosk_revoke
from .media import (
    machine_document_add,
    machine_document_remove,
    machine_photo_add,
    machine_photo_remove,
)
from .qualifications import (
    qualification_grant,
    qualification_refuse,
    qualification_request,
    recognition_add,
    recognition_remove,
)
from .setup import PLATFORM_EDITABLE, machine_add, operator_remove, platform_update

__all__ = [
    "MACHINE_EDITABLE",
    "PLATFORM_EDITABLE",
    "RECURRENCE_FREQUENCIES",
    "closure_create",
    "closure_delete",
    "closure_intervals_rebuild",
    "closure_intervals_rebuild_all",
    "closure_occurrence_cancel",
    "closure_occurrence_move",
    "kiosk_create",
    "kiosk_from_key",
    "kiosk_revoke",
    "machine_add",
    "machine_calendar_ensure",
    "machine_create",
    "machine_document_add",
    "machine_document_remove",
    "machine_ical_token_regenerate",
    "machine_photo_add",
    "machine_photo_remove",
    "machine_update",
    "opening_hours_set",
    "operator_remove",
    "platform_calendar_ensure",
    "platform_create",
    "platform_update",
    "qualification_grant",
    "qualification_refuse",
    "qualification_request",
    "recognition_add",
    "recognition_remove",
]
