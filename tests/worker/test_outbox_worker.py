"""The outbox against the real thing: redis-server, Celery prefork workers and beat as processes.

Run alone with ``.venv/bin/python -m pytest -m worker``. Each test commits through the real
services (or ``notify``) in this process, publishes to Redis, and reads back the ``.eml`` files
the worker's email backend wrote.
"""

import os
import signal
from collections import Counter

import pytest
from django.db import transaction

from catalog.models import OutboxMessage, Stage
from catalog.notifications import Kind, notify, partner_recipients
from catalog.services.integrations import integration_promote, integration_roll_back
from tests import factories
from tests.worker.conftest import wait_for

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]

Status = OutboxMessage.Status


def _all_sent(expected: int):
    def check():
        rows = list(OutboxMessage.objects.all())
        return len(rows) == expected and all(r.status == Status.SENT for r in rows)

    return check


def _recipients(mailbox) -> Counter:
    return Counter(m["To"] for m in mailbox.messages())


def _ping(integration, *recipients, event="test.ping"):
    """One event (one outbox row per recipient), committed."""
    with transaction.atomic():
        return notify(
            event=event,
            kind=Kind.STAGE_CHANGES,
            recipients=list(recipients),
            template="stage_moved",
            context={"old_stage": "Sign-up", "new_stage": "Spec", "note": "", "actor": None},
            integration=integration,
        )


@pytest.fixture
def ready_integration(partner_user, integration):
    factories.accept_agreements(partner_user)
    return integration


def test_stage_events_produce_exactly_the_expected_emails(
    celery, mailbox, ready_integration, partner_user, partner_member, staff_user
):
    # given: one member opted out of stage mail, one left the company
    factories.PartnerUserFactory(
        email="quiet@acme.example.com",
        partner=partner_user.partner,
        email_opt_outs=[Kind.STAGE_CHANGES],
    )
    factories.PartnerUserFactory(
        email="gone@acme.example.com", partner=partner_user.partner, is_active=False
    )
    mailbox.set("fail-once")  # the first send of all hits an SMTP error and is retried
    celery.worker()
    # when: a promotion and a roll-back, each committed by the real services
    integration_promote(
        integration_id=ready_integration.pk, actor=staff_user, expected_stage=Stage.SIGNUP
    )
    integration_roll_back(
        integration_id=ready_integration.pk,
        actor=staff_user,
        expected_stage=Stage.SPEC,
        reason="The privacy policy link is broken.",
    )
    # and every message queued twice more, so three tasks race for each row on two processes
    from catalog.notifications import queue_delivery

    ids = list(OutboxMessage.objects.values_list("pk", flat=True))
    queue_delivery(ids)
    queue_delivery(ids)
    wait_for(_all_sent(4), what="four messages sent")
    wait_for(lambda: len(mailbox.messages()) >= 4, what="four email files")
    # then: exactly one email per person per event
    sent = mailbox.messages()
    assert sorted((m["To"], m["Subject"]) for m in sent) == sorted(
        [
            ("member@acme.example.com", "Acme Events moved to Spec"),
            ("owner@acme.example.com", "Acme Events moved to Spec"),
            ("member@acme.example.com", "Acme Events was moved back to Sign-up"),
            ("owner@acme.example.com", "Acme Events was moved back to Sign-up"),
        ]
    )
    link = f"/partner/integrations/{ready_integration.pk}/"
    for message in sent:
        parts = {part.get_content_type(): part for part in message.walk()}
        assert "text/plain" in parts and "text/html" in parts
        assert link in parts["text/plain"].get_payload(decode=True).decode()
        assert link in parts["text/html"].get_payload(decode=True).decode()
    assert len({m["Message-ID"] for m in sent}) == 4
    rows = list(OutboxMessage.objects.order_by("pk"))
    assert sorted(r.attempts for r in rows) == [1, 1, 1, 2]
    retried = next(r for r in rows if r.attempts == 2)
    assert "fail-once" in retried.last_error
    assert "test: fail-once" not in "".join(m["Subject"] for m in sent)


