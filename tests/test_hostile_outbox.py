"""Hostile input against the outbox area (issue 5): the staff outbox filter and its retry, and
email preferences. Each test is a finding: it failed (a 500, or a wrong answer) before its fix."""

import pytest

from catalog.models import OutboxMessage

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status


@pytest.fixture
def failed(integration):
    return OutboxMessage.objects.create(
        event="catalog.integration.promoted",
        kind="stage_changes",
        recipient="owner@acme.example.com",
        subject="Acme Events moved to Spec",
        body_text="moved",
        integration=integration,
        status=Status.FAILED,
        attempts=6,
    )


@pytest.mark.parametrize(
    "query",
    [
        # SQLite (the `make run` database) raised OverflowError on this: a 500
        "integration=99999999999999999999",
        "integration=-5",
        "integration=abc",
    ],
)
def test_a_bad_integration_filter_is_named_on_the_page(staff_client, failed, query):
    # when
    response = staff_client.get(f"/staff/outbox/?{query}")
    # then: the page answers as for any nonsense filter (the area's choice: 200, filters
    # ignored), and says why the hidden integration filter was ignored
    assert response.status_code == 200
    assert "The integration filter takes an integration" in response.content.decode()


def test_a_good_outbox_filter_still_filters(staff_client, failed, integration):
    response = staff_client.get(f"/staff/outbox/?integration={integration.pk}&status=failed")
    assert response.status_code == 200
    assert 'data-status="failed"' in response.content.decode()


# --- Already safe, kept as guards ----------------------------------------------------------------


def test_a_name_with_header_breaks_cannot_add_headers_to_an_email(partner_user, mailoutbox):
    # given an integration whose name (written straight to the database, as no form allows it)
    # tries to end the Subject header and add a Bcc
    from catalog.notifications import Kind, notify
    from catalog.services.outbox import outbox_deliver
    from tests import factories

    sneaky = factories.IntegrationFactory(
        partner=partner_user.partner, name="Acme\r\nBcc: thief@evil.example\r\n\r\nHi"
    )
    # when the stage-move email is written and sent
    [message] = notify(
        event="catalog.integration.promoted",
        kind=Kind.STAGE_CHANGES,
        recipients=[partner_user],
        template="stage_moved",
        context={"old_stage": "Spec", "new_stage": "Build", "note": "", "rolled_back": False},
        integration=sneaky,
    )
    assert outbox_deliver(message_id=message.pk).outcome == "sent"
    # then the subject is one line and nobody else receives it
    [email] = mailoutbox
    assert "\n" not in email.subject and "\r" not in email.subject
    assert email.bcc == [] and email.recipients() == [partner_user.email]
    assert email.message().get_all("Bcc") is None
