"""The pages, one module per audience concern: finding machines (``catalogue``), booking and
managing bookings (``booking``), and the person's account (``account``)."""
