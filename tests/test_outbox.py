"""Outbox services: claim, send, mark sent; retries and cap; the sweep; staff retry."""

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone

from catalog import tasks
from catalog.audit import Action
from catalog.errors import ApplicationError, Forbidden
from catalog.models import AuditLog, OutboxMessage
from catalog.services import outbox as service

Status = OutboxMessage.Status
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def _message(**fields) -> OutboxMessage:
    defaults = {
        "event": "catalog.integration.promoted",
        "kind": "stage_changes",
        "recipient": f"{uuid.uuid4().hex[:8]}@example.com",
        "subject": "Acme Events moved to Spec",
        "body_text": "Acme Events moved to Spec.\n\nhttp://portal/partner/integrations/1/",
        "body_html": "<p>Acme Events moved to <strong>Spec</strong>.</p>",
    }
    return OutboxMessage.objects.create(**{**defaults, **fields})


@pytest.fixture
def smtp_down(settings):
    settings.EMAIL_BACKEND = "tests.test_outbox.RefusingBackend"


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("[Errno 111] Connection refused")


@pytest.fixture
def queued(monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(tasks.deliver_outbox_message, "delay", calls.append)
    return calls


# --- Delivery -----------------------------------------------------------------------------------


def test_deliver_sends_text_and_html_and_marks_sent(db, settings):
    # given
    message = _message(recipient="owner@acme.example.com")
    # when
    result = service.outbox_deliver(message_id=message.pk)
    # then
    assert result.outcome == "sent"
    (email,) = mail.outbox
    assert email.to == ["owner@acme.example.com"]
    assert email.from_email == settings.DEFAULT_FROM_EMAIL
    assert email.body == message.body_text
    assert email.alternatives[0][1] == "text/html"
    assert email.extra_headers["Message-ID"].startswith(f"<outbox.{message.pk}.")
    message.refresh_from_db()
    assert (message.status, message.attempts, message.claim_token) == (Status.SENT, 1, None)
    assert message.sent_at is not None


def test_delivering_a_sent_message_again_is_skipped(db):
    # given
    message = _message()
    service.outbox_deliver(message_id=message.pk)
    # when
    result = service.outbox_deliver(message_id=message.pk)
    # then
    assert result.outcome == "skipped"
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.attempts == 1


def test_a_message_claimed_by_another_delivery_is_skipped(db):
    # given: another worker holds the claim
    other = uuid.uuid4()
    message = _message(status=Status.SENDING, claim_token=other, claimed_at=timezone.now())
    # when
    result = service.outbox_deliver(message_id=message.pk, claim_token=uuid.uuid4())
    # then
    assert result.outcome == "skipped"
    assert mail.outbox == []
    message.refresh_from_db()
    assert (message.status, message.claim_token, message.attempts) == (Status.SENDING, other, 0)


def test_the_same_task_message_redelivered_after_its_worker_died_takes_over_its_claim(db):
    # given: the first run of this task message claimed the row, then its process was killed
    token = service.claim_token_for("task-1", 0)
    message = _message(
        status=Status.SENDING, claim_token=token, claimed_at=timezone.now(), attempts=1
    )
    # when: the broker hands out the same message again
    result = service.outbox_deliver(message_id=message.pk, claim_token=token)
    # then
    assert result.outcome == "sent"
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 2)


def test_claim_tokens_differ_per_task_message_and_retry():
    assert service.claim_token_for("t", 0) == service.claim_token_for("t", 0)
    assert service.claim_token_for("t", 0) != service.claim_token_for("t", 1)
    assert service.claim_token_for("t", 0) != service.claim_token_for("u", 0)
    assert service.claim_token_for(None) != service.claim_token_for(None)


@time_machine.travel(NOW, tick=False)
def test_failed_send_records_the_error_and_backs_off(db, smtp_down, settings):
    # given
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    message = _message()
    # when
    result = service.outbox_deliver(message_id=message.pk)
    # then
    assert (result.outcome, result.retry_in) == ("retry", 30)
    message.refresh_from_db()
    assert message.status == Status.PENDING
    assert message.attempts == 1
    assert message.last_error == "ConnectionRefusedError: [Errno 111] Connection refused"
    assert message.next_attempt_at == NOW + timedelta(seconds=30)
    assert message.claim_token is None


