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
