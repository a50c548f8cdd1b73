"""An object's audit trail as its pages show it: when, who, what, and each field's change."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.audit import history_of
from core.dates import short_day

ACTIONS = {
    "booking.created": pgettext_lazy("history", "Booked"),
    "booking.created_within_notice": pgettext_lazy(
        "history", "Booked by the platform within the notice period"
    ),
    "booking.approved": pgettext_lazy("history", "Approved"),
    "booking.rejected": pgettext_lazy("history", "Refused"),
    "booking.moved": pgettext_lazy("history", "Moved"),
    "booking.cancelled": pgettext_lazy("history", "Cancelled"),
    "booking.usage_started": pgettext_lazy("history", "Use started"),
    "booking.usage_recorded": pgettext_lazy("history", "Usage recorded"),
    "booking.no_show": pgettext_lazy("history", "Recorded as a no-show"),
    "machine.updated": pgettext_lazy("history", "Description or rules changed"),
    "machine.created": pgettext_lazy("history", "Machine added"),
    "platform.updated": pgettext_lazy("history", "Details changed"),
    "platform.operator_added": pgettext_lazy("history", "An operator joined"),
    "platform.operator_removed": pgettext_lazy("history", "An operator left the team"),
    "kiosk.created": pgettext_lazy("history", "Kiosk made"),
    "kiosk.revoked": pgettext_lazy("history", "Kiosk revoked"),
}
# Said by the line itself (its time, its author) or internal to the code.
HIDDEN = {
    "version",
    "machine",
    "company",
    "kind",
    "series_id",
    "booked_by",
    "decided_by",
    "decided_at",
    "cancelled_by",
    "cancelled_at",
    "operator",
}


@dataclass
class Line:
    at: Any
    who: str
    what: str
    changes: list[tuple[str, Any, Any]]


def history(obj: Any) -> list[Line]:
    """``obj``'s entries, newest first; a periodic job's are "the system"'s."""
    lines = []
    for entry in reversed(history_of(obj)):
        before, after = entry.before or {}, entry.after or {}
        model = type(obj)
        changes = []
        for name in dict.fromkeys([*before, *after]):
            was, now = (
                _display(model, name, before.get(name)),
                _display(model, name, after.get(name)),
            )
            if name in HIDDEN or was == now:
                continue  # "Note: — → —" says nothing
            # A creation (nothing before) says what was set, without an arrow from nothing.
            changes.append((_label(model, name), was if before else None, now))
        who = entry.actor.get_full_name() if entry.actor else str(_("the system"))
        lines.append(
            Line(
                at=entry.at,
                who=who,
                what=str(ACTIONS.get(entry.action, entry.action)),
                changes=changes,
            )
        )
    return lines


def _field(model: Any, name: str) -> Any:
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _label(model: Any, name: str) -> str:
    field = _field(model, name)
    return capfirst(str(field.verbose_name)) if field is not None else name


def _display(model: Any, name: str, value: Any) -> str:
    """A recorded value as people read it: a choice's label, a local date and time, yes/no."""
    if value is None or value == "":
        return "—"
    field = _field(model, name)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(field, models.DecimalField):
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            return str(value)
        return formats.number_format(number, decimal_pos=field.decimal_places)
    if isinstance(value, str) and len(value) >= 16 and value[4] == "-" and "T" in value:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        local = timezone.localtime(moment)
        return f"{short_day(local)}, {local:%H:%M}"
    return str(value)
