"""API of the demand side: bookings and companies (``bookings``), and the machine endpoints
completed with availability and the network search (``machines``), waiting lists (``waiting``)."""

from .bookings import BookingViewSet, CompanyViewSet
from .machines import MachineViewSet
from .waiting import WaitingViewSet

__all__ = ["BookingViewSet", "CompanyViewSet", "MachineViewSet", "WaitingViewSet"]
