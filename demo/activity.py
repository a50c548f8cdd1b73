"""What the demo's people are doing besides booking: waiting for a taken slot, and training
sessions ahead (one with a seat taken). Seeded once; a second seeding adds nothing."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from bookings.models import Booking, BookingStatus
from bookings.selectors import sessions_ahead
from bookings.services import training_enrol, training_schedule, waiting_join
from core.exceptions import DomainError
from platforms.models import Machine
from platforms.selectors import user_operates


def seed_waiting(machines: list[Machine], users: dict[str, User]) -> None:
    """Both SME users wait for the first upcoming booking of a company not theirs: their
    waiting lists, the operator's week and the report show it. Once."""
    people = [users["sme"], users["sme2"]]
    taken = (
        Booking.objects.filter(
            machine__in=machines,
            start__gt=timezone.now() + timedelta(days=1),
            status=BookingStatus.CONFIRMED,
        )
        .exclude(company__memberships__user__in=people)
        .order_by("start", "pk")
        .first()
    )
    if taken is None:
        return
    for person in people:
        try:
            waiting_join(
                machine=taken.machine,
                company=person.memberships.get().company,
                user=person,
                start=taken.start,
                end=taken.end,
            )
        except DomainError:
            continue  # waiting already (a second seeding)


def seed_training(machines: list[Machine], users: dict[str, User]) -> None:
    """A training session (14:00–17:00, on the first free weekday ten days ahead or later)
    on each machine that needs a qualification and has none planned; the second SME user,
    who asked for a qualification, has a seat in the last one's."""
    needing = [machine for machine in machines if machine.requires_qualification]
    trainer = users["operator"]
    for machine in needing:
        if sessions_ahead(machine=machine).exists():
            continue
        tz = machine.platform.tz
        today = timezone.localdate()
        for days in range(10, 30):
            day = today + timedelta(days=days)
            if day.weekday() >= 5:
                continue
            start = datetime.combine(day, time(14), tzinfo=tz)
            try:
                session = training_schedule(
                    operator=users["admin"],
                    trainer=trainer
                    if user_operates(user=trainer, platform=machine.platform)
                    else None,
                    machine=machine,
                    start=start,
                    end=start + timedelta(hours=3),
                    capacity=6,
                    min_attendance=2,
                    price=Decimal("180.00"),
                    note="Sécurité, réglages, première pièce accompagnée.",
                )
            except DomainError:
                continue  # the afternoon is booked: the next day
            if machine == needing[-1]:
                training_enrol(session=session, person=users["sme2"], actor=users["sme2"])
            break
