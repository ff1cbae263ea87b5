"""The “Needs you” inbox, the board's ball, filters and collapsing, over HTTP; query counts stay
constant from 10 to 1,000 integrations in flight."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from catalog.models import Integration, Partner, ReviewStatus, SpecRevision, Stage
from tests import factories

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")


def in_flight(n: int, *, start: int = 0) -> None:
    """``n`` integrations of 10 partners, spread over the stages before public; every spec-stage
    one has a revision in review."""
    partners = Partner.objects.bulk_create(
        [Partner(name=f"Partner {start + k}") for k in range(10)]
    )
    stages = [Stage.SIGNUP, Stage.SPEC, Stage.BUILD, Stage.PRIVATE_BETA]
    now = timezone.now()
    integrations = Integration.objects.bulk_create(
        [
            Integration(
                partner=partners[k % 10],
                name=f"Load {start + k}",
                slug=f"load-{start + k}",
                mode="cloud",
                stage=stages[k % 4],
                stage_changed_at=now - timedelta(days=k % 30),
            )
            for k in range(n)
        ]
    )
    SpecRevision.objects.bulk_create(
        [
            SpecRevision(
                integration=i,
                number=1,
                status=ReviewStatus.SUBMITTED,
                submitted_at=now - timedelta(hours=k),
            )
            for k, i in enumerate(integrations)
            if i.stage == Stage.SPEC
        ]
    )


def test_inbox_lists_staff_items_oldest_first_with_due_and_overdue(staff_client, integration):
    Integration.objects.filter(pk=integration.pk).update(stage=Stage.SPEC)
    other = factories.IntegrationFactory(partner=integration.partner, name="Acme Two", stage="spec")
    SpecRevision.objects.create(
        integration=integration,
        number=1,
        status=ReviewStatus.SUBMITTED,
        submitted_at=datetime(2026, 11, 23, 9, tzinfo=LA),
    )
    SpecRevision.objects.create(
        integration=other,
        number=1,
        status=ReviewStatus.SUBMITTED,
        submitted_at=datetime(2026, 11, 30, 9, tzinfo=LA),
    )
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=LA), tick=False):
        response = staff_client.get("/staff/inbox/")
    assert response.status_code == 200
    entries = response.context["entries"]
    assert [e.integration.name for e in entries] == ["Acme Events", "Acme Two"]
    assert [e.item.overdue for e in entries] == [True, False]
    body = response.content.decode()
    assert "1 overdue" in body
    assert f'href="/staff/integrations/{integration.pk}/spec/r1/"' in body
    assert "Needs you" in body and 'class="nav-count"' in body


def test_staff_land_on_the_inbox(staff_client):
    response = staff_client.get("/")
    assert response.status_code == 302 and response["Location"] == "/staff/inbox/"


@pytest.mark.parametrize("url", ["/staff/inbox/", "/staff/"])
def test_inbox_and_board_cost_the_same_queries_for_10_and_1000_integrations(
    staff_client, django_assert_max_num_queries, url
):
    in_flight(10)
    with django_assert_max_num_queries(10) as ten:
        assert staff_client.get(url).status_code == 200
    in_flight(990, start=10)
    with django_assert_max_num_queries(len(ten.captured_queries)) as thousand:
        response = staff_client.get(url)
    assert response.status_code == 200
    assert len(thousand.captured_queries) == len(ten.captured_queries)
    in_review = SpecRevision.objects.filter(status=ReviewStatus.SUBMITTED).count()
    if url == "/staff/":
        # the board stays usable: each column shows 20 cards and links to the rest
        assert response.context["total"] == 1000
        assert all(len(c["cards"]) <= 20 for c in response.context["columns"])
        assert f"Show all {in_review} in Spec" in response.content.decode()
    else:
        assert len(response.context["entries"]) == in_review


def test_board_one_column_is_paginated(staff_client):
    in_flight(240)
    response = staff_client.get("/staff/", {"stage": "spec", "page": 2})
    assert response.status_code == 200
    [column] = response.context["columns"]
    assert column["count"] == 60 and len(column["cards"]) == 10
    assert response.context["page"].number == 2


def test_board_filters_by_who_has_the_ball_overdue_and_stalled(staff_client, integration):
    Integration.objects.filter(pk=integration.pk).update(stage=Stage.SPEC)
    SpecRevision.objects.create(
        integration=integration,
        number=1,
        status=ReviewStatus.SUBMITTED,
        submitted_at=timezone.now() - timedelta(days=20),
    )
    factories.IntegrationFactory(partner=integration.partner, name="Acme Idle", stage="signup")

    def names(**query):
        response = staff_client.get("/staff/", query)
        assert response.status_code == 200
        return {
            card["integration"].name for c in response.context["columns"] for card in c["cards"]
        }

    assert names(waiting_on="staff") == {"Acme Events"}
    assert names(waiting_on="partner") == {"Acme Idle"}
    assert names(overdue="on") == {"Acme Events"}
    assert names(stalled=10) == {"Acme Events"}
    assert names(partner=integration.partner_id, stage="signup") == {"Acme Idle"}
    assert names(stalled="not a number") == {"Acme Events", "Acme Idle"}  # ignored, form shows it


def test_board_cards_say_who_has_the_ball(staff_client, integration):
    response = staff_client.get("/staff/")
    body = response.content.decode()
    assert 'data-waiting-on="partner"' in body
    assert "Accept the current Partner Program Agreement" in body


def test_partner_dashboard_says_what_they_wait_for(partner_client, integration):
    Integration.objects.filter(pk=integration.pk).update(stage=Stage.SPEC)
    SpecRevision.objects.create(
        integration=integration,
        number=1,
        status=ReviewStatus.SUBMITTED,
        submitted_at=datetime(2026, 12, 1, 14, 5, tzinfo=LA),
    )
    with time_machine.travel(datetime(2026, 12, 1, 15, 0, tzinfo=LA), tick=False):
        body = partner_client.get("/partner/").content.decode()
        detail = partner_client.get(f"/partner/integrations/{integration.pk}/").content.decode()
    assert "With staff" in body and "since Tue 1 Dec 14:05" in body
    assert "decision due Thu 3 Dec 14:05" in body
    assert 'data-state="in_review"' in body and "Fix this" not in body
    assert "With staff" in detail
