"""Background work. Tasks take ids, fetch rows and call one service each."""

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver_outbox_message(message_id: int) -> str:
    from catalog.services.outbox import outbox_deliver

    return outbox_deliver(message_id=message_id)
