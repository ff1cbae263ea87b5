"""Outbox delivery: claim a row, send it, mark it sent; retry with backoff; recover what is stuck.

Delivery guarantee (what a recipient can rely on)
-------------------------------------------------

* **Never lost.** A row is written in the same transaction as the change that causes it. Only
  a delivery that the mail server accepted marks it ``sent``. Whatever stops it on the way (broker
  down at commit, task lost with a Redis restart, worker killed mid-send, claim never finished) is
  found again by :func:`outbox_sweep`, which beat runs every ``OUTBOX_SWEEP_INTERVAL`` seconds.
* **Never sent by two workers at once.** A delivery first *claims* the row with one conditional
  ``UPDATE ... WHERE status = 'pending'`` (atomic in the database, so of two workers exactly one
  gets the row) that stores a claim token and ``claimed_at``. The transport is then used outside
  any transaction, and ``sent`` is written only ``WHERE claim_token = <ours>``.
* A claim can be taken over in two cases only, each of which means the previous holder is gone:
  the broker hands out *the same task message* again (same task id and retry number: with
  ``acks_late`` + ``reject_on_worker_lost`` that happens only when the worker running it died, or
  when Redis's visibility timeout passed, which is kept above the task's hard time limit), or the
  claim is older than ``OUTBOX_CLAIM_TIMEOUT`` (also above the hard time limit), when the sweep
  puts the row back to ``pending``.
* **The one window.** If a worker dies after the mail server accepted the message and before the
  ``sent`` UPDATE commits (a few milliseconds), the message is sent again on recovery: email has no
  idempotent send, and we choose a rare duplicate over a lost notification. Each row's
  ``Message-ID`` is fixed (``<outbox.<id>.<event>@…>``), so mail systems that collapse duplicates
  by Message-ID show it once.

Secrets in bodies
-----------------

Invitations carry a beta link (its token) and security mail a confirmation or password-reset
link. Such a row keeps its body only while it may still be sent: the UPDATE that marks it
``sent`` or ``failed`` for good also replaces ``body_text``/``body_html`` with a short note and
sets ``body_removed_at``. A failed one cannot be retried then (its link is gone with the body):
staff are told to have a new invite issued, or a new email requested, instead.
"""

from __future__ import annotations

import logging
import smtplib
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.html import escape

from catalog import permissions
from catalog.audit import Action
from catalog.errors import Conflict, Forbidden, Invalid, NotFound
from catalog.models import OutboxMessage, User
from catalog.notifications import Kind
from catalog.services.audit import audit_record

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status
SWEEP_BATCH = 500
ERROR_MAX_CHARS = 2000
MARK_SENT_TRIES = 3
# Kinds whose body holds a private link (beta invitation; email confirmation, password reset).
SECRET_KINDS = tuple(sorted(Kind.MANDATORY))
BODY_REMOVED_SENT = "[Body removed after sending: it contained a private link.]"
BODY_REMOVED_FAILED = "[Body removed when delivery failed for good: it contained a private link.]"


def _remove_secret_body(note: str, now: datetime) -> dict:
    """Fields for the UPDATE that ends a delivery: for a secret kind, the bodies become ``note``.

    Decided in the database from each row's own kind, so one UPDATE serves one row or many."""

    def unless_secret(field: str, replacement) -> Case:
        output = OutboxMessage._meta.get_field(field)
        return Case(
            When(kind__in=SECRET_KINDS, then=Value(replacement, output_field=output)),
            default=F(field),
            output_field=output,
        )

    return {
        "body_text": unless_secret("body_text", note),
        "body_html": unless_secret("body_html", f"<p>{escape(note)}</p>"),
        "body_removed_at": unless_secret("body_removed_at", now),
    }


@dataclass(frozen=True)
class DeliveryResult:
    """``outcome``: sent, skipped, retry, failed or claim_lost; ``retry_in`` seconds for retry."""

    outcome: str
    retry_in: float | None = None


def backoff_seconds(attempts: int) -> float:
    """Delay before attempt ``attempts + 1``: base, 2×base, 4×base … capped."""
    base = settings.OUTBOX_RETRY_BASE_SECONDS
    return float(min(base * 2 ** max(attempts - 1, 0), settings.OUTBOX_RETRY_MAX_SECONDS))


def claim_token_for(task_id: str | None, retries: int = 0) -> uuid.UUID:
    """The same broker message (task id and retry number) always yields the same token, so its
    redelivery after a worker died can take over its own claim; anything else cannot."""
    if not task_id:
        return uuid.uuid4()
    return uuid.uuid5(uuid.NAMESPACE_URL, f"outbox-task:{task_id}:{retries}")


