"""What happens to bookings, announced for the layers above (notifications, reports).

Each signal is sent inside the service's transaction with ``booking`` as it is after the
change (its ``version`` already bumped) and ``actor``, the user who made the change (None for
the periodic jobs). Receivers write in the same transaction; bookings never knows who listens.
"""

from django.dispatch import Signal

# booking (pending or confirmed), actor; for a series also series, every booking of it
booking_created = Signal()
# booking, actor
booking_approved = Signal()
# booking, actor; booking.rejection_reason says why
booking_rejected = Signal()
# booking, actor, previous_start, previous_end
booking_moved = Signal()
# booking, actor, by_operator (bool); booking.cancellation_reason, booking.late_cancellation
booking_cancelled = Signal()
# booking, actor: its usage (actual_start, actual_end) recorded, the booking completed
booking_usage_recorded = Signal()
# booking (its use still running past its end), next_booking (on the same machine, beginning
# soon or begun), actor None: the periodic overrun job; sent again at each run while it lasts
usage_overrun = Signal()
# bookings (a list), actor None: the periodic no-show job
bookings_marked_no_show = Signal()
# company (waiting for validation), actor: its first administrator
company_registered = Signal()
# company, actor: the operator or staff who validated it
company_validated = Signal()
# company, actor: the operator or staff who refused it; company.refusal_reason
company_refused = Signal()
# invitation (an offer: no membership, no account until accepted), actor: the company admin
member_invited = Signal()
# platforms (the demo's), users (by role: "funder", "operator", …): seed_demo built the demo;
# sent directly (not through announce: the demo is built with announcements muted)
demo_seeded = Signal()
# Training sessions. enrolment, actor, from_waiting (bool: a seat freed and given to the first
# person waiting): the person has a seat
enrolment_seated = Signal()
# enrolment, actor: the person is on the session's waiting list
enrolment_waiting = Signal()
# enrolment, actor, was_seated (bool)
enrolment_withdrawn = Signal()
# session, enrolments (those still enrolled or waiting), actor (None for the periodic job)
training_cancelled = Signal()
