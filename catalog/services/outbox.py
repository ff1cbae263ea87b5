"""Outbox delivery. The background-work issue hardens this (claiming, retries, sweep)."""

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from catalog.models import OutboxMessage


def outbox_deliver(*, message_id: int) -> str:
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutboxMessage.Status.PENDING)
            .first()
        )
        if message is None:
            return "skipped"
        email = EmailMultiAlternatives(message.subject, message.body_text, to=[message.recipient])
        if message.body_html:
            email.attach_alternative(message.body_html, "text/html")
        message.attempts += 1
        try:
            email.send()
        except Exception as exc:  # noqa: BLE001 - any transport error is recorded and retried
            message.last_error = str(exc)[:2000]
            message.save(update_fields=["attempts", "last_error"])
            return "error"
        message.status = OutboxMessage.Status.SENT
        message.sent_at = timezone.now()
        message.save(update_fields=["attempts", "status", "sent_at"])
        return "sent"
