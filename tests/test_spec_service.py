"""Spec revisions: partners save and submit, staff approve or request changes."""

import copy

import pytest

from catalog import stages
from catalog.audit import Action
from catalog.errors import ApplicationError
from catalog.models import AuditLog, OutboxMessage, ReviewStatus, SpecRevision, Stage
from catalog.services import spec as service
from catalog.spec_comments import comment_paths
from tests import factories
from tests.fixtures_spec import acme_definition, make_live, make_revision

pytestmark = pytest.mark.django_db


def counts():
    return (
        SpecRevision.objects.count(),
        AuditLog.objects.count(),
        OutboxMessage.objects.count(),
    )


@pytest.fixture
def spec_stage(integration):
    integration.stage = Stage.SPEC
    integration.save(update_fields=["stage"])
    return integration


# --- Saving ---------------------------------------------------------------------------------------


def test_partner_saves_a_draft_as_revision_one(partner_user, spec_stage):
    revision = service.spec_save(
        actor=partner_user, integration_id=spec_stage.pk, definition=acme_definition()
    )
    assert (revision.number, revision.status) == (1, ReviewStatus.DRAFT)
    assert revision.definition["name"] == "Acme Events"
    assert revision.definition["slug"] == "acme-events"
    assert revision.created_by == partner_user
    assert AuditLog.objects.filter(action=Action.SPEC_SAVED, integration=spec_stage).count() == 1
    assert OutboxMessage.objects.count() == 0


def test_each_save_is_a_new_revision(partner_member, spec_stage):
    for _ in range(3):
        revision = service.spec_save(
            actor=partner_member, integration_id=spec_stage.pk, definition=acme_definition()
        )
    assert revision.number == 3
    assert spec_stage.spec_revisions.count() == 3


def test_the_spec_takes_the_integrations_name_and_slug_whatever_was_posted(
    partner_user, spec_stage
):
    definition = {**acme_definition(), "name": "Something Else", "slug": "something-else"}
    revision = service.spec_save(
        actor=partner_user, integration_id=spec_stage.pk, definition=definition
    )
    assert (revision.definition["name"], revision.definition["slug"]) == (
        "Acme Events",
        "acme-events",
    )


def test_submitting_notifies_staff_and_records_the_submission(partner_user, staff_user, spec_stage):
    revision = service.spec_save(
        actor=partner_user, integration_id=spec_stage.pk, definition=acme_definition(), submit=True
    )
    assert revision.status == ReviewStatus.SUBMITTED and revision.submitted_at
    assert AuditLog.objects.filter(action=Action.SPEC_SUBMITTED).count() == 1
    message = OutboxMessage.objects.get()
    assert message.recipient == staff_user.email
    assert message.kind == "review_queue"
    assert "Acme Events r1" in message.subject
    assert f"/staff/integrations/{spec_stage.pk}/spec/r1/" in message.body_text


def test_invalid_spec_is_refused_with_each_problem_and_nothing_is_saved(partner_user, spec_stage):
    definition = acme_definition()
    definition["actions"][0]["fields"][1]["default"] = "$.properties..email"
    definition["settings"][0]["type"] = "secret"
    before = counts()
    with pytest.raises(service.SpecInvalid) as refused:
        service.spec_save(actor=partner_user, integration_id=spec_stage.pk, definition=definition)
    assert refused.value.status == 422
    # both at once: the schema's refusal of the type and the mapping rule's of the default
    assert [e.where for e in refused.value.items] == [
        "actions.0.fields.1.default",
        "settings.0.type",
    ]
    assert counts() == before


def test_device_mode_mobile_is_refused_pointing_to_plugins(partner_user, spec_stage):
    definition = {**acme_definition(), "mode": "device-mobile"}
    with pytest.raises(service.SpecInvalid) as refused:
        service.spec_save(actor=partner_user, integration_id=spec_stage.pk, definition=definition)
    assert "plugin" in refused.value.items[0].message
    assert SpecRevision.objects.count() == 0


