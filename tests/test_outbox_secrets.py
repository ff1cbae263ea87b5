"""Private links in the outbox: invitation and security mail keep their body only while it may
still be sent; once sent or failed for good, the row holds a note instead of the link."""

import importlib
import smtplib
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.db import connection

from catalog.errors import ApplicationError
from catalog.models import AuditLog, OutboxMessage
from catalog.notifications import Kind
from catalog.services import accounts
from catalog.services import beta as beta_service
from catalog.services import outbox as service
from tests.data.catalog import in_private_beta

Status = OutboxMessage.Status
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


class RecipientRefusingBackend:
    """The mail server refuses the recipient for good (5xx)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"5.1.1 no such mailbox")})


class DownBackend(RecipientRefusingBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("[Errno 111] Connection refused")


def _table_text() -> str:
    """Every column of every outbox row, as the database holds it."""
    table = connection.ops.quote_name(OutboxMessage._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - name from _meta
        return repr(cursor.fetchall())


def _invite(partner_user, integration, email="customer@shop.example.com") -> str:
    """Issue a beta invite through the service; returns the token in its link."""
    _, token = beta_service.beta_link_issue(
        actor=partner_user, integration_id=integration.pk, email=email
    )
    return token


@pytest.fixture
def beta_integration(integration):
    return in_private_beta(integration)


@pytest.fixture
def no_queue(monkeypatch):
    from catalog import tasks

    calls: list[int] = []
    monkeypatch.setattr(tasks.deliver_outbox_message, "delay", calls.append)
    return calls


def _message(**fields) -> OutboxMessage:
    defaults = {
        "event": "catalog.beta_link.issued",
        "kind": Kind.INVITATIONS,
        "recipient": f"{uuid.uuid4().hex[:8]}@example.com",
        "subject": "You're invited to try Acme Events",
        "body_text": "Open https://portal/beta/SECRET-TOKEN/",
        "body_html": '<a href="https://portal/beta/SECRET-TOKEN/">Open</a>',
    }
    return OutboxMessage.objects.create(**{**defaults, **fields})


# --- After sending ------------------------------------------------------------------------------


def test_sent_invitation_leaves_no_token_in_the_outbox(
    partner_user, beta_integration, django_capture_on_commit_callbacks
):
    # when: issued, committed, delivered (tasks run eagerly without a broker)
    with django_capture_on_commit_callbacks(execute=True):
        token = _invite(partner_user, beta_integration)
    # then: the customer got the link ...
    (email,) = mail.outbox
    assert token in email.body and token in email.alternatives[0][0]
    # ... and the outbox row no longer holds it, in any column
    message = OutboxMessage.objects.get(kind=Kind.INVITATIONS)
    assert message.status == Status.SENT
    assert message.body_text == service.BODY_REMOVED_SENT
    assert service.BODY_REMOVED_SENT in message.body_html
    assert message.body_removed_at == message.sent_at
    assert token not in _table_text()


def test_sent_password_reset_leaves_no_reset_link_in_the_outbox(
    partner_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert accounts.password_reset_send(user=partner_user)
    (email,) = mail.outbox
    reset_url = next(word for word in email.body.split() if word.startswith(settings.SITE_URL))
    uid, secret = urlsplit(reset_url).path.rstrip("/").split("/")[-2:]
    assert default_token_generator.check_token(partner_user, secret)
    assert secret not in _table_text()
    assert OutboxMessage.objects.get().body_text == service.BODY_REMOVED_SENT


def test_sent_confirmation_email_leaves_no_confirmation_link_in_the_outbox(
    db, django_capture_on_commit_callbacks
):
    from tests import factories

    user = factories.UserFactory(email="new@shop.example.com", email_confirmed_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        assert accounts.email_confirmation_resend(email=user.email)
    (email,) = mail.outbox
    token = accounts.confirmation_token(user)
    assert token in email.body
    assert token not in _table_text()


def test_other_kinds_keep_their_body_after_sending(db):
    message = _message(kind=Kind.STAGE_CHANGES, body_text="Acme Events moved to Spec.")
    assert service.outbox_deliver(message_id=message.pk).outcome == "sent"
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.body_text == "Acme Events moved to Spec."
    assert message.body_removed_at is None


# --- While it may still be sent -----------------------------------------------------------------


def test_pending_invitation_keeps_its_body_and_is_still_sent_with_the_link(
    partner_user, beta_integration, no_queue, django_capture_on_commit_callbacks
):
    # given: issued, but no worker has picked it up yet
    with django_capture_on_commit_callbacks(execute=True):
        token = _invite(partner_user, beta_integration)
    message = OutboxMessage.objects.get(kind=Kind.INVITATIONS)
    assert message.status == Status.PENDING and token in message.body_text
    assert message.body_removed_at is None
    # when: a worker sends it
    assert service.outbox_deliver(message_id=message.pk).outcome == "sent"
    # then: the link arrived, and only then left the table
    (email,) = mail.outbox
    assert token in email.body
    assert token not in _table_text()


def test_failed_attempt_that_will_be_retried_keeps_the_body(db, settings):
    settings.EMAIL_BACKEND = "tests.test_outbox_secrets.DownBackend"
    message = _message()
    assert service.outbox_deliver(message_id=message.pk).outcome == "retry"
    message.refresh_from_db()
    assert message.status == Status.PENDING
    assert "SECRET-TOKEN" in message.body_text and message.body_removed_at is None


# --- Failed for good ----------------------------------------------------------------------------


def test_invitation_refused_for_good_loses_its_body(db, settings):
    settings.EMAIL_BACKEND = "tests.test_outbox_secrets.RecipientRefusingBackend"
    message = _message()
    assert service.outbox_deliver(message_id=message.pk).outcome == "failed"
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.body_text == service.BODY_REMOVED_FAILED
    assert message.body_removed_at is not None
    assert "SECRET-TOKEN" not in _table_text()
    assert "550" in message.last_error


def test_security_mail_whose_attempts_run_out_loses_its_body(db, settings):
    settings.EMAIL_BACKEND = "tests.test_outbox_secrets.DownBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 1
    message = _message(kind=Kind.SECURITY, body_text="Reset: https://portal/reset/SECRET-TOKEN/")
    assert service.outbox_deliver(message_id=message.pk).outcome == "failed"
    message.refresh_from_db()
    assert message.body_text == service.BODY_REMOVED_FAILED
    assert "SECRET-TOKEN" not in _table_text()


def test_sweep_failing_a_stuck_invitation_removes_its_body(db, settings):
    settings.OUTBOX_CLAIM_TIMEOUT = 300
    settings.OUTBOX_MAX_ATTEMPTS = 6
    stuck = _message(
        status=Status.SENDING,
        claim_token=uuid.uuid4(),
        claimed_at=NOW - timedelta(minutes=10),
        attempts=6,
    )
    other = _message(
        kind=Kind.STAGE_CHANGES,
        body_text="moved",
        status=Status.SENDING,
        claim_token=uuid.uuid4(),
        claimed_at=NOW - timedelta(minutes=10),
        attempts=6,
    )
    service.outbox_sweep(now=NOW)
    stuck.refresh_from_db()
    other.refresh_from_db()
    assert (stuck.status, stuck.body_text) == (Status.FAILED, service.BODY_REMOVED_FAILED)
    assert stuck.body_removed_at == NOW
    assert (other.status, other.body_text, other.body_removed_at) == (Status.FAILED, "moved", None)


def _failed_without_body(**fields) -> OutboxMessage:
    return _message(
        status=Status.FAILED,
        attempts=1,
        last_error="SMTPRecipientsRefused: 550",
        body_text=service.BODY_REMOVED_FAILED,
        body_html="",
        body_removed_at=NOW,
        **fields,
    )


def _snapshot(message):
    message.refresh_from_db()
    return (message.status, message.attempts, message.body_text, AuditLog.objects.count())


def test_retrying_a_failed_invitation_without_its_body_is_refused(db, staff_user, no_queue):
    message = _failed_without_body(recipient="customer@shop.example.com")
    before = _snapshot(message)
    with pytest.raises(ApplicationError) as refused:
        service.outbox_retry(message_id=message.pk, actor=staff_user)
    assert refused.value.status == 409
    assert "customer@shop.example.com can't be sent again" in refused.value.message
    assert "Issue a new beta invite" in refused.value.message
    assert _snapshot(message) == before
    assert no_queue == []


def test_retrying_failed_security_mail_without_its_body_asks_for_a_new_email(db, staff_user):
    message = _failed_without_body(kind=Kind.SECURITY)
    with pytest.raises(ApplicationError) as refused:
        service.outbox_retry(message_id=message.pk, actor=staff_user)
    assert refused.value.status == 409
    assert "request a new email" in refused.value.message


def test_staff_page_refuses_the_retry_with_409_and_says_why(staff_client, no_queue):
    message = _failed_without_body()
    before = _snapshot(message)
    response = staff_client.post(f"/staff/outbox/{message.pk}/retry/")
    assert response.status_code == 409
    assert "can&#x27;t be sent again" in response.content.decode()
    assert _snapshot(message) == before
    assert no_queue == []


def test_admin_shows_the_note_and_refuses_the_retry(
    staff_client, no_queue, django_capture_on_commit_callbacks
):
    message = _failed_without_body()
    page = staff_client.get(f"/admin/catalog/outboxmessage/{message.pk}/change/")
    assert page.status_code == 200
    assert "Body removed when delivery failed for good" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/catalog/outboxmessage/",
            {"action": "retry_failed", ACTION_CHECKBOX_NAME: [message.pk]},
            follow=True,
        )
    assert "can&#x27;t be sent again" in response.content.decode()
    message.refresh_from_db()
    assert message.status == Status.FAILED and no_queue == []


def test_retrying_a_failed_invitation_that_still_has_its_body_works(db, staff_user, no_queue):
    # failed before bodies were removed (or of a kind without secrets): retry as before
    message = _message(status=Status.FAILED, attempts=6, last_error="timeout")
    service.outbox_retry(message_id=message.pk, actor=staff_user)
    message.refresh_from_db()
    assert message.status == Status.PENDING and "SECRET-TOKEN" in message.body_text


# --- Rows written before this change ------------------------------------------------------------


def test_migration_removes_bodies_of_secret_rows_already_sent_or_failed(db):
    sent = _message(status=Status.SENT)
    failed = _message(kind=Kind.SECURITY, status=Status.FAILED)
    pending = _message()
    other = _message(kind=Kind.STAGE_CHANGES, status=Status.SENT, body_text="moved")
    migration = importlib.import_module("catalog.migrations.0005_outbox_body_removed_at")
    migration.remove_secret_bodies(django_apps, None)
    for m in (sent, failed, pending, other):
        m.refresh_from_db()
    assert sent.body_text == service.BODY_REMOVED_SENT
    assert failed.body_text == service.BODY_REMOVED_FAILED
    assert sent.body_removed_at and failed.body_removed_at
    assert "SECRET-TOKEN" in pending.body_text and pending.body_removed_at is None
    assert other.body_text == "moved" and other.body_removed_at is None
