"""State changes of the booking core: the only code that writes bookings.

Every function is keyword-only and runs in one transaction. Split by concern: ``rules``
(the one ordered list of booking rules) over ``context`` (the slot they look at, and the
locks), ``create`` (single bookings, series, internal blocks), ``lifecycle`` (cancel, approve,
reject, move, usage, no-shows), ``usage`` (what recorded usage respects), ``companies``,
``invitations``, ``training`` (sessions, seats, attendance), ``waiting`` (waiting lists) and
``feedback`` (after use, incidents), ``measure`` (usage started and stopped at the machine).
"""

from .companies import (
    company_ical_token_regenerate,
    company_refuse,
    company_register,
    company_validate,
    user_validates_companies,
)
from .create import booking_block, booking_create, booking_create_series
from .feedback import feedback_give, incident_close, incident_to_maintenance
from .invitations import (
    invitation_accept,
    invitation_accept_new_account,
    invitation_decline,
    invitation_from_token,
    invitation_make,
    invitation_token,
    operator_invitation_make,
)
from .lifecycle import (
    booking_approve,
    booking_cancel,
    booking_move,
    booking_reject,
    no_shows_mark,
    usage_record,
    usage_start,
)
from .measure import overruns_announce, usage_measure_start, usage_measure_stop
from .training import (
    training_attendance,
    training_cancel,
    training_enrol,
    training_schedule,
    training_withdraw,
    trainings_decide,
)
from .waiting import waiting_join, waiting_leave, waiting_served

__all__ = [
    "booking_approve",
    "booking_block",
    "booking_cancel",
    "booking_create",
    "booking_create_series",
    "booking_move",
    "booking_reject",
    "company_ical_token_regenerate",
    "company_refuse",
    "company_register",
    "company_validate",
    "feedback_give",
    "incident_close",
    "incident_to_maintenance",
    "invitation_accept",
    "invitation_accept_new_account",
    "invitation_decline",
    "invitation_from_token",
    "invitation_make",
    "invitation_token",
    "no_shows_mark",
    "operator_invitation_make",
    "overruns_announce",
    "training_attendance",
    "training_cancel",
    "training_enrol",
    "training_schedule",
    "training_withdraw",
    "trainings_decide",
    "usage_measure_start",
    "usage_measure_stop",
    "usage_record",
    "usage_start",
    "user_validates_companies",
    "waiting_join",
    "waiting_leave",
    "waiting_served",
]
