"""The pipeline flow: stage and waiting-time statistics (pure), read from the database, and the
staff page that draws them."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from catalog import flow
from catalog.audit import Action
from catalog.models import AuditLog, ReviewStatus, Stage
from catalog.selectors import flow as flow_selectors
from tests.fixtures_spec import make_revision


def at(days: float) -> datetime:
    """``days`` before a fixed now."""
    return datetime(2026, 11, 30, 12, tzinfo=UTC) - timedelta(days=days)


def test_percentiles_by_nearest_rank():
    values = [float(v) for v in range(1, 11)]
    assert flow.percentile(values, 0.5) == 5
    assert flow.percentile(values, 0.9) == 9
    assert flow.percentile([7.0], 0.9) == 7
    assert flow.percentile([], 0.5) is None


def test_stage_stays_count_until_the_next_move_and_ongoing_ones_until_now():
    moves = [
        (1, at(10), Stage.SIGNUP),
        (1, at(8), Stage.SPEC),
        (1, at(2), Stage.BUILD),  # still in build
        (2, at(200), Stage.SIGNUP),
        (2, at(150), Stage.SPEC),  # left signup long before the window: not counted
    ]
    spent = flow.stage_durations(moves, since=at(90), now=at(0))
    assert sorted(spent) == [Stage.BUILD, Stage.SIGNUP, Stage.SPEC]
    assert spent[Stage.SIGNUP] == [2 * 86400]
    assert sorted(spent[Stage.SPEC]) == [6 * 86400, 150 * 86400]  # 2 is still in spec
    assert spent[Stage.BUILD] == [2 * 86400]


def test_hours_read_as_hours_then_days():
    assert flow.human(None) == "—"
    assert flow.human(3.5) == "3.5 h"
    assert flow.human(72) == "3.0 d"


@pytest.mark.django_db
def test_the_database_gives_stage_and_side_bars(integration, staff_user):
    # given: registered 10 days ago, in spec 8 days ago; a spec reviewed after 2 days
    type(integration).objects.filter(pk=integration.pk).update(
        created_at=timezone.now() - timedelta(days=10)
    )
    entry = AuditLog.objects.create(
        action=Action.INTEGRATION_PROMOTED,
        integration=integration,
        new_value={"stage": Stage.SPEC},
    )
    AuditLog.objects.filter(pk=entry.pk).update(created_at=timezone.now() - timedelta(days=8))
    revision = make_revision(integration, status=ReviewStatus.CHANGES_REQUESTED)
    type(revision).objects.filter(pk=revision.pk).update(
        submitted_at=timezone.now() - timedelta(days=5),
        reviewed_at=timezone.now() - timedelta(days=3),
    )
    # when
    stages = {b.label: b for b in flow_selectors.stage_bars()}
    sides = {b.label.split(" ")[0]: b for b in flow_selectors.side_bars()}
    # then
    signup = stages[Stage.SIGNUP.label]
    assert signup.count == 1 and round(signup.median) == 48  # two days in sign-up
    assert stages[Stage.SPEC.label].count == 1  # still in spec, counted until now
    assert round(sides["Staff"].median) == 48  # two days to decide
    assert round(sides["Partner"].median) == 72  # three days without an answer so far


@pytest.mark.django_db
def test_the_flow_page_draws_the_chart_with_its_numbers_in_a_table(
    staff_client, integration, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        response = staff_client.get("/staff/flow/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="flow-bar"' in body and 'aria-label="Time in each stage: median' in body
    assert "Time in each stage" in body and "90th percentile" in body
