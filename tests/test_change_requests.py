"""Change requests for live integrations: submitted with the rules enforced, reviewed by staff,
approval gives the deploy date from the release train and makes the revision live."""

import copy
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from catalog.audit import Action
from catalog.errors import ApplicationError
from catalog.models import (
    AuditLog,
    ChangeRequest,
    FreezeDate,
    OutboxMessage,
    PullRequest,
    ReviewStatus,
    SpecRevision,
    Stage,
)
from catalog.services import change_requests as service
from catalog.services import pull_requests
from tests.fixtures_spec import acme_definition, make_live

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
PR = "https://github.com/segmentio/action-destinations/pull/3100"
VIDEO = "https://www.loom.com/share/0123456789abcdef"


def snapshot():
    return (
        ChangeRequest.objects.count(),
        SpecRevision.objects.count(),
        PullRequest.objects.count(),
        AuditLog.objects.count(),
        OutboxMessage.objects.count(),
    )


@pytest.fixture
def live(integration):
    make_live(integration)
    integration.refresh_from_db()
    return integration


def with_new_field(definition, *, required=False):
    new = copy.deepcopy(definition)
    new["actions"][0]["fields"].append(
        {
            "key": "phone",
            "label": "Phone",
            "description": "",
            "type": "string",
            "required": required,
            "default": "$.properties.phone",
        }
    )
    return new


def submit(actor, integration, definition=None, **kw):
    kw.setdefault("pr_url", PR)
    kw.setdefault("video_url", VIDEO)
    return service.change_request_submit(
        actor=actor,
        integration_id=integration.pk,
        definition=definition or with_new_field(acme_definition(integration)),
        **kw,
    )


# --- Submitting ----------------------------------------------------------------------------------


def test_an_allowed_change_is_filed_with_its_diff_rule_results_and_pull_request(
    partner_user, staff_user, live
):
    change = submit(partner_user, live, summary="Adds the phone field.")
    assert change.status == ChangeRequest.Status.SUBMITTED
    assert change.spec_revision.status == ReviewStatus.SUBMITTED
    assert change.spec_revision.number == 2
    assert change.pull_request.url == PR and change.pull_request.kind == "code"
    assert all(r["passed"] for r in change.rule_results)
    assert len(change.rule_results) == 8
    changed = change.diff["actions"]["changed"][0]
    assert [f["key"] for f in changed["fields"]["added"]] == ["phone"]
    live.refresh_from_db()
    assert live.live_spec.number == 1  # unchanged until approved
    assert AuditLog.objects.filter(action=Action.CHANGE_REQUEST_SUBMITTED).count() == 1
    message = OutboxMessage.objects.get(kind="review_queue")
    assert message.recipient == staff_user.email
    assert f"/staff/change-requests/{change.pk}/" in message.body_text


def test_a_new_required_field_is_refused_naming_the_rule_and_field(partner_user, live):
    before = snapshot()
    with pytest.raises(service.RulesBroken) as refused:
        submit(partner_user, live, with_new_field(acme_definition(live), required=True))
    assert refused.value.status == 422
    assert "No new required field" in refused.value.message
    [result] = refused.value.items
    assert result.rule == "no_new_required_field"
    assert result.problems[0].field == "actions.trackExposure.fields.phone"
    assert snapshot() == before


def test_a_renamed_integration_in_an_uploaded_spec_is_refused(partner_user, live):
    definition = {**acme_definition(live), "name": "Acme Events 2"}
    with pytest.raises(service.RulesBroken) as refused:
        submit(partner_user, live, definition, video_url="")
    assert [r.rule for r in refused.value.items] == ["name_unchanged"]


def test_a_deleted_action_is_refused(partner_user, live):
    definition = acme_definition(live)
    del definition["actions"][1]
    definition["presets"] = definition["presets"][:1]
    with pytest.raises(service.RulesBroken) as refused:
        submit(partner_user, live, definition, video_url="")
    assert [r.rule for r in refused.value.items] == ["no_deleted_action"]
    assert refused.value.items[0].problems[0].field == "actions.trackGoal"


def test_adding_a_field_without_a_video_is_refused(partner_user, live):
    before = snapshot()
    with pytest.raises(service.RulesBroken) as refused:
        submit(partner_user, live, video_url="")
    assert [r.rule for r in refused.value.items] == ["video_for_field_changes"]
    assert snapshot() == before


