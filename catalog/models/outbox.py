import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class OutboxMessage(models.Model):
    """An email written in the same transaction as the change that causes it, sent later.

    ``(event_id, recipient)`` is unique, so one event never produces two messages to one person.
    Life of a row: ``pending`` → ``sending`` (claimed by one delivery: ``claim_token``,
    ``claimed_at``) → ``sent``; a failed send goes back to ``pending`` with ``next_attempt_at``
    until the attempts run out, then ``failed``. ``catalog.services.outbox`` states the guarantee.
    Rows of a kind that carries a private link (invitations, security) lose their body in the
    UPDATE that marks them ``sent`` or ``failed`` (``body_removed_at``).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    event_id = models.UUIDField(default=uuid.uuid4, db_index=True)
    event = models.CharField(max_length=80)
    kind = models.CharField(max_length=40, help_text="Notification kind, for opt-outs.")
    recipient = models.EmailField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbox_messages",
    )
    integration = models.ForeignKey(
        "catalog.Integration",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbox_messages",
    )
    subject = models.CharField(max_length=250)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    body_removed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the body was replaced by a note: invitations and security mail carry a "
        "private link, kept only while the message may still be sent.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_id", "recipient"], name="outbox_event_recipient_unique"
            )
        ]
        permissions = [("retry_outboxmessage", "Can retry a failed notification")]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient} ({self.status})"
