"""Write notification emails to the outbox, in the caller's transaction.

Rendering happens here, when the event happens, so what is sent is what was true at that moment.
Delivery is the outbox tasks' job (catalog.tasks); ``queue_delivery`` hands the new rows over
after commit.
"""

import logging
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.template import Context
from django.template.loader import get_template, render_to_string

from catalog.models import OutboxMessage, User

logger = logging.getLogger(__name__)


class Kind:
    """Notification kinds. Partner users may turn off the optional ones."""

    STAGE_CHANGES = "stage_changes"
    REVIEW_RESULTS = "review_results"
    REVIEW_QUEUE = "review_queue"
    VERIFICATIONS = "verifications"
    REMINDERS = "reminders"
    INVITATIONS = "invitations"
    SECURITY = "security"
    OPERATIONS = "operations"  # to staff: something in the running system needs a person

    OPTIONAL = {
        STAGE_CHANGES: "Stage moves and roll-backs of my integrations",
        REVIEW_RESULTS: "Review results for specs, metadata and pull requests",
        REVIEW_QUEUE: "Submissions waiting for review (staff)",
        VERIFICATIONS: "Customer verifications from beta links",
        REMINDERS: "Weekly reminder when an integration waits on us for a week",
    }
    MANDATORY = {INVITATIONS, SECURITY, OPERATIONS}
    # Which optional kinds each kind of person receives (the preferences page offers these).
    FOR_PARTNERS = (STAGE_CHANGES, REVIEW_RESULTS, VERIFICATIONS, REMINDERS)
    FOR_STAFF = (REVIEW_QUEUE, VERIFICATIONS)

    @classmethod
    def optional_for(cls, user: User) -> list[str]:
        kinds: list[str] = []
        if user.partner_id is not None:
            kinds += cls.FOR_PARTNERS
        if user.is_staff:
            kinds += [k for k in cls.FOR_STAFF if k not in kinds]
        return kinds


def partner_recipients(integration) -> list[User]:
    if integration.partner_id is None:
        return []
    return list(integration.partner.users.filter(is_active=True).order_by("id"))


def staff_recipients() -> list[User | str]:
    people: list[User | str] = list(
        User.objects.filter(is_staff=True, is_active=True).order_by("id")
    )
    known = {u.email.lower() for u in people}
    people += [e for e in settings.STAFF_NOTIFICATION_EMAILS if e.lower() not in known]
    return people


def _render_plain(name: str, ctx: dict) -> str:
    """Subjects and plain-text bodies are not HTML: render them without autoescaping, so an
    integration called “Tom & Jerry” is not mailed as “Tom &amp; Jerry”."""
    return get_template(name).template.render(Context(ctx, autoescape=False))


def _wants(recipient: User | str, kind: str) -> bool:
    if kind in Kind.MANDATORY or isinstance(recipient, str):
        return True
    return kind not in (recipient.email_opt_outs or [])


def notify(
    *,
    event: str,
    kind: str,
    recipients: Iterable[User | str],
    template: str,
    context: dict,
    integration=None,
    event_id: uuid.UUID | None = None,
) -> list[OutboxMessage]:
    """Render ``templates/emails/<template>.{subject.txt,txt,html}`` once per recipient.

    A periodic task passes a stable ``event_id`` (``stable_event_id``): a second run for the same
    event writes nothing, so a repeated or late beat run never sends twice."""
    if event_id is not None and OutboxMessage.objects.filter(event_id=event_id).exists():
        return []
    event_id = event_id or uuid.uuid4()
    rows: list[OutboxMessage] = []
    seen: set[str] = set()
    for recipient in recipients:
        email = (recipient if isinstance(recipient, str) else recipient.email).strip().lower()
        if not email or email in seen or not _wants(recipient, kind):
            continue
        seen.add(email)
        ctx = {
            "site_url": settings.SITE_URL,
            "integration": integration,
            "recipient": recipient,
            "kind": kind,
            "can_opt_out": kind in Kind.OPTIONAL and not isinstance(recipient, str),
            "preferences_url": f"{settings.SITE_URL}/partner/notifications/",
            **context,
        }
        subject = " ".join(_render_plain(f"emails/{template}.subject.txt", ctx).split())
        rows.append(
            OutboxMessage(
                event_id=event_id,
                event=event,
                kind=kind,
                recipient=email,
                user=None if isinstance(recipient, str) else recipient,
                integration=integration,
                subject=subject[:250],
                body_text=_render_plain(f"emails/{template}.txt", ctx),
                body_html=render_to_string(f"emails/{template}.html", ctx),
            )
        )
    created = OutboxMessage.objects.bulk_create(rows)
    if created:
        ids = [m.pk for m in created if m.pk is not None] or list(
            OutboxMessage.objects.filter(event_id=event_id).values_list("pk", flat=True)
        )
        transaction.on_commit(lambda: queue_delivery(ids), robust=True)
    return created


def stable_event_id(*parts) -> uuid.UUID:
    """The same parts give the same event id (``("reminder", integration.pk, "2026-W49")``)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, "portal-event:" + "/".join(str(p) for p in parts))


def queue_delivery(message_ids: list[int]) -> None:
    """Hand committed outbox rows to the delivery task. A broker that is down must not break the
    request whose change already committed: the rows stay pending and the sweep queues them."""
    from catalog import tasks

    for message_id in message_ids:
        try:
            tasks.deliver_outbox_message.delay(message_id)
        except Exception:  # noqa: BLE001 - kombu/redis errors vary; the sweep is the fallback
            # The broker is unreachable: the next rows would only wait out the same timeout.
            logger.warning(
                "could not queue outbox message %s; the sweep will send it",
                message_id,
                exc_info=True,
            )
            return