def test_a_pull_request_used_by_another_integration_is_refused(
    partner_user, other_partner_user, live, other_integration
):
    other_integration.stage = Stage.BUILD
    other_integration.save(update_fields=["stage"])
    pull_requests.pull_request_record(
        actor=other_partner_user,
        integration_id=other_integration.pk,
        url=PR,
        description="Globex changes",
        unit_tests_added=True,
        tested_end_to_end=True,
    )
    before = snapshot()
    with pytest.raises(service.RulesBroken) as refused:
        submit(partner_user, live)
    assert [r.rule for r in refused.value.items] == ["one_integration_per_pull_request"]
    message = refused.value.items[0].problems[0].message
    assert "another integration" in message and "Globex" not in message  # issue 11
    assert snapshot() == before


def test_the_pull_request_link_must_be_on_the_destinations_repository(partner_user, live):
    with pytest.raises(ApplicationError) as refused:
        submit(partner_user, live, pr_url="https://github.com/segmentio/segment-docs/pull/1")
    assert (refused.value.status, refused.value.field) == (422, "pr_url")
    assert ChangeRequest.objects.count() == 0


def test_a_bad_video_link_is_refused(partner_user, live):
    with pytest.raises(ApplicationError) as refused:
        submit(partner_user, live, video_url="javascript:alert(1)")
    assert (refused.value.status, refused.value.field) == (422, "video_url")


def test_an_invalid_spec_is_refused_before_the_rules(partner_user, live):
    definition = acme_definition(live)
    definition["mode"] = "mobile"
    with pytest.raises(ApplicationError) as refused:
        submit(partner_user, live, definition)
    assert refused.value.status == 422
    assert "plugin" in refused.value.items[0].message


def test_an_integration_that_is_not_live_changes_its_spec_directly(partner_user, integration):
    integration.stage = Stage.BUILD
    integration.save(update_fields=["stage"])
    with pytest.raises(ApplicationError) as refused:
        submit(partner_user, integration)
    assert refused.value.status == 409
    assert "spec page" in refused.value.message


def test_one_change_request_at_a_time(partner_user, live):
    submit(partner_user, live)
    before = snapshot()
    with pytest.raises(ApplicationError) as refused:
        submit(partner_user, live, pr_url=PR.replace("3100", "3101"))
    assert refused.value.status == 409
    assert snapshot() == before


def test_without_an_approved_spec_there_is_nothing_to_compare_with(partner_user, integration):
    integration.stage = Stage.PUBLIC
    integration.save(update_fields=["stage"])
    with pytest.raises(ApplicationError) as refused:
        submit(partner_user, integration)
    assert refused.value.status == 409
    assert "partner-support@segment.com" in refused.value.message


def test_another_partners_user_cannot_file_a_change(other_partner_user, live):
    with pytest.raises(ApplicationError) as refused:
        submit(other_partner_user, live)
    assert refused.value.status == 403


def test_the_partners_existing_pull_request_row_is_reused(partner_user, live):
    PullRequest.objects.create(integration=live, url=PR, kind="code")
    change = submit(partner_user, live)
    assert PullRequest.objects.count() == 1
    assert change.pull_request.url == PR


# --- Staff review ------------------------------------------------------------------------------


def test_approval_gives_the_deploy_date_and_makes_the_revision_live(partner_user, staff_user, live):
    change = submit(partner_user, live)
    OutboxMessage.objects.all().delete()
    with time_machine.travel(datetime(2025, 6, 10, 15, 0, tzinfo=LA), tick=False):
        change = service.change_request_review(
            actor=staff_user, change_request_id=change.pk, approve=True
        )
    assert change.status == ChangeRequest.Status.APPROVED
    assert change.deploy_date == date(2025, 6, 11)
    assert change.spec_revision.status == ReviewStatus.APPROVED
    live.refresh_from_db()
    assert live.live_spec_id == change.spec_revision_id
    entry = AuditLog.objects.get(action=Action.CHANGE_REQUEST_APPROVED)
    assert entry.new_value["deploy_date"] == "2025-06-11"
    message = OutboxMessage.objects.get()
    assert message.recipient == partner_user.email and message.kind == "review_results"
    assert "ships Wed 2025-06-11" in message.subject


def test_approval_after_the_tuesday_cut_off_ships_the_next_week(partner_user, staff_user, live):
    change = submit(partner_user, live)
    with time_machine.travel(datetime(2025, 6, 11, 0, 0, tzinfo=LA), tick=False):
        change = service.change_request_review(
            actor=staff_user, change_request_id=change.pk, approve=True
        )
    assert change.deploy_date == date(2025, 6, 18)


def test_approval_skips_a_frozen_wednesday(partner_user, staff_user, live):
    FreezeDate.objects.create(date=date(2025, 6, 11), reason="Company offsite")
    change = submit(partner_user, live)
    with time_machine.travel(datetime(2025, 6, 9, 12, 0, tzinfo=LA), tick=False):
        change = service.change_request_review(
            actor=staff_user, change_request_id=change.pk, approve=True
        )
    assert change.deploy_date == date(2025, 6, 18)


