"""What a freed slot's message says to a person waiting for it, made at send time: nothing
when they no longer wait, the slot has begun, or someone booked it meanwhile (the first to
book gets it)."""

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.utils import timezone

from bookings.models import WaitingEntry
from bookings.selectors import range_is_free

from .models import Message

Context = dict[str, Any]


def freed_context(message: Message) -> Context | None:
    entry = (
        WaitingEntry.objects.select_related("machine__platform", "company")
        .filter(pk=message.context.get("entry"))
        .first()
    )
    if entry is None or not entry.is_waiting or entry.user_id != message.recipient_id:
        return None
    start = datetime.fromisoformat(message.context["start"])
    end = datetime.fromisoformat(message.context["end"])
    if start <= timezone.now() or not range_is_free(machine=entry.machine, start=start, end=end):
        return None
    zone = entry.machine.platform.tz
    # The booking form opens on the slot, in the platform's time (its offset kept).
    query = urlencode(
        {
            "start": start.astimezone(zone).isoformat(),
            "end": end.astimezone(zone).isoformat(),
            "company": entry.company_id,
        }
    )
    return {
        "entry": entry,
        "machine": entry.machine,
        "slot_start": start,
        "slot_end": end,
        "book_url": f"{settings.SITE_URL}/machines/{entry.machine_id}/book/?{query}",
    }
