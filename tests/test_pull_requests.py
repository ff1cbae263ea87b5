"""Pull requests: the partner records code and docs pull requests; staff set the state; the
release train gives the expected deploy date."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from catalog import stages
from catalog.audit import Action
from catalog.errors import ApplicationError
from catalog.models import (
    AuditLog,
    ChangeRequest,
    FreezeDate,
    OutboxMessage,
    PullRequest,
    Stage,
)
from catalog.selectors import spec as spec_selectors
from catalog.services import pull_requests as service
from tests import factories
from tests.fixtures_spec import make_live

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
PR = "https://github.com/segmentio/action-destinations/pull/2101"
DOCS_PR = "https://github.com/segmentio/segment-docs/pull/7001"


def snapshot():
    return (
        list(PullRequest.objects.values()),
        AuditLog.objects.count(),
        OutboxMessage.objects.count(),
    )


@pytest.fixture
def building(integration):
    integration.stage = Stage.BUILD
    integration.save(update_fields=["stage"])
    return integration


def record(actor, integration, **kw):
    kw.setdefault("url", PR)
    kw.setdefault("description", "Adds the Track Goal action.")
    kw.setdefault("unit_tests_added", True)
    kw.setdefault("tested_end_to_end", True)
    return service.pull_request_record(actor=actor, integration_id=integration.pk, **kw)


# --- Recording ---------------------------------------------------------------------------------


def test_partner_records_a_pull_request_and_staff_are_told(partner_user, staff_user, building):
    pr = record(partner_user, building, url=PR + "/")
    assert pr.url == PR
    assert (pr.kind, pr.state) == (PullRequest.Kind.CODE, PullRequest.State.OPEN)
    assert pr.unit_tests_added and pr.tested_end_to_end
    assert AuditLog.objects.filter(action=Action.PULL_REQUEST_RECORDED).count() == 1
    message = OutboxMessage.objects.get()
    assert message.recipient == staff_user.email and message.kind == "review_queue"
    assert PR in message.body_text


@pytest.mark.parametrize(
    ("url", "text"),
    [
        (
            "https://github.com/acme/action-destinations/pull/1",
            "must be on https://github.com/segmentio/action-destinations",
        ),
        (
            "https://github.com.evil.example/segmentio/action-destinations/pull/1",
            "must be on github.com",
        ),
        ("http://github.com/segmentio/action-destinations/pull/1", "https://"),
        ("https://github.com/segmentio/action-destinations/issues/1", "isn't a pull request link"),
        ("javascript:alert(1)", "https://"),
    ],
)
def test_a_link_that_is_not_a_pull_request_on_the_repository_is_refused(
    partner_user, building, url, text
):
    before = snapshot()
    with pytest.raises(ApplicationError) as refused:
        record(partner_user, building, url=url)
    assert (refused.value.status, refused.value.field) == (422, "url")
    assert text in refused.value.message
    assert snapshot() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"description": "  "}, "description"),
        ({"unit_tests_added": False}, "unit_tests_added"),
        ({"tested_end_to_end": False}, "tested_end_to_end"),
        ({"description": "x" * 5001}, "description"),
    ],
)
def test_the_description_and_testing_checklist_are_needed(partner_user, building, change, field):
    before = snapshot()
    with pytest.raises(ApplicationError) as refused:
        record(partner_user, building, **change)
    assert (refused.value.status, refused.value.field) == (422, field)
    assert snapshot() == before


@pytest.mark.parametrize("stage", [Stage.SIGNUP, Stage.SPEC])
def test_recording_before_build_is_refused(partner_user, integration, stage):
    integration.stage = stage
    integration.save(update_fields=["stage"])
    with pytest.raises(ApplicationError) as refused:
        record(partner_user, integration)
    assert refused.value.status == 409
    assert "Build" in refused.value.message
    assert PullRequest.objects.count() == 0


def test_a_live_integration_records_its_next_pull_request_with_a_change_request(
    partner_user, integration
):
    make_live(integration)
    with pytest.raises(ApplicationError) as refused:
        record(partner_user, integration)
    assert refused.value.status == 409 and "change request" in refused.value.message


def test_the_same_pull_request_twice_is_refused(partner_user, building):
    record(partner_user, building)
    before = snapshot()
    with pytest.raises(ApplicationError) as refused:
        record(partner_user, building, url=PR.replace("segmentio", "SegmentIO"))
    assert refused.value.status == 409
    assert snapshot() == before


def test_a_pull_request_recorded_by_another_integration_is_refused(
    partner_user, other_partner_user, building, other_integration
):
    other_integration.stage = Stage.BUILD
    other_integration.save(update_fields=["stage"])
    record(other_partner_user, other_integration)
    before = snapshot()
    with pytest.raises(ApplicationError) as refused:
        record(partner_user, building)
    assert refused.value.status == 409
    assert "One integration per pull request" in refused.value.message
    # another partner's (unlaunched) integration is never named (issue 11)
    assert "already used by another integration" in refused.value.message
    assert "Globex" not in refused.value.message
    assert snapshot() == before


def test_a_pull_request_of_the_same_partners_other_integration_is_named(partner_user, building):
    sibling = factories.IntegrationFactory(
        partner=partner_user.partner, name="Acme Audiences", slug="acme-audiences"
    )
    sibling.stage = Stage.BUILD
    sibling.save(update_fields=["stage"])
    record(partner_user, sibling)
    with pytest.raises(ApplicationError) as refused:
        record(partner_user, building)
    assert "already used by “Acme Audiences”" in refused.value.message


def test_another_partners_user_cannot_record(other_partner_user, building):
    with pytest.raises(ApplicationError) as refused:
        record(other_partner_user, building)
    assert refused.value.status == 403
    assert PullRequest.objects.count() == 0


def test_docs_pull_request_is_on_the_docs_repository_and_satisfies_its_gate_item(
    partner_member, building
):
    pr = service.pull_request_record(
        actor=partner_member, integration_id=building.pk, url=DOCS_PR, kind=PullRequest.Kind.DOCS
    )
    assert pr.kind == PullRequest.Kind.DOCS
    docs_item = next(i for i in stages.checklist(building) if i.key == "docs")
    assert docs_item.passed


def test_a_destinations_link_for_the_docs_pull_request_is_refused(partner_user, building):
    with pytest.raises(ApplicationError) as refused:
        service.pull_request_record(
            actor=partner_user, integration_id=building.pk, url=PR, kind=PullRequest.Kind.DOCS
        )
    assert refused.value.status == 422
    assert "segment-docs" in refused.value.message
    assert PullRequest.objects.count() == 0


def test_an_unknown_kind_is_refused(partner_user, building):
    with pytest.raises(ApplicationError):
        record(partner_user, building, kind="other")


# --- Editing ---------------------------------------------------------------------------------


def test_partner_edits_the_description_and_checklist(partner_user, building):
    pr = record(partner_user, building)
    service.pull_request_update(
        actor=partner_user,
        pull_request_id=pr.pk,
        description="Now with batching.",
        unit_tests_added=True,
        tested_end_to_end=True,
    )
    pr.refresh_from_db()
    assert pr.description == "Now with batching."
    entry = AuditLog.objects.get(action=Action.PULL_REQUEST_UPDATED)
    assert entry.old_value["description"] == "Adds the Track Goal action."


def test_a_merged_pull_request_cannot_be_edited(partner_user, staff_user, building):
    pr = record(partner_user, building)
    service.pull_request_set_state(actor=staff_user, pull_request_id=pr.pk, state="merged")
    with pytest.raises(ApplicationError) as refused:
        service.pull_request_update(
            actor=partner_user,
            pull_request_id=pr.pk,
            description="x",
            unit_tests_added=True,
            tested_end_to_end=True,
        )
    assert refused.value.status == 409


# --- Staff set the state ------------------------------------------------------------------------


def test_merging_waits_for_the_deploy_and_tells_the_partner_the_deploy_date(
    partner_user, staff_user, building
):
    pr = record(partner_user, building)
    OutboxMessage.objects.all().delete()
    merged_at = datetime(2025, 6, 10, 18, 0, tzinfo=LA)  # Tuesday evening
    with time_machine.travel(datetime(2025, 6, 10, 19, 0, tzinfo=LA), tick=False):
        service.pull_request_set_state(
            actor=staff_user, pull_request_id=pr.pk, state="merged", merged_at=merged_at
        )
    pr.refresh_from_db()
    assert pr.state == PullRequest.State.MERGED
    assert pr.merged_at == merged_at and pr.approved_at == merged_at
    assert pr.deploy_date == date(2025, 6, 11) and pr.deployed_at is None
    item = next(i for i in stages.checklist(building) if i.key == "pull_request")
    assert not item.passed and item.state == stages.ItemState.DEPLOYING
    assert "ships Wednesday 2025-06-11" in item.detail
    entry = AuditLog.objects.get(action=Action.PULL_REQUEST_STATE_CHANGED)
    assert entry.new_value["deploy_date"] == "2025-06-11"
    message = OutboxMessage.objects.get()
    assert message.recipient == partner_user.email and message.kind == "review_results"
    assert "ships on Wednesday 2025-06-11" in message.body_text


def test_merged_without_a_time_means_now(partner_user, staff_user, building):
    pr = record(partner_user, building)
    moment = datetime(2025, 6, 12, 9, 0, tzinfo=LA)
    with time_machine.travel(moment, tick=False):
        service.pull_request_set_state(actor=staff_user, pull_request_id=pr.pk, state="merged")
    pr.refresh_from_db()
    assert pr.merged_at == moment


def test_a_merge_time_in_the_future_is_refused(partner_user, staff_user, building):
    pr = record(partner_user, building)
    with pytest.raises(ApplicationError) as refused:
        service.pull_request_set_state(
            actor=staff_user,
            pull_request_id=pr.pk,
            state="merged",
            merged_at=timezone.now() + timedelta(days=1),
        )
    assert (refused.value.status, refused.value.field) == (422, "merged_at")
    pr.refresh_from_db()
    assert pr.state == PullRequest.State.OPEN


def test_setting_the_same_state_again_is_refused(partner_user, staff_user, building):
    pr = record(partner_user, building)
    with pytest.raises(ApplicationError) as refused:
        service.pull_request_set_state(actor=staff_user, pull_request_id=pr.pk, state="open")
    assert refused.value.status == 409


def test_an_unknown_state_is_refused(partner_user, staff_user, building):
    pr = record(partner_user, building)
    with pytest.raises(ApplicationError) as refused:
        service.pull_request_set_state(actor=staff_user, pull_request_id=pr.pk, state="closed")
    assert refused.value.status == 422


def test_going_back_from_merged_clears_the_merge(partner_user, staff_user, building):
    pr = record(partner_user, building)
    service.pull_request_set_state(actor=staff_user, pull_request_id=pr.pk, state="merged")
    service.pull_request_set_state(
        actor=staff_user, pull_request_id=pr.pk, state="changes_requested"
    )
    pr.refresh_from_db()
    assert pr.merged_at is None and pr.approved_at is None
    assert not next(i for i in stages.checklist(building) if i.key == "pull_request").passed


@pytest.mark.parametrize("who", ["partner_user", "plain_staff_user"])
def test_only_reviewers_set_the_state(request, who, partner_user, building):
    pr = record(partner_user, building)
    before = snapshot()
    with pytest.raises(ApplicationError) as refused:
        service.pull_request_set_state(
            actor=request.getfixturevalue(who), pull_request_id=pr.pk, state="merged"
        )
    assert refused.value.status == 403
    assert snapshot() == before


def test_setting_the_state_of_an_unknown_pull_request_is_a_404(staff_user):
    with pytest.raises(ApplicationError) as refused:
        service.pull_request_set_state(actor=staff_user, pull_request_id=999999, state="merged")
    assert refused.value.status == 404


# --- Expected deploy date ------------------------------------------------------------------------


def test_forecast_of_an_open_pull_request_is_for_a_merge_now(partner_user, building):
    pr = record(partner_user, building)
    forecast = spec_selectors.forecast_for(
        pull_request=pr, now=datetime(2025, 6, 10, 23, 59, tzinfo=LA)
    )
    assert forecast.is_estimate and forecast.deploy_date == date(2025, 6, 11)
    forecast = spec_selectors.forecast_for(
        pull_request=pr, now=datetime(2025, 6, 11, 0, 0, tzinfo=LA)
    )
    assert forecast.deploy_date == date(2025, 6, 18)


def test_forecast_skips_frozen_wednesdays_from_the_database(partner_user, building):
    FreezeDate.objects.create(date=date(2025, 6, 11), reason="Summit")
    FreezeDate.objects.create(date=date(2025, 6, 18), reason="Summit")
    pr = record(partner_user, building)
    forecast = spec_selectors.forecast_for(pull_request=pr, now=datetime(2025, 6, 9, 9, tzinfo=LA))
    assert forecast.deploy_date == date(2025, 6, 25)
    assert forecast.skipped_freezes == (date(2025, 6, 11), date(2025, 6, 18))


def test_platform_time_zone_is_configurable(settings, partner_user, building):
    pr = record(partner_user, building)
    moment = datetime(2025, 6, 10, 23, 30, tzinfo=LA)  # Wednesday 06:30 in UTC
    assert spec_selectors.forecast_for(pull_request=pr, now=moment).deploy_date == date(2025, 6, 11)
    settings.PLATFORM_TIME_ZONE = "UTC"
    assert spec_selectors.forecast_for(pull_request=pr, now=moment).deploy_date == date(2025, 6, 18)


def test_merging_after_approval_moves_an_approved_change_to_its_train(
    partner_user, staff_user, integration
):
    make_live(integration)
    from catalog.services import change_requests
    from tests.fixtures_spec import acme_definition

    with time_machine.travel(datetime(2025, 6, 9, 10, 0, tzinfo=LA), tick=False):
        change = change_requests.change_request_submit(
            actor=partner_user,
            integration_id=integration.pk,
            definition=acme_definition(integration),
            pr_url=PR,
        )
        change_requests.change_request_review(
            actor=staff_user, change_request_id=change.pk, approve=True
        )
    change.refresh_from_db()
    assert change.deploy_date == date(2025, 6, 11)
    with time_machine.travel(datetime(2025, 6, 11, 8, 0, tzinfo=LA), tick=False):
        service.pull_request_set_state(
            actor=staff_user, pull_request_id=change.pull_request_id, state="merged"
        )
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.APPROVED
    assert change.deploy_date == date(2025, 6, 18)


def test_a_partner_user_of_no_company_cannot_record(building):
    with pytest.raises(ApplicationError) as refused:
        record(factories.UserFactory(), building)
    assert refused.value.status == 403


def test_a_description_with_a_bidi_override_is_refused(partner_user, building):
    before = snapshot()
    with pytest.raises(ApplicationError) as refused:
        record(partner_user, building, description="Adds \u202eloG kcarT")
    assert refused.value.status == 422
    assert "invisible or control character" in refused.value.message
    assert snapshot() == before
