from celery import shared_task

from .services import closure_intervals_rebuild_all


@shared_task
def closure_intervals_rebuild_all_task() -> int:
    """Nightly: extend every platform's expanded closures to the moving booking horizon."""
    return closure_intervals_rebuild_all()