def test_backoff_doubles_up_to_the_cap(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    settings.OUTBOX_RETRY_MAX_SECONDS = 200
    assert [service.backoff_seconds(n) for n in range(1, 6)] == [30, 60, 120, 200, 200]


def test_last_allowed_attempt_failing_marks_the_message_failed(db, smtp_down, settings):
    # given
    settings.OUTBOX_MAX_ATTEMPTS = 3
    message = _message(attempts=2)
    # when
    result = service.outbox_deliver(message_id=message.pk)
    # then
    assert result.outcome == "failed"
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 3)
    assert "Connection refused" in message.last_error


class RecipientRefusingBackend(RefusingBackend):
    def send_messages(self, messages):
        import smtplib

        raise smtplib.SMTPRecipientsRefused(
            {messages[0].to[0]: (550, b"5.1.1 mailbox unavailable")}
        )


def test_a_recipient_the_mail_server_refuses_for_good_fails_at_once(db, settings):
    # given
    settings.EMAIL_BACKEND = "tests.test_outbox.RecipientRefusingBackend"
    message = _message(recipient="nobody@example.com")
    # when
    result = service.outbox_deliver(message_id=message.pk)
    # then
    assert result.outcome == "failed"
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 1)
    assert "5.1.1 mailbox unavailable" in message.last_error


def test_task_in_eager_mode_leaves_the_retry_to_the_sweep(db, smtp_down):
    # given
    message = _message()
    # when
    outcome = tasks.deliver_outbox_message.apply(args=[message.pk]).get()
    # then: no retry loop inside the request
    assert outcome == "retry"
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.PENDING, 1)


def test_a_send_that_outlived_its_claim_does_not_mark_the_new_claim_sent(db, monkeypatch):
    # given: while this worker sends, the sweep expires its claim and another worker claims it
    message = _message()
    stolen = uuid.uuid4()

    def slow_send(self, fail_silently=False):
        OutboxMessage.objects.filter(pk=message.pk).update(claim_token=stolen)
        return 1

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", slow_send)
    # when
    result = service.outbox_deliver(message_id=message.pk)
    # then: the other claim stays in charge
    assert result.outcome == "claim_lost"
    message.refresh_from_db()
    assert (message.status, message.claim_token) == (Status.SENDING, stolen)


@pytest.mark.django_db(transaction=True)
def test_a_database_blip_after_sending_does_not_lose_the_sent_mark(monkeypatch):
    # given: the first "sent" UPDATE hits a dropped connection
    from django.db import OperationalError
    from django.db.models.query import QuerySet

    message = _message()
    real_update = QuerySet.update
    blips = []

    def flaky_update(self, **values):
        if values.get("status") == Status.SENT and not blips:
            blips.append(1)
            raise OperationalError("server closed the connection unexpectedly")
        return real_update(self, **values)

    monkeypatch.setattr(QuerySet, "update", flaky_update)
    monkeypatch.setattr(service.time, "sleep", lambda seconds: None)
    # when
    result = service.outbox_deliver(message_id=message.pk)
    # then
    assert result.outcome == "sent"
    assert blips == [1]
    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.get(pk=message.pk).status == Status.SENT


