"""What the booking rules look at: one slot, read under the machine's (and company's) lock.

Every path that places a booking on the calendar — a booking, each date of a series, a move,
an operator's internal block — builds a ``SlotContext`` and runs ``rules.check_rules`` on it.
Who asks and for what (``change``, ``operator``) decides which rules apply: the exemptions are
properties here, not other copies of the rules' order. The database is read lazily, each
question at most once, so a slot refused early pays for nothing after.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cached_property, wraps
from typing import Any, Literal, ParamSpec, TypeVar
from zoneinfo import ZoneInfo

from django.db import IntegrityError

from core.db import busy_on_lock_failure
from core.intervals import Interval
from platforms.models import Machine
from platforms.selectors import opening_intervals

from .. import selectors
from ..exceptions import SlotUnavailable, UnknownCompany, UnknownMachine
from ..models import Booking, Company

OVERLAP_CONSTRAINT = "booking_no_overlap"

P = ParamSpec("P")
R = TypeVar("R")

# What the slot is for: a new booking (or a date of a series), moving a booking, or the
# platform's own internal time.
Change = Literal["book", "move", "block"]


@dataclass
class SlotContext:
    """One slot of one machine, and who wants it for what."""

    machine: Machine  # locked, with its platform
    company: Company | None  # locked; None for the platform's internal time
    user: Any
    start: datetime  # aware
    end: datetime
    now: datetime
    change: Change = "book"
    # Acts as an operator of the machine's platform (staff do everywhere).
    operator: bool = False
    # The booking being moved: not counted against itself.
    booking: Booking | None = None
    # Dates of the same series accepted before this one: counted as if booked.
    earlier: Sequence[Interval] = field(default_factory=tuple)

    @property
    def tz(self) -> ZoneInfo:
        return self.machine.platform.tz

    @property
    def internal(self) -> bool:
        """The platform's own time: no company, no calendar rule but overlap and the window."""
        return self.change == "block"

    @property
    def skips_notice(self) -> bool:
        """Operators book walk-ins, move and block without notice, within the operator's window
        (``rules.operator_window``)."""
        return self.operator

    @property
    def skips_quotas(self) -> bool:
        """An operator moving a booking or blocking time is not held to a company's quotas (one
        booking on a company's behalf is)."""
        return self.operator and self.change != "book"

    @property
    def within_notice(self) -> bool:
        """The slot starts sooner than members may book (an operator's walk-in)."""
        return self.start < self.now + timedelta(hours=self.machine.min_notice_hours)

    @property
    def excluded(self) -> int | None:
        return self.booking.pk if self.booking is not None else None

    @cached_property
    def opening(self) -> list[Interval]:
        """The platform's open periods around the slot, merged (a night across midnight is
        one period)."""
        return opening_intervals(platform=self.machine.platform, start=self.start, end=self.end)

    @cached_property
    def closed(self) -> bool:
        return selectors.closure_overlaps(machine=self.machine, start=self.start, end=self.end)

    @cached_property
    def neighbours(self) -> list[Interval]:
        """Active bookings, and earlier dates of the series, closer than the machine's
        buffer."""
        buffer = timedelta(minutes=self.machine.buffer_minutes)
        found = selectors.active_bookings_near(
            machine=self.machine, start=self.start, end=self.end, exclude_pk=self.excluded
        )
        return found + [
            (s, e) for s, e in self.earlier if s < self.end + buffer and e > self.start - buffer
        ]

    @cached_property
    def _company_spans(self) -> list[Interval]:
        """The company's bookings on the machine over the local weeks the slot touches (every
        quota period lies within them), and the series' earlier dates."""
        assert self.company is not None
        weeks = (
            selectors.local_week(self.start, self.machine)[0],
            selectors.local_week(self.end - timedelta(microseconds=1), self.machine)[1],
        )
        found = selectors.company_spans(
            company=self.company, machine=self.machine, period=weeks, exclude_pk=self.excluded
        )
        return found + list(self.earlier)

    def held_seconds(self, period: Interval) -> Decimal:
        """Seconds the company already holds on the machine within ``period``."""
        return sum(
            (selectors.overlap_seconds(period, span) for span in self._company_spans), Decimal(0)
        )

    def periods(self, period_of: Callable[[datetime, Machine], Interval]) -> list[Interval]:
        """The periods (``selectors.local_day``, ``local_week``) the slot touches, in order."""
        found = [period_of(self.start, self.machine)]
        while found[-1][1] < self.end:
            found.append(period_of(found[-1][1], self.machine))
        return found


def lock_machine(machine: Machine | int) -> Machine:
    """The machine (an instance or an id) re-read with its platform and a row lock, which
    serialises everything placed on its calendar. ``unknown_machine``."""
    pk = machine if isinstance(machine, int) else machine.pk
    try:
        return Machine.objects.select_for_update(of=("self",)).select_related("platform").get(pk=pk)
    except Machine.DoesNotExist:
        raise UnknownMachine(machine=pk) from None


def lock_company(company: Company | int) -> Company:
    """The company (an instance or an id) re-read with a row lock, taken after the machine's:
    a rule over the company's bookings on several machines holds under a race too.
    ``unknown_company``."""
    pk = company if isinstance(company, int) else company.pk
    try:
        return Company.objects.select_for_update(of=("self",)).get(pk=pk)
    except Company.DoesNotExist:
        raise UnknownCompany(company=pk) from None


def _is_overlap_error(exc: Exception) -> bool:
    """PostgreSQL's exclusion_violation (23P01) of the overlap constraint, and nothing else."""
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) != "23P01":
        return False
    diag = getattr(cause, "diag", None)
    return getattr(diag, "constraint_name", OVERLAP_CONSTRAINT) == OVERLAP_CONSTRAINT


def conflicts_as_slot_unavailable(func: Callable[P, R]) -> Callable[P, R]:
    """Turn the database's refusal of an overlap into ``SlotUnavailable``, and a lock not
    obtained in time (or a deadlock) into ``Busy``: a lock failure is not a conflict.

    Wraps the function from outside its atomic block: by the time the error is handled, the
    transaction has been rolled back and nothing of the attempt remains.
    """

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except IntegrityError as exc:
            if _is_overlap_error(exc):
                raise SlotUnavailable() from exc
            raise

    return busy_on_lock_failure(wrapper)
