"""What billing announces for the layers above (notifications e-mails the documents).

Sent inside the issuing transaction; receivers write in it too."""

from django.dispatch import Signal

# invoice (an invoice or a credit note, as issued), actor (None for the monthly job)
invoice_issued = Signal()