def test_worker_process_killed_while_sending_is_replaced_and_each_message_goes_once(
    celery, mailbox, integration
):
    # given: sends hang until released, and a worker with two pool processes
    mailbox.set("slow")
    worker = celery.worker()
    rows = _ping(integration, "a@example.com", "b@example.com", "c@example.com")
    held = wait_for(mailbox.sending_markers, what="a send in progress")
    victim_pid, victim_message = held[0]
    # when: the pool process in the middle of that send is SIGKILLed, then sends are released
    os.kill(victim_pid, signal.SIGKILL)
    wait_for(lambda: "WorkerLostError" in celery.log("worker"), what="the worker to notice")
    mailbox.set("slow", on=False)
    # then: a new pool process took over, and every message went exactly once
    wait_for(_all_sent(len(rows)), what="every message sent")
    assert _recipients(mailbox) == Counter(["a@example.com", "b@example.com", "c@example.com"])
    victim = OutboxMessage.objects.get(pk=victim_message)
    assert victim.attempts == 2  # the killed attempt counts
    log = celery.log("worker")
    assert "exited with 'signal 9 (SIGKILL)'" in log
    assert worker.poll() is None  # the worker itself lives on with a fresh pool process


def test_whole_worker_killed_mid_send_is_recovered_by_the_sweep_once(celery, mailbox, integration):
    # given: a send that hangs, in a worker that then dies with all its processes
    fast_claims = {"OUTBOX_CLAIM_TIMEOUT": "2"}
    mailbox.set("slow")
    first = celery.worker("first", env=fast_claims)
    (row,) = _ping(integration, "solo@example.com")
    wait_for(mailbox.sending_markers, what="the send in progress")
    celery.kill_all(first)
    assert OutboxMessage.objects.get(pk=row.pk).status == Status.SENDING
    mailbox.set("slow", on=False)
    # when: a new worker and beat start (the broker still holds the first task unacknowledged,
    # for its visibility timeout; the sweep does not wait for that)
    celery.worker("second", env=fast_claims)
    celery.beat(env=fast_claims)
    # then: the expired claim is swept back, sent once by the new worker
    wait_for(_all_sent(1), what="the message sent")
    wait_for(lambda: mailbox.messages(), what="the email file")
    assert _recipients(mailbox) == Counter(["solo@example.com"])
    row.refresh_from_db()
    assert row.attempts == 2
    assert "worker lost" in row.last_error


def test_broker_down_at_commit_loses_nothing_the_sweep_sends_it_when_it_returns(
    celery, redis_server, mailbox, integration, partner_user, caplog
):
    # given: a worker and beat running, then the broker goes away
    celery.worker()
    celery.beat()
    redis_server.stop()
    # when: an event commits while nothing can be queued (and the commit does not fail)
    rows = _ping(integration, *partner_recipients(integration), "ops@example.com")
    assert {r.status for r in OutboxMessage.objects.all()} == {Status.PENDING}
    assert "the sweep will send it" in caplog.text
    assert not mailbox.messages()
    # and the broker comes back (empty: it keeps nothing on disk)
    redis_server.start()
    # then: the sweep queues the rows and the worker sends each exactly once
    wait_for(_all_sent(len(rows)), what="every message sent after the broker returned")
    wait_for(lambda: len(mailbox.messages()) >= len(rows), what="the email files")
    assert _recipients(mailbox) == Counter(["owner@acme.example.com", "ops@example.com"])
    assert "sweep" in celery.log("worker")


@pytest.mark.django_db
def test_readyz_reports_a_live_broker_and_names_a_dead_one(client, redis_server, publish_to):
    # given
    publish_to(redis_server.url)
    # when / then
    live = client.get("/readyz")
    assert live.status_code == 200
    assert live.json()["checks"]["broker"] == "ok"
    redis_server.stop()
    dead = client.get("/readyz")
    assert dead.status_code == 503
    assert dead.json()["failed"] == ["broker"]
    assert dead.json()["checks"]["broker"].startswith("failed:")
