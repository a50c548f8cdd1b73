from celery import shared_task

from .services import no_shows_mark


@shared_task
def no_shows_mark_task() -> int:
    """Periodic: confirmed bookings past their end and grace period without usage."""
    return no_shows_mark()
