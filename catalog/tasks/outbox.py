"""Outbox tasks. They take ids, call one service each, and leave the bookkeeping to the service.

``acks_late`` + ``reject_on_worker_lost``: the broker keeps the message until the task returns,
so a worker killed mid-send gives it back and another worker runs it again (see the guarantee
in ``catalog.services.outbox``).
"""

from celery import shared_task
from django.conf import settings

__all__ = ["deliver_outbox_message", "sweep_outbox"]


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # the service counts attempts in the row and stops at OUTBOX_MAX_ATTEMPTS
    time_limit=settings.OUTBOX_SEND_TIME_LIMIT,
    ignore_result=True,
)
def deliver_outbox_message(self, message_id: int) -> str:
    from catalog.services.outbox import claim_token_for, outbox_deliver

    token = claim_token_for(self.request.id, self.request.retries or 0)
    result = outbox_deliver(message_id=message_id, claim_token=token)
    if result.outcome == "retry" and not self.request.is_eager:
        # Eager mode (no broker, `make run`) does not retry in the request; the row keeps its
        # next_attempt_at and the sweep sends it once workers run.
        raise self.retry(countdown=result.retry_in)
    return result.outcome


@shared_task(ignore_result=True, acks_late=True)
def sweep_outbox() -> int:
    """Beat runs this every OUTBOX_SWEEP_INTERVAL seconds."""
    from catalog.notifications import queue_delivery
    from catalog.services.outbox import outbox_sweep

    ids = outbox_sweep()
    queue_delivery(ids)
    return len(ids)
