"""What accounts announce to the layers above (sent with ``core.events.announce``)."""

from django.dispatch import Signal

# user (already anonymised, inactive), actor: the person themself. Each app above removes or
# detaches what it keeps about them, in the same transaction.
account_erased = Signal()

# user, email (the address to prove: theirs, or the one that is to replace it), actor. The
# outbox sends the link to that address.
address_to_confirm = Signal()

# user, reason ("asked"; "signup": a sign-up used the address): a link to choose a new password
# for this account. The outbox
# sends it (after the request: the same answer and timing whether or not the address exists).
password_reset_requested = Signal()