@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_one_message_at_once_send_it_once():
    # given
    message = _message()
    start = threading.Barrier(2)
    outcomes = []

    def worker():
        try:
            start.wait()
            outcomes.append(service.outbox_deliver(message_id=message.pk).outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert sorted(outcomes) == ["sent", "skipped"]
    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.get(pk=message.pk).attempts == 1


# --- Sweep --------------------------------------------------------------------------------------


@pytest.fixture
def sweep_settings(settings):
    settings.OUTBOX_CLAIM_TIMEOUT = 300
    settings.OUTBOX_SWEEP_GRACE = 60
    settings.OUTBOX_REQUEUE_AFTER = 300
    settings.OUTBOX_MAX_ATTEMPTS = 6
    return settings


def test_sweep_requeues_pending_rows_nobody_picked_up(db, sweep_settings):
    # given
    old = _message(created_at=NOW - timedelta(minutes=5))
    retry_due = _message(next_attempt_at=NOW - timedelta(minutes=2))
    fresh = _message(created_at=NOW - timedelta(seconds=10))
    waiting = _message(created_at=NOW - timedelta(hours=1), next_attempt_at=NOW + timedelta(1))
    sent = _message(created_at=NOW - timedelta(hours=1), status=Status.SENT)
    failed = _message(created_at=NOW - timedelta(hours=1), status=Status.FAILED)
    # when
    ids = service.outbox_sweep(now=NOW)
    # then
    assert sorted(ids) == sorted([old.pk, retry_due.pk])
    assert fresh.pk not in ids and waiting.pk not in ids
    assert sent.pk not in ids and failed.pk not in ids
    old.refresh_from_db()
    assert old.next_attempt_at == NOW + timedelta(seconds=300)


def test_sweep_does_not_queue_the_same_row_again_at_once(db, sweep_settings):
    # given
    _message(created_at=NOW - timedelta(minutes=5))
    service.outbox_sweep(now=NOW)
    # when
    again = service.outbox_sweep(now=NOW + timedelta(minutes=1))
    later = service.outbox_sweep(now=NOW + timedelta(minutes=7))
    # then
    assert again == []
    assert len(later) == 1


def test_sweep_puts_back_a_claim_whose_worker_is_gone(db, sweep_settings):
    # given
    stuck = _message(
        status=Status.SENDING,
        claim_token=uuid.uuid4(),
        claimed_at=NOW - timedelta(minutes=10),
        attempts=1,
    )
    busy = _message(
        status=Status.SENDING, claim_token=uuid.uuid4(), claimed_at=NOW - timedelta(seconds=20)
    )
    # when
    ids = service.outbox_sweep(now=NOW)
    # then
    assert ids == [stuck.pk]
    stuck.refresh_from_db()
    assert (stuck.status, stuck.claim_token) == (Status.PENDING, None)
    assert "worker lost" in stuck.last_error
    busy.refresh_from_db()
    assert busy.status == Status.SENDING


def test_sweep_fails_a_stuck_claim_that_used_up_its_attempts(db, sweep_settings):
    # given
    stuck = _message(
        status=Status.SENDING,
        claim_token=uuid.uuid4(),
        claimed_at=NOW - timedelta(minutes=10),
        attempts=6,
    )
    # when
    ids = service.outbox_sweep(now=NOW)
    # then
    assert ids == []
    stuck.refresh_from_db()
    assert stuck.status == Status.FAILED


def test_sweep_task_sends_what_was_stuck(db, sweep_settings):
    # given: a row whose task never reached a worker
    with time_machine.travel(timezone.now() - timedelta(minutes=5)):
        message = _message(recipient="late@example.com")
    # when
    count = tasks.sweep_outbox.apply().get()
    # then
    assert count == 1
    assert [m.to for m in mail.outbox] == [["late@example.com"]]
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_beat_schedules_the_sweep(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["outbox-sweep"]
    assert entry["task"] == "catalog.tasks.outbox.sweep_outbox"
    assert entry["task"] in tasks.sweep_outbox.app.tasks


def test_delivery_task_is_acked_late_and_redelivered_when_its_worker_is_lost():
    task = tasks.deliver_outbox_message
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True


# --- Staff retry --------------------------------------------------------------------------------


def test_staff_retry_puts_a_failed_message_back_and_records_it(
    db, staff_user, integration, queued, django_capture_on_commit_callbacks
):
    # given
    message = _message(
        status=Status.FAILED, attempts=6, last_error="SMTP 554", integration=integration
    )
    # when
    with django_capture_on_commit_callbacks(execute=True):
        service.outbox_retry(message_id=message.pk, actor=staff_user)
    # then
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.PENDING, 0)
    assert queued == [message.pk]
    entry = AuditLog.objects.get(action=Action.OUTBOX_RETRIED)
    assert entry.actor == staff_user
    assert entry.integration == integration
    assert entry.old_value == {"status": "failed", "attempts": 6, "last_error": "SMTP 554"}
    assert entry.target_id == str(message.pk)


@pytest.mark.parametrize("status", [Status.PENDING, Status.SENDING, Status.SENT])
def test_staff_retry_of_a_message_that_did_not_fail_is_refused(db, staff_user, queued, status):
    # given
    message = _message(status=status, attempts=1)
    # when
    with pytest.raises(ApplicationError) as refused:
        service.outbox_retry(message_id=message.pk, actor=staff_user)
    # then
    assert refused.value.status == 409
    assert "Only failed messages can be retried" in refused.value.message
    message.refresh_from_db()
    assert (message.status, message.attempts) == (status, 1)
    assert not AuditLog.objects.exists()


def test_retry_without_the_permission_is_refused(db, plain_staff_user, partner_user, queued):
    # given
    message = _message(status=Status.FAILED, attempts=6)
    # when / then
    for person in (plain_staff_user, partner_user):
        with pytest.raises(Forbidden):
            service.outbox_retry(message_id=message.pk, actor=person)
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert not AuditLog.objects.exists()


def test_retry_of_an_unknown_message_is_404(db, staff_user):
    with pytest.raises(ApplicationError) as refused:
        service.outbox_retry(message_id=999999, actor=staff_user)
    assert refused.value.status == 404
