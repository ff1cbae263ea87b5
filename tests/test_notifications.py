"""notify(): rows written in the caller's transaction, queued only after commit, opt-outs."""

import ast
from pathlib import Path

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.template.loader import get_template

from catalog import tasks
from catalog.models import OutboxMessage, Stage
from catalog.notifications import Kind, notify, queue_delivery, staff_recipients
from catalog.services.integrations import integration_promote
from tests import factories

ROOT = Path(__file__).resolve().parents[1]


def _ping(recipients, *, kind=Kind.STAGE_CHANGES, integration=None, template="stage_moved"):
    return notify(
        event="test.ping",
        kind=kind,
        recipients=recipients,
        template=template,
        context={"old_stage": "Sign-up", "new_stage": "Spec", "note": "", "actor": None},
        integration=integration,
    )


@pytest.fixture
def queued(monkeypatch):
    """Message ids handed to the delivery task, instead of running it."""
    calls: list[int] = []
    monkeypatch.setattr(tasks.deliver_outbox_message, "delay", calls.append)
    return calls


def test_delivery_is_queued_only_after_commit(
    django_capture_on_commit_callbacks, queued, partner_user, integration
):
    # given / when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            rows = _ping([partner_user], integration=integration)
        # then: the row exists, nothing is queued yet
        assert OutboxMessage.objects.filter(pk=rows[0].pk, status="pending").exists()
        assert queued == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert queued == [rows[0].pk]


def test_rolled_back_change_writes_no_row_and_queues_nothing(
    django_capture_on_commit_callbacks, queued, partner_user, integration
):
    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            _ping([partner_user], integration=integration)
            raise RuntimeError("the change failed")
    # then
    assert not OutboxMessage.objects.exists()
    assert callbacks == []
    assert queued == []


def test_refused_promotion_writes_no_row(
    django_capture_on_commit_callbacks, integration, staff_user
):
    # given: the sign-up gate does not hold (no agreements accepted)
    from catalog.errors import ApplicationError

    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ApplicationError):
            integration_promote(
                integration_id=integration.pk, actor=staff_user, expected_stage=Stage.SIGNUP
            )
    # then
    assert not OutboxMessage.objects.exists()
    assert callbacks == []


def test_promotion_in_eager_mode_sends_each_partner_user_one_email(
    django_capture_on_commit_callbacks, integration, partner_user, partner_member, staff_user
):
    # given
    factories.accept_agreements(partner_user)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        integration_promote(
            integration_id=integration.pk, actor=staff_user, expected_stage=Stage.SIGNUP
        )
    # then
    assert sorted(m.to[0] for m in mail.outbox) == [
        "member@acme.example.com",
        "owner@acme.example.com",
    ]
    assert {m.subject for m in mail.outbox} == {"Acme Events moved to Spec"}
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_opted_out_partner_user_gets_no_row(queued, partner_user, partner_member, integration):
    # given
    partner_member.email_opt_outs = [Kind.STAGE_CHANGES]
    partner_member.save()
    # when
    rows = _ping([partner_user, partner_member], integration=integration)
    # then
    assert [r.recipient for r in rows] == ["owner@acme.example.com"]


def test_opting_out_of_one_kind_keeps_the_others(queued, partner_member, integration):
    # given
    partner_member.email_opt_outs = [Kind.REVIEW_RESULTS]
    partner_member.save()
    # when
    rows = _ping([partner_member], integration=integration)
    # then
    assert [r.recipient for r in rows] == ["member@acme.example.com"]


@pytest.mark.parametrize("kind", sorted(Kind.MANDATORY))
def test_mandatory_kinds_ignore_opt_outs(queued, partner_user, integration, kind):
    # given: every kind turned off, even the ones the page does not offer
    partner_user.email_opt_outs = [*Kind.OPTIONAL, *Kind.MANDATORY]
    partner_user.save()
    # when
    rows = _ping([partner_user], kind=kind, integration=integration)
    # then
    assert [r.recipient for r in rows] == ["owner@acme.example.com"]


