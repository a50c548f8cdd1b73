"""Read queries of the booking core, by concern: ``access`` (membership, visibility,
qualifications), ``slots`` (what the booking rules read about a slot: opening range, closures,
overlap, quotas) and ``availability`` (a machine's free time, the network-wide search)."""

from .access import (
    bookings_affected_by_closure,
    bookings_in_company_feed,
    bookings_in_machine_feed,
    bookings_seen_by,
    bookings_visible_to,
    user_is_company_admin,
    user_is_member,
    user_is_qualified,
)
from .availability import (
    Availability,
    BusyInterval,
    SearchResult,
    bookable_slots,
    machine_availability,
    machines_search,
)
from .slots import (
    QUOTA_STATUSES,
    SlotState,
    company_week_hours,
    local_week,
    overlap_hours,
    slot_state,
)

__all__ = [
    "QUOTA_STATUSES",
    "Availability",
    "BusyInterval",
    "SearchResult",
    "SlotState",
    "bookable_slots",
    "bookings_affected_by_closure",
    "bookings_in_company_feed",
    "bookings_in_machine_feed",
    "bookings_seen_by",
    "bookings_visible_to",
    "company_week_hours",
    "local_week",
    "machine_availability",
    "machines_search",
    "overlap_hours",
    "slot_state",
    "user_is_company_admin",
    "user_is_member",
    "user_is_qualified",
]
