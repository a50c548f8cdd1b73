from celery import shared_task

from .services import no_shows_mark, overruns_announce, trainings_decide


@shared_task
def no_shows_mark_task() -> int:
    """Periodic: confirmed bookings past their end and grace period without usage."""
    return no_shows_mark()


@shared_task
def trainings_decide_task() -> tuple[int, int]:
    """Periodic: sessions past their deadline are held, or cancelled if too few enrolled."""
    return trainings_decide()


@shared_task
def overruns_announce_task() -> int:
    """Periodic: uses running past their end into the next booking (both are told once)."""
    return overruns_announce()
