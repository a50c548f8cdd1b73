"""API of the demand side: bookings and companies (``bookings``), and the machine endpoints
completed with availability and the network search (``machines``), waiting lists (``waiting``),
training sessions (``training``)."""

from .bookings import BookingViewSet, CompanyViewSet
from .machines import MachineViewSet
from .training import TrainingSessionViewSet
from .waiting import WaitingViewSet

__all__ = [
    "BookingViewSet",
    "CompanyViewSet",
    "MachineViewSet",
    "TrainingSessionViewSet",
    "WaitingViewSet",
]