def test_approval_of_a_change_merged_later_uses_the_merge_time(partner_user, staff_user, live):
    change = submit(partner_user, live)
    with time_machine.travel(datetime(2025, 6, 12, 9, 0, tzinfo=LA), tick=False):
        pull_requests.pull_request_set_state(
            actor=staff_user, pull_request_id=change.pull_request_id, state="merged"
        )
    with time_machine.travel(datetime(2025, 6, 10, 9, 0, tzinfo=LA), tick=False):
        change = service.change_request_review(
            actor=staff_user, change_request_id=change.pk, approve=True
        )
    assert change.deploy_date == date(2025, 6, 18)


def test_approval_rechecks_the_rules_and_refuses_when_they_now_fail(
    partner_user, other_partner_user, staff_user, live, other_integration
):
    change = submit(partner_user, live)
    # Meanwhile, another integration recorded the same pull request.
    PullRequest.objects.create(integration=other_integration, url=PR, kind="code")
    before = snapshot()
    with pytest.raises(service.RulesBroken) as refused:
        service.change_request_review(actor=staff_user, change_request_id=change.pk, approve=True)
    assert refused.value.status == 409
    assert [r.rule for r in refused.value.items] == ["one_integration_per_pull_request"]
    assert snapshot() == before
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.SUBMITTED


def test_refusing_needs_a_reason(partner_user, staff_user, live):
    change = submit(partner_user, live)
    with pytest.raises(ApplicationError) as refused:
        service.change_request_review(actor=staff_user, change_request_id=change.pk, approve=False)
    assert (refused.value.status, refused.value.field) == (422, "comment")
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.SUBMITTED


def test_refusing_keeps_the_live_spec_and_tells_the_partner(partner_user, staff_user, live):
    change = submit(partner_user, live)
    OutboxMessage.objects.all().delete()
    change = service.change_request_review(
        actor=staff_user, change_request_id=change.pk, approve=False, comment="Video is private."
    )
    assert change.status == ChangeRequest.Status.REFUSED
    assert change.spec_revision.status == ReviewStatus.CHANGES_REQUESTED
    assert change.deploy_date is None
    live.refresh_from_db()
    assert live.live_spec.number == 1
    assert AuditLog.objects.filter(action=Action.CHANGE_REQUEST_REFUSED).count() == 1
    assert "Video is private." in OutboxMessage.objects.get().body_text
    # A new request may be filed now.
    assert submit(partner_user, live).status == ChangeRequest.Status.SUBMITTED


def test_a_change_request_is_reviewed_once(partner_user, staff_user, live):
    change = submit(partner_user, live)
    service.change_request_review(actor=staff_user, change_request_id=change.pk, approve=True)
    before = snapshot()
    with pytest.raises(ApplicationError) as refused:
        service.change_request_review(
            actor=staff_user, change_request_id=change.pk, approve=False, comment="No"
        )
    assert refused.value.status == 409
    assert snapshot() == before


@pytest.mark.parametrize("who", ["partner_user", "plain_staff_user"])
def test_only_reviewers_decide(request, who, partner_user, live):
    change = submit(partner_user, live)
    before = snapshot()
    with pytest.raises(ApplicationError) as refused:
        service.change_request_review(
            actor=request.getfixturevalue(who), change_request_id=change.pk, approve=True
        )
    assert refused.value.status == 403
    assert snapshot() == before


def test_reviewing_an_unknown_change_request_is_a_404(staff_user):
    with pytest.raises(ApplicationError) as refused:
        service.change_request_review(actor=staff_user, change_request_id=999999, approve=True)
    assert refused.value.status == 404


def test_the_next_change_is_compared_with_the_newly_live_spec(partner_user, staff_user, live):
    first = submit(partner_user, live)
    service.change_request_review(actor=staff_user, change_request_id=first.pk, approve=True)
    # Deleting the field the first change added is not a rule break; the diff shows it removed.
    second = submit(
        partner_user,
        live,
        acme_definition(live),
        pr_url=PR.replace("3100", "3102"),
        video_url="",
    )
    removed = second.diff["actions"]["changed"][0]["fields"]["removed"]
    assert [f["key"] for f in removed] == ["phone"]


def test_a_spec_without_name_or_slug_keeps_the_integrations(partner_user, live):
    definition = with_new_field(acme_definition(live))
    del definition["name"], definition["slug"]
    change = submit(partner_user, live, definition)
    assert change.spec_revision.definition["name"] == "Acme Events"
    assert change.spec_revision.definition["slug"] == "acme-events"