def test_one_event_writes_one_row_per_address(queued, partner_user, integration):
    # when: the same person named three ways
    rows = _ping([partner_user, "OWNER@acme.example.com ", "owner@acme.example.com"])
    # then
    assert [r.recipient for r in rows] == ["owner@acme.example.com"]


def test_database_refuses_a_second_row_for_one_event_and_recipient(queued, partner_user):
    # given
    (row,) = _ping([partner_user])
    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboxMessage.objects.create(
            event_id=row.event_id,
            event=row.event,
            kind=row.kind,
            recipient=row.recipient,
            subject="again",
            body_text="again",
        )
    assert OutboxMessage.objects.count() == 1


def test_staff_recipients_include_configured_addresses_once(settings, staff_user):
    # given
    settings.STAFF_NOTIFICATION_EMAILS = ["ops@platform.example.com", "STAFF@platform.example.com"]
    # when
    people = staff_recipients()
    # then
    assert people == [staff_user, "ops@platform.example.com"]


def test_subject_and_text_are_plain_text_and_html_is_escaped(queued, partner_user, partner):
    # given
    integration = factories.IntegrationFactory(partner=partner, name="Tom & <Jerry>", slug="tj")
    # when
    (row,) = _ping([partner_user], integration=integration)
    # then
    assert row.subject == "Tom & <Jerry> moved to Spec"
    assert "Tom & <Jerry> moved from Sign-up to Spec." in row.body_text
    assert "Tom &amp; &lt;Jerry&gt;" in row.body_html
    assert "<Jerry>" not in row.body_html


def test_optional_mail_links_to_the_preferences_page(queued, partner_user, integration, settings):
    # when
    (row,) = _ping([partner_user], integration=integration)
    # then
    link = f"{settings.SITE_URL}/partner/notifications/"
    assert link in row.body_text
    assert f'href="{link}"' in row.body_html


def test_mandatory_mail_says_it_cannot_be_turned_off(queued, partner_user, integration):
    # when
    (row,) = _ping([partner_user], kind=Kind.SECURITY, integration=integration)
    # then
    assert "/partner/notifications/" not in row.body_html
    assert "always sent" in row.body_html


def test_queue_delivery_survives_a_broker_that_is_down(monkeypatch, caplog):
    # given
    attempts = []

    def broker_down(message_id):
        attempts.append(message_id)
        raise ConnectionRefusedError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(tasks.deliver_outbox_message, "delay", broker_down)
    # when
    queue_delivery([1, 2, 3])
    # then: no error for the caller, one attempt (the others would wait out the same timeout)
    assert attempts == [1]
    assert "the sweep will send it" in caplog.text


# --- Every email the site emits has its three templates and a link to act on --------------------


def _notify_templates() -> dict[str, list[str]]:
    """template name -> the files that call notify() with it (read from the source)."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "catalog").rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "notify"):
                continue
            for keyword in node.keywords:
                if keyword.arg == "template":
                    for const in ast.walk(keyword.value):
                        if isinstance(const, ast.Constant) and isinstance(const.value, str):
                            found.setdefault(const.value, []).append(path.name)
    return found


TEMPLATES = _notify_templates()


def test_the_source_scan_finds_the_stage_move_email():
    assert "stage_moved" in TEMPLATES


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_emitted_email_has_subject_text_and_html_with_a_link(name):
    for suffix in ("subject.txt", "txt", "html"):
        get_template(f"emails/{name}.{suffix}")  # raises TemplateDoesNotExist
    text = (ROOT / "templates/emails" / f"{name}.txt").read_text()
    html = (ROOT / "templates/emails" / f"{name}.html").read_text()
    assert "_url" in text, f"{name}.txt has no link to the page to act on"
    assert "href=" in html and "_url" in html, f"{name}.html has no link to act on"
    assert '{% extends "emails/_layout.html" %}' in html, f"{name}.html skips the shared layout"
