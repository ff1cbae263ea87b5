"""Reminders: a weekly email to a partner idle on its own side, a morning digest of overdue staff
items. Both go through the outbox with a stable event id, so a beat run that is repeated or late
sends nothing twice (one reminder per integration per week, one digest per day)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog.ball import WaitingOn
from catalog.notifications import (
    Kind,
    notify,
    partner_recipients,
    stable_event_id,
    staff_recipients,
)
from catalog.selectors import ball as ball_reads


def _local(now: datetime):
    return now.astimezone(ball_reads.business_calendar().time_zone)


@transaction.atomic
def partner_reminders_send(*, now: datetime | None = None) -> list[int]:
    """Remind each partner whose integration has waited on them for a week; returns the ids of
    the integrations reminded by this run."""
    now = now or timezone.now()
    year, week, _ = _local(now).isocalendar()
    idle_since = now - timedelta(days=settings.PARTNER_IDLE_REMINDER_DAYS)
    reminded = []
    for row in ball_reads.rows_for(ball_reads.in_flight().select_related("partner"), now=now):
        ball = row.ball
        if ball.waiting_on != WaitingOn.PARTNER or ball.since is None or ball.since > idle_since:
            continue
        integration = row.integration
        sent = notify(
            event="catalog.reminder.partner_idle",
            kind=Kind.REMINDERS,
            recipients=partner_recipients(integration),
            template="partner_idle_reminder",
            context={"ball": ball, "days": (now - ball.since).days},
            integration=integration,
            event_id=stable_event_id("partner-idle", integration.pk, f"{year}-W{week:02d}"),
        )
        if sent:
            reminded.append(integration.pk)
    return reminded


@transaction.atomic
def staff_digest_send(*, now: datetime | None = None) -> int:
    """One morning email to staff listing every overdue item; returns how many were listed (0
    when nothing is overdue or today's digest was already written)."""
    now = now or timezone.now()
    overdue = [entry for entry in ball_reads.inbox(now=now) if entry.item.overdue]
    if not overdue:
        return 0
    sent = notify(
        event="catalog.reminder.staff_digest",
        kind=Kind.REVIEW_QUEUE,
        recipients=staff_recipients(),
        template="staff_overdue_digest",
        context={"entries": overdue, "count": len(overdue)},
        event_id=stable_event_id("staff-digest", _local(now).date().isoformat()),
    )
    return len(overdue) if sent else 0
