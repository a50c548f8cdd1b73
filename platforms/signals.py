"""What happens on the supply side, announced for the layers above.

Sent inside the service's transaction; receivers write in the same transaction.
"""

from django.dispatch import Signal

# closure, actor: a closure or maintenance was created (its intervals already rebuilt)
closure_placed = Signal()
# closure, actor, start, end: one occurrence of a closure was moved to [start, end)
closure_occurrence_moved = Signal()
# qualification, actor
qualification_granted = Signal()
# qualification, actor
qualification_refused = Signal()
