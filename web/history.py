"""An object's audit trail as its pages show it: when, who, what, and each field's change."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.audit import history_of

ACTIONS = {
    "booking.created": pgettext_lazy("history", "Booked"),
    "booking.approved": pgettext_lazy("history", "Approved"),
    "booking.rejected": pgettext_lazy("history", "Refused"),
    "booking.moved": pgettext_lazy("history", "Moved"),
    "booking.cancelled": pgettext_lazy("history", "Cancelled"),
    "booking.usage_started": pgettext_lazy("history", "Use started"),
    "booking.usage_recorded": pgettext_lazy("history", "Usage recorded"),
    "booking.no_show": pgettext_lazy("history", "Recorded as a no-show"),
    "machine.updated": pgettext_lazy("history", "Description or rules changed"),
}
HIDDEN = {"version", "machine", "company", "kind", "series_id"}


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
        changes = [
            (name, before.get(name), after.get(name))
            for name in dict.fromkeys([*before, *after])
            if name not in HIDDEN and before.get(name) != after.get(name)
        ]
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