def test_submitting_a_spec_without_actions_is_refused_but_a_draft_is_kept(partner_user, spec_stage):
    definition = {**acme_definition(), "actions": [], "presets": []}
    with pytest.raises(service.SpecInvalid) as refused:
        service.spec_save(
            actor=partner_user, integration_id=spec_stage.pk, definition=definition, submit=True
        )
    assert refused.value.items[0].code == "incomplete"
    assert SpecRevision.objects.count() == 0
    draft = service.spec_save(
        actor=partner_user, integration_id=spec_stage.pk, definition=definition
    )
    assert draft.status == ReviewStatus.DRAFT


def test_another_partners_user_cannot_save(other_partner_user, spec_stage):
    before = counts()
    with pytest.raises(ApplicationError) as refused:
        service.spec_save(
            actor=other_partner_user, integration_id=spec_stage.pk, definition=acme_definition()
        )
    assert refused.value.status == 403
    assert counts() == before


def test_staff_cannot_write_a_partners_spec(staff_user, spec_stage):
    with pytest.raises(ApplicationError) as refused:
        service.spec_save(
            actor=staff_user, integration_id=spec_stage.pk, definition=acme_definition()
        )
    assert refused.value.status == 403


def test_a_live_integrations_spec_changes_only_through_a_change_request(partner_user, integration):
    make_live(integration)
    before = counts()
    with pytest.raises(ApplicationError) as refused:
        service.spec_save(
            actor=partner_user, integration_id=integration.pk, definition=acme_definition()
        )
    assert refused.value.status == 409
    assert "change request" in refused.value.message
    assert counts() == before


def test_submitting_while_another_revision_is_in_review_is_refused(partner_user, spec_stage):
    service.spec_save(
        actor=partner_user, integration_id=spec_stage.pk, definition=acme_definition(), submit=True
    )
    before = counts()
    with pytest.raises(ApplicationError) as refused:
        service.spec_save(
            actor=partner_user,
            integration_id=spec_stage.pk,
            definition=acme_definition(),
            submit=True,
        )
    assert refused.value.status == 409
    assert "Revision 1 is already in review" in refused.value.message
    assert counts() == before
    # Drafts may still be saved meanwhile.
    assert (
        service.spec_save(
            actor=partner_user, integration_id=spec_stage.pk, definition=acme_definition()
        ).number
        == 2
    )


def test_unknown_integration_is_a_404(partner_user):
    with pytest.raises(ApplicationError) as refused:
        service.spec_save(actor=partner_user, integration_id=999999, definition=acme_definition())
    assert refused.value.status == 404


# --- Submitting a draft ------------------------------------------------------------------------


def test_a_draft_can_be_submitted_later(partner_user, staff_user, spec_stage):
    draft = make_revision(spec_stage)
    revision = service.spec_submit(
        actor=partner_user, integration_id=spec_stage.pk, number=draft.number
    )
    assert revision.status == ReviewStatus.SUBMITTED
    assert OutboxMessage.objects.filter(kind="review_queue").count() == 1


def test_only_a_draft_can_be_submitted(partner_user, spec_stage):
    approved = make_revision(spec_stage, status="approved")
    with pytest.raises(ApplicationError) as refused:
        service.spec_submit(
            actor=partner_user, integration_id=spec_stage.pk, number=approved.number
        )
    assert refused.value.status == 409
    approved.refresh_from_db()
    assert approved.status == ReviewStatus.APPROVED


def test_submitting_an_unknown_revision_is_a_404(partner_user, spec_stage):
    with pytest.raises(ApplicationError) as refused:
        service.spec_submit(actor=partner_user, integration_id=spec_stage.pk, number=42)
    assert refused.value.status == 404


# --- Staff review ------------------------------------------------------------------------------


@pytest.fixture
def submitted(partner_user, spec_stage):
    return service.spec_save(
        actor=partner_user, integration_id=spec_stage.pk, definition=acme_definition(), submit=True
    )


def test_approving_satisfies_the_spec_gate_and_sets_the_live_spec(
    staff_user, partner_user, submitted
):
    integration = submitted.integration
    assert not stages.checklist(integration)[0].passed
    OutboxMessage.objects.all().delete()
    revision = service.spec_review(actor=staff_user, revision_id=submitted.pk, approve=True)
    assert revision.status == ReviewStatus.APPROVED
    assert revision.reviewed_by == staff_user
    integration.refresh_from_db()
    assert integration.live_spec == revision
    assert stages.checklist(integration)[0].passed
    assert AuditLog.objects.filter(action=Action.SPEC_APPROVED).count() == 1
    message = OutboxMessage.objects.get()
    assert message.recipient == partner_user.email and message.kind == "review_results"
    assert "Spec approved" in message.subject


