"""API of the demand side: bookings and companies (``bookings``), and the machine endpoints
completed with availability and the network search (``machines``)."""

from .bookings import BookingViewSet, CompanyViewSet
from .machines import MachineViewSet

__all__ = ["BookingViewSet", "CompanyViewSet", "MachineViewSet"]
