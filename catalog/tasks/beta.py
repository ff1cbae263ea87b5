"""Beta tasks: beat adds the opens counted in Redis to the links (``catalog.services.beta``)."""

from celery import shared_task

__all__ = ["fold_beta_opens"]


@shared_task(ignore_result=True, acks_late=True)
def fold_beta_opens() -> int:
    """Beat runs this every BETA_OPENS_FOLD_SECONDS; safe to run twice or to die halfway."""
    from catalog.services.beta_opens import beta_opens_fold

    return beta_opens_fold()
