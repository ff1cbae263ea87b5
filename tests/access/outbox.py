"""Rows for the outbox area: the staff outbox, retry, and a user's email preferences."""

from catalog.models import OutboxMessage
from tests.access import LOGIN, Row, staff_page

ANY_USER = {
    "anonymous": LOGIN,
    "partner": 200,
    "member": 200,
    "other_partner": 200,
    "staff": 200,
    "plain_staff": 200,
}


def setup(world):
    world.failed_message = OutboxMessage.objects.create(
        event="catalog.integration.promoted",
        kind="stage_changes",
        recipient="owner@acme.example.com",
        integration=world.integration,
        subject="Acme Events moved to Spec",
        body_text="Acme Events moved to Spec.",
        status=OutboxMessage.Status.FAILED,
        attempts=6,
        last_error="SMTPRecipientsRefused",
    )


ROWS = [
    Row("staff-outbox", lambda w: "/staff/outbox/", staff_page()),
    Row("staff-storage", lambda w: "/staff/storage/", staff_page()),
    Row("staff-flow", lambda w: "/staff/flow/", staff_page()),
    Row("staff-storage-post", lambda w: "/staff/storage/", staff_page(405), method="post"),
    Row("staff-outbox-failed", lambda w: "/staff/outbox/?status=failed", staff_page()),
    Row(
        "staff-outbox-retry",
        lambda w: f"/staff/outbox/{w.failed_message.pk}/retry/",
        staff_page(302),
        method="post",
    ),
    Row(
        "staff-outbox-retry-get",
        lambda w: f"/staff/outbox/{w.failed_message.pk}/retry/",
        {"staff": 405},
    ),
    Row(
        "staff-outbox-retry-unknown",
        lambda w: "/staff/outbox/999999/retry/",
        {"staff": 404},
        method="post",
    ),
    Row("email-preferences", lambda w: "/partner/notifications/", ANY_USER),
    Row(
        "email-preferences-save",
        lambda w: "/partner/notifications/",
        {**ANY_USER, **{p: 302 for p in ANY_USER if p != "anonymous"}},
        method="post",
        data=lambda w: {"receive": ["verifications"]},
    ),
    Row(
        "email-preferences-mandatory",
        lambda w: "/partner/notifications/",
        {"partner": 422, "staff": 422},
        method="post",
        data=lambda w: {"receive": ["security"]},
    ),
]
