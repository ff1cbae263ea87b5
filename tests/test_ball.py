"""Who has the ball: the pure rules, and the same rules read from the database for a list."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from catalog import stages
from catalog.ball import Facts, Rules, WaitingOn, who_has_the_ball
from catalog.business_days import BusinessCalendar
from catalog.models import (
    BetaLink,
    ChangeRequest,
    Holiday,
    Integration,
    MetadataRevision,
    PullRequest,
    ReviewStatus,
    SpecRevision,
    Stage,
)
from catalog.selectors import ball as ball_reads
from catalog.tokens import new_token
from tests import factories
from tests.test_promote import satisfy_gate

LA = ZoneInfo("America/Los_Angeles")
TUESDAY = datetime(2026, 12, 1, 14, 5, tzinfo=LA)


def la(*args) -> datetime:
    return datetime(*args, tzinfo=LA)


def rules(now=TUESDAY, holidays=()) -> Rules:
    return Rules(now=now, calendar=BusinessCalendar.of(LA, holidays), deploy_time=time(10))


def item(key, state, passed=False):
    return stages.GateItem(key, key, passed, f"{key} detail", None, state)


def facts(**kw) -> Facts:
    kw.setdefault("integration_id", 1)
    kw.setdefault("name", "Acme Events")
    kw.setdefault("stage", Stage.SPEC)
    kw.setdefault("stage_changed_at", la(2026, 11, 20, 9))
    return Facts(**kw)


# --- The pure rules -----------------------------------------------------------------------------


def test_a_spec_in_review_is_with_staff_due_two_business_days_later():
    ball = who_has_the_ball(
        facts(
            spec_number=3,
            spec_status=ReviewStatus.SUBMITTED,
            spec_submitted_at=TUESDAY,
            checklist=(item("spec", stages.ItemState.IN_REVIEW),),
        ),
        rules(now=TUESDAY + timedelta(hours=1)),
    )
    assert ball.waiting_on == WaitingOn.STAFF
    assert ball.since == TUESDAY
    assert ball.due == la(2026, 12, 3, 14, 5)
    assert not ball.overdue
    assert ball.next_step == "Review spec revision 3."
    assert [i.kind for i in ball.staff_items] == ["spec"]


def test_a_staff_item_past_its_due_time_is_overdue_and_holidays_push_the_due_time():
    pending = facts(
        spec_number=1,
        spec_status=ReviewStatus.SUBMITTED,
        spec_submitted_at=TUESDAY,
        checklist=(item("spec", stages.ItemState.IN_REVIEW),),
    )
    late = rules(now=la(2026, 12, 3, 14, 6))
    assert who_has_the_ball(pending, late).overdue
    with_holiday = rules(now=la(2026, 12, 3, 14, 6), holidays=[date(2026, 12, 2)])
    ball = who_has_the_ball(pending, with_holiday)
    assert ball.due == la(2026, 12, 4, 14, 5) and not ball.overdue


def test_changes_requested_hand_the_ball_to_the_partner_since_the_decision():
    ball = who_has_the_ball(
        facts(
            spec_number=2,
            spec_status=ReviewStatus.CHANGES_REQUESTED,
            spec_reviewed_at=la(2026, 11, 30, 11),
            checklist=(item("spec", stages.ItemState.CHANGES_REQUESTED),),
        ),
        rules(),
    )
    assert ball.waiting_on == WaitingOn.PARTNER
    assert ball.since == la(2026, 11, 30, 11)
    assert ball.due is None and not ball.overdue
    assert ball.next_step == "spec detail"


def test_the_oldest_staff_item_leads_when_several_wait():
    ball = who_has_the_ball(
        facts(
            stage=Stage.BUILD,
            metadata_number=1,
            metadata_status=ReviewStatus.SUBMITTED,
            metadata_submitted_at=la(2026, 11, 27, 9),
            pr_id=5,
            pr_state=PullRequest.State.OPEN,
            pr_state_changed_at=la(2026, 11, 25, 9),
            checklist=(
                item("pull_request", stages.ItemState.IN_REVIEW),
                item("docs", stages.ItemState.MISSING),
                item("metadata", stages.ItemState.IN_REVIEW),
            ),
        ),
        rules(),
    )
    assert ball.waiting_on == WaitingOn.STAFF
    assert [i.kind for i in ball.staff_items] == ["pull_request", "metadata"]
    assert ball.since == la(2026, 11, 25, 9)
    assert ball.next_step == "Review the pull request."


def test_merged_and_waiting_for_wednesday_is_on_the_release_train():
    ball = who_has_the_ball(
        facts(
            stage=Stage.BUILD,
            pr_state=PullRequest.State.MERGED,
            pr_merged_at=la(2026, 11, 29, 15),
            pr_deploy_date=date(2026, 12, 2),
            checklist=(
                item("pull_request", stages.ItemState.DEPLOYING),
                item("docs", stages.ItemState.PASSED, True),
                item("metadata", stages.ItemState.PASSED, True),
            ),
        ),
        rules(),
    )
    assert ball.waiting_on == WaitingOn.RELEASE_TRAIN
    assert ball.since == la(2026, 11, 29, 15)
    assert ball.due == la(2026, 12, 2, 10, 0)
    assert "Wednesday 2026-12-02" in ball.next_step


def test_private_beta_with_invites_out_waits_on_customers_and_expired_links_on_the_partner():
    beta = facts(
        stage=Stage.PRIVATE_BETA,
        invited_at=la(2026, 11, 24, 9),
        link_open_until=la(2026, 12, 24, 9),
        checklist=(item("verification", stages.ItemState.WITH_CUSTOMERS),),
    )
    ball = who_has_the_ball(beta, rules())
    assert (ball.waiting_on, ball.since, ball.due) == (
        WaitingOn.CUSTOMER,
        la(2026, 11, 24, 9),
        None,
    )
    expired = who_has_the_ball(beta, rules(now=la(2026, 12, 28, 9)))
    assert expired.waiting_on == WaitingOn.PARTNER
    assert "expired" in expired.next_step


def test_a_public_integration_has_no_ball_but_keeps_its_change_request_for_staff():
    ball = who_has_the_ball(
        facts(stage=Stage.PUBLIC, change_id=9, change_submitted_at=la(2026, 11, 30, 9)), rules()
    )
    assert ball.waiting_on == ""
    assert [i.kind for i in ball.staff_items] == ["change_request"]


# --- Read from the database ---------------------------------------------------------------------


def _row(integration, now):
    return ball_reads.rows_for(Integration.objects.filter(pk=integration.pk), now=now)[0]


@pytest.mark.django_db
def test_a_gate_that_holds_is_a_promotion_waiting_on_staff(partner_user, integration):
    satisfy_gate(integration, Stage.SIGNUP)
    row = _row(integration, timezone.now())
    assert row.ball.waiting_on == WaitingOn.STAFF
    assert row.ball.staff_items[0].kind == "promotion"


@pytest.mark.django_db
def test_the_checklist_matches_each_item_s_real_state(integration):
    Integration.objects.filter(pk=integration.pk).update(stage=Stage.BUILD)
    PullRequest.objects.create(
        integration=integration,
        url="https://github.com/segmentio/action-destinations/pull/7",
        state=PullRequest.State.CHANGES_REQUESTED,
    )
    MetadataRevision.objects.create(
        integration=integration, number=1, status=ReviewStatus.SUBMITTED, submitted_at=TUESDAY
    )
    row = _row(integration, TUESDAY + timedelta(hours=2))
    states = {i.key: i.state for i in row.checklist}
    assert states == {
        "pull_request": stages.ItemState.CHANGES_REQUESTED,
        "docs": stages.ItemState.MISSING,
        "metadata": stages.ItemState.IN_REVIEW,
    }
    # the metadata revision waits for staff: staff hold the ball, with its due time
    assert row.ball.waiting_on == WaitingOn.STAFF
    assert row.ball.due == la(2026, 12, 3, 14, 5)


@pytest.mark.django_db
def test_holidays_kept_in_the_database_move_the_due_time(integration):
    Holiday.objects.create(date=date(2026, 12, 2), name="Office closed")
    SpecRevision.objects.create(
        integration=integration, number=1, status=ReviewStatus.SUBMITTED, submitted_at=TUESDAY
    )
    Integration.objects.filter(pk=integration.pk).update(stage=Stage.SPEC)
    assert _row(integration, TUESDAY).ball.due == la(2026, 12, 4, 14, 5)


@pytest.mark.django_db
def test_an_integration_rolled_back_with_staff_items_open_keeps_them_with_staff(
    integration,
):
    Integration.objects.filter(pk=integration.pk).update(stage=Stage.SPEC, stage_changed_at=TUESDAY)
    MetadataRevision.objects.create(
        integration=integration,
        number=1,
        status=ReviewStatus.SUBMITTED,
        submitted_at=TUESDAY - timedelta(days=3),
    )
    row = _row(integration, TUESDAY)
    assert row.ball.waiting_on == WaitingOn.STAFF
    assert [i.kind for i in row.ball.staff_items] == ["metadata"]


@pytest.mark.django_db
def test_a_live_change_request_appears_in_the_inbox(integration):
    satisfy_gate(integration, Stage.SPEC)
    Integration.objects.filter(pk=integration.pk).update(stage=Stage.PUBLIC)
    revision = SpecRevision.objects.create(integration=integration, number=2)
    ChangeRequest.objects.create(
        integration=integration,
        spec_revision=revision,
        pr_url="https://github.com/segmentio/action-destinations/pull/8",
        submitted_at=TUESDAY,
    )
    entries = ball_reads.inbox(now=TUESDAY)
    assert [(e.integration.pk, e.item.kind) for e in entries] == [
        (integration.pk, "change_request")
    ]


@pytest.mark.django_db
def test_beta_invitations_put_the_ball_with_customers(integration):
    Integration.objects.filter(pk=integration.pk).update(stage=Stage.PRIVATE_BETA)
    with time_machine.travel(TUESDAY, tick=False):
        BetaLink.objects.create(
            integration=integration,
            email="customer@example.com",
            token_hash=new_token()[1],
            expires_at=TUESDAY + timedelta(days=30),
        )
        row = _row(integration, TUESDAY)
    assert row.ball.waiting_on == WaitingOn.CUSTOMER and row.ball.since == TUESDAY
    assert row.checklist[0].state == stages.ItemState.WITH_CUSTOMERS


@pytest.mark.django_db
def test_nav_counts_reviews_waiting_and_failed_emails_in_one_query(
    integration, django_assert_num_queries
):
    SpecRevision.objects.create(integration=integration, number=1, status=ReviewStatus.SUBMITTED)
    factories.IntegrationFactory(partner=integration.partner, name="Other", slug="other")
    with django_assert_num_queries(1):
        counts = ball_reads.nav_counts()
    assert counts == {"reviews": 1, "failed_emails": 0}