def _claim(message_id: int, token: uuid.UUID, now: datetime) -> bool:
    return bool(
        OutboxMessage.objects.filter(pk=message_id)
        .filter(Q(status=Status.PENDING) | Q(status=Status.SENDING, claim_token=token))
        .update(
            status=Status.SENDING, claim_token=token, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def _message_id_header(message: OutboxMessage) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<outbox.{message.pk}.{message.event_id}@{host}>"


def build_email(message: OutboxMessage) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers={
            "Message-ID": _message_id_header(message),
            "X-Portal-Outbox-Id": str(message.pk),
            "X-Portal-Event": message.event,
        },
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    return email


def outbox_deliver(
    *, message_id: int, claim_token: uuid.UUID | None = None, now: datetime | None = None
) -> DeliveryResult:
    """Claim, send, mark sent. Deliberately not one transaction: the claim commits before the
    mail server is contacted, so no row lock or open transaction lasts as long as an SMTP call."""
    token = claim_token or uuid.uuid4()
    now = now or timezone.now()
    if not _claim(message_id, token, now):
        return DeliveryResult("skipped")
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        build_email(message).send(fail_silently=False)
    except Exception as exc:  # noqa: BLE001 - any transport error is recorded and retried
        return _record_failure(
            message, token, f"{type(exc).__name__}: {exc}", permanent=_is_permanent(exc)
        )
    if not _mark_sent(message_id, token):
        logger.warning(
            "outbox message %s was sent but its claim had expired and was taken over", message_id
        )
        return DeliveryResult("claim_lost")
    return DeliveryResult("sent")


def _mark_sent(message_id: int, token: uuid.UUID) -> bool:
    """The email is out: writing that down matters more than anything else in this task, so a
    database blip gets a few more tries (each one on a fresh connection) before giving up."""
    for attempt in range(MARK_SENT_TRIES):
        now = timezone.now()
        try:
            return bool(
                OutboxMessage.objects.filter(
                    pk=message_id, status=Status.SENDING, claim_token=token
                ).update(
                    status=Status.SENT,
                    sent_at=now,
                    next_attempt_at=None,
                    claim_token=None,
                    **_remove_secret_body(BODY_REMOVED_SENT, now),
                )
            )
        except DatabaseError:
            if attempt == MARK_SENT_TRIES - 1 or connection.in_atomic_block:
                raise
            logger.warning("outbox message %s sent; marking it failed, trying again", message_id)
            connection.close()
            time.sleep(0.5 * (attempt + 1))
    return False  # pragma: no cover


def _is_permanent(exc: Exception) -> bool:
    """The mail server refused every recipient with a 5xx code: asking again will not help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        return all(int(code) >= 500 for code, _ in exc.recipients.values())
    return False


def _record_failure(
    message: OutboxMessage, token: uuid.UUID, error: str, *, permanent: bool = False
) -> DeliveryResult:
    now = timezone.now()
    mine = OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING, claim_token=token)
    if permanent or message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        mine.update(
            status=Status.FAILED,
            last_error=error[:ERROR_MAX_CHARS],
            claim_token=None,
            **_remove_secret_body(BODY_REMOVED_FAILED, now),
        )
        logger.error("outbox message %s failed for good: %s", message.pk, error)
        return DeliveryResult("failed")
    delay = backoff_seconds(message.attempts)
    mine.update(
        status=Status.PENDING,
        last_error=error[:ERROR_MAX_CHARS],
        claim_token=None,
        next_attempt_at=now + timedelta(seconds=delay),
    )
    logger.warning("outbox message %s attempt %s failed: %s", message.pk, message.attempts, error)
    return DeliveryResult("retry", retry_in=delay)


@transaction.atomic
def outbox_sweep(*, now: datetime | None = None) -> list[int]:
    """Put back what is stuck and return the ids to queue again.

    * ``sending`` rows whose claim is older than ``OUTBOX_CLAIM_TIMEOUT``: the worker that claimed
      them is gone; back to ``pending`` (or ``failed`` once the attempts are used up).
    * ``pending`` rows due for ``OUTBOX_SWEEP_GRACE`` seconds (new rows whose task never arrived,
      retries whose task was lost).

    A row queued here is not queued again for ``OUTBOX_REQUEUE_AFTER`` seconds, so a long worker
    outage does not fill the queue with copies (a copy would only be skipped by the claim).
    """
    now = now or timezone.now()
    requeue_at = now + timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER)
    expired = now - timedelta(seconds=settings.OUTBOX_CLAIM_TIMEOUT)
    stuck = list(
        OutboxMessage.objects.filter(status=Status.SENDING, claimed_at__lt=expired)
        .select_for_update(skip_locked=True)
        .values_list("pk", "attempts")[:SWEEP_BATCH]
    )
    lost_error = (
        f"Delivery did not finish within {settings.OUTBOX_CLAIM_TIMEOUT:g} s of its claim "
        "(worker lost?)."
    )
    exhausted = [pk for pk, attempts in stuck if attempts >= settings.OUTBOX_MAX_ATTEMPTS]
    revived = [pk for pk, attempts in stuck if attempts < settings.OUTBOX_MAX_ATTEMPTS]
    OutboxMessage.objects.filter(pk__in=exhausted, status=Status.SENDING).update(
        status=Status.FAILED,
        claim_token=None,
        last_error=lost_error,
        **_remove_secret_body(BODY_REMOVED_FAILED, now),
    )
    OutboxMessage.objects.filter(pk__in=revived, status=Status.SENDING).update(
        status=Status.PENDING, claim_token=None, last_error=lost_error, next_attempt_at=requeue_at
    )

    due_before = now - timedelta(seconds=settings.OUTBOX_SWEEP_GRACE)
    due = list(
        OutboxMessage.objects.filter(status=Status.PENDING)
        .annotate(due=Coalesce("next_attempt_at", "created_at"))
        .filter(due__lte=due_before)
        .order_by("due")
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    OutboxMessage.objects.filter(pk__in=due).update(next_attempt_at=requeue_at)
    ids = revived + due
    if stuck or due:
        logger.info(
            "outbox sweep: %s claim(s) expired (%s failed for good), %s pending re-queued",
            len(stuck),
            len(exhausted),
            len(due),
        )
    return ids


@transaction.atomic
def outbox_retry(*, message_id: int, actor: User) -> OutboxMessage:
    """Staff put a failed message back in the queue with a fresh set of attempts."""
    if not (actor.is_active and actor.is_staff and actor.has_perm(permissions.RETRY_OUTBOX)):
        raise Forbidden("Only staff with the retry permission can retry messages.")
    try:
        message = OutboxMessage.objects.select_for_update().get(pk=message_id)
    except (OutboxMessage.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such message.") from None
    if message.status != Status.FAILED:
        raise Conflict(
            f"Only failed messages can be retried; the message to {message.recipient} is "
            f"{message.get_status_display().lower()}.",
        )
    if message.body_removed_at is not None:
        raise Conflict(_why_not_resendable(message))
    old = {"status": message.status, "attempts": message.attempts, "last_error": message.last_error}
    message.status = Status.PENDING
    message.attempts = 0
    message.claim_token = None
    message.next_attempt_at = timezone.now()
    message.save(update_fields=["status", "attempts", "claim_token", "next_attempt_at"])
    audit_record(
        action=Action.OUTBOX_RETRIED,
        actor=actor,
        integration=message.integration,
        partner=message.integration.partner if message.integration else None,
        target=message,
        old_value=old,
        new_value={"status": message.status},
        note=f"{message.event} to {message.recipient}",
    )
    from catalog.notifications import queue_delivery

    ids = [message.pk]
    transaction.on_commit(lambda: queue_delivery(ids), robust=True)
    return message


def _why_not_resendable(message: OutboxMessage) -> str:
    instead = (
        "Issue a new beta invite from the integration's beta page instead, and revoke the old one."
        if message.kind == Kind.INVITATIONS
        else "Ask them to request a new email (a new confirmation or password-reset link) instead."
    )
    return (
        f"The message to {message.recipient} can't be sent again: it contained a private link, "
        f"so its text was removed when delivery failed for good. {instead}"
    )


@transaction.atomic
def email_preferences_update(*, actor: User, receive: list[str]) -> list[str]:
    """Store which optional kinds ``actor`` turned off. Kinds this user is not offered keep their
    stored state; invitations and security mail are not optional and cannot be stored."""
    from catalog.notifications import Kind

    if not actor.is_authenticated or not actor.is_active:
        raise Forbidden("Log in to choose your emails.")
    offered = Kind.optional_for(actor)
    unknown = [k for k in receive if k not in offered]
    if unknown:
        raise Invalid(
            "These are not emails you can choose: " + ", ".join(sorted(unknown)) + ".",
            field="receive",
        )
    user = User.objects.select_for_update().get(pk=actor.pk)
    kept = [k for k in (user.email_opt_outs or []) if k in Kind.OPTIONAL and k not in offered]
    opt_outs = sorted(set(kept) | {k for k in offered if k not in receive})
    if opt_outs != list(user.email_opt_outs or []):
        user.email_opt_outs = opt_outs
        user.save(update_fields=["email_opt_outs"])
    actor.email_opt_outs = opt_outs
    return opt_outs