def test_requesting_changes_keeps_comments_per_field(staff_user, submitted):
    revision = service.spec_review(
        actor=staff_user,
        revision_id=submitted.pk,
        approve=False,
        comment="Close, a few things.",
        field_comments={
            "settings.apiKey": "Say where the key is found.",
            "actions.trackGoal.fields.email": "Map $.context.traits.email instead.",
            "presets": "  ",
        },
    )
    assert revision.status == ReviewStatus.CHANGES_REQUESTED
    assert revision.field_comments == {
        "settings.apiKey": "Say where the key is found.",
        "actions.trackGoal.fields.email": "Map $.context.traits.email instead.",
    }
    assert not stages.checklist(revision.integration)[0].passed
    message = OutboxMessage.objects.filter(kind="review_results").get()
    assert "Setting “API Key” (apiKey): Say where the key is found." in message.body_text


def test_requesting_changes_without_any_comment_is_refused(staff_user, submitted):
    with pytest.raises(ApplicationError) as refused:
        service.spec_review(actor=staff_user, revision_id=submitted.pk, approve=False, comment=" ")
    assert (refused.value.status, refused.value.field) == (422, "comment")
    submitted.refresh_from_db()
    assert submitted.status == ReviewStatus.SUBMITTED


def test_a_comment_on_something_not_in_the_spec_is_refused(staff_user, submitted):
    with pytest.raises(ApplicationError) as refused:
        service.spec_review(
            actor=staff_user,
            revision_id=submitted.pk,
            approve=False,
            field_comments={"settings.nope": "?"},
        )
    assert refused.value.status == 400
    submitted.refresh_from_db()
    assert submitted.status == ReviewStatus.SUBMITTED


@pytest.mark.parametrize("who", ["partner_user", "plain_staff_user", "other_partner_user"])
def test_only_staff_with_the_review_permission_can_review(request, who, submitted):
    actor = request.getfixturevalue(who)
    before = counts()
    with pytest.raises(ApplicationError) as refused:
        service.spec_review(actor=actor, revision_id=submitted.pk, approve=True)
    assert refused.value.status == 403
    assert counts() == before


def test_a_second_review_of_the_same_revision_is_refused(staff_user, submitted):
    service.spec_review(actor=staff_user, revision_id=submitted.pk, approve=True)
    before = counts()
    with pytest.raises(ApplicationError) as refused:
        service.spec_review(actor=staff_user, revision_id=submitted.pk, approve=False, comment="x")
    assert refused.value.status == 409
    assert counts() == before
    submitted.refresh_from_db()
    assert submitted.status == ReviewStatus.APPROVED


def test_a_draft_cannot_be_reviewed(staff_user, spec_stage):
    draft = make_revision(spec_stage)
    with pytest.raises(ApplicationError) as refused:
        service.spec_review(actor=staff_user, revision_id=draft.pk, approve=True)
    assert refused.value.status == 409


def test_reviewing_an_unknown_revision_is_a_404(staff_user):
    with pytest.raises(ApplicationError) as refused:
        service.spec_review(actor=staff_user, revision_id=999999, approve=True)
    assert refused.value.status == 404


def test_comment_paths_follow_the_spec(integration):
    definition = copy.deepcopy(acme_definition())
    paths = [p for p, _ in comment_paths(definition)]
    assert paths[:4] == ["mode", "authentication", "settings.apiKey", "settings.region"]
    assert "actions.trackExposure.fields.userId" in paths
    assert paths[-1] == "presets"


def test_a_partner_without_a_company_cannot_save(spec_stage):
    loner = factories.UserFactory()
    with pytest.raises(ApplicationError) as refused:
        service.spec_save(actor=loner, integration_id=spec_stage.pk, definition=acme_definition())
    assert refused.value.status == 403


def test_the_spec_reads_import_no_service():
    import ast
    from pathlib import Path

    import catalog.selectors.spec as reads

    tree = ast.parse(Path(reads.__file__).read_text())
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    ]
    assert not [name for name in imported if name and name.startswith("catalog.services")]
