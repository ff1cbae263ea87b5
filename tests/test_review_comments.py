"""One review transition, one comment cleaner: a comment that hides text (a bidi control, a
zero-width character) is refused the same way in spec, metadata and change-request reviews,
whether on the whole submission or on one field, naming the field; nothing changes."""

import pytest

from catalog.errors import Invalid
from catalog.models import (
    AuditLog,
    ChangeRequest,
    MetadataRevision,
    OutboxMessage,
    ReviewStatus,
    SpecRevision,
    Stage,
)
from catalog.services import change_requests, spec
from catalog.services import metadata as metadata_service
from catalog.services.review import clean_review_comments
from tests.fixtures_spec import acme_definition, make_live
from tests.test_change_requests import submit as submit_change
from tests.test_metadata_services import complete

HIDDEN = [
    ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE"),
    ("\u200b", "U+200B ZERO WIDTH SPACE"),
    ("\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
]


def counts() -> tuple:
    return (AuditLog.objects.count(), OutboxMessage.objects.count())


@pytest.fixture
def spec_submitted(partner_user, integration):
    integration.stage = Stage.SPEC
    integration.save(update_fields=["stage"])
    return spec.spec_save(
        actor=partner_user, integration_id=integration.pk, definition=acme_definition(), submit=True
    )


@pytest.fixture
def metadata_submitted(partner_user, integration):
    return metadata_service.metadata_save(
        actor=partner_user, integration_id=integration.pk, values=complete(), submit=True
    )


@pytest.fixture
def change_submitted(partner_user, integration):
    make_live(integration)
    integration.refresh_from_db()
    return submit_change(partner_user, integration)


def _review_spec(actor, item, **kw):
    spec.spec_review(actor=actor, revision_id=item.pk, approve=False, **kw)


def _review_metadata(actor, item, **kw):
    metadata_service.metadata_review(
        actor=actor, integration_id=item.integration_id, number=item.number, approve=False, **kw
    )


def _review_change(actor, item, **kw):
    change_requests.change_request_review(
        actor=actor, change_request_id=item.pk, approve=False, **kw
    )


# (fixture, review call, a field a comment may name, its label, the status left in place)
AREAS = {
    "spec": ("spec_submitted", _review_spec, "settings.apiKey", "Setting “API Key” (apiKey)"),
    "metadata": ("metadata_submitted", _review_metadata, "logo", "Logo"),
    "change_request": ("change_submitted", _review_change, "mode", "Mode"),
}


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize(("char", "named"), HIDDEN)
def test_a_hidden_character_in_the_whole_comment_is_refused(request, staff_user, area, char, named):
    fixture, review, _, _ = AREAS[area]
    item = request.getfixturevalue(fixture)
    before = counts()
    with pytest.raises(Invalid) as refused:
        review(staff_user, item, comment=f"Looks fine{char} to me")
    assert refused.value.status == 422
    assert refused.value.field == "comment"
    assert named in refused.value.message and "The comment" in refused.value.message
    item.refresh_from_db()
    assert item.status == "submitted" and item.review_comment == "" and item.reviewed_by is None
    assert counts() == before


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize(("char", "named"), HIDDEN)
def test_a_hidden_character_in_a_field_comment_is_refused_naming_the_field(
    request, staff_user, area, char, named
):
    fixture, review, key, label = AREAS[area]
    item = request.getfixturevalue(fixture)
    before = counts()
    with pytest.raises(Invalid) as refused:
        review(staff_user, item, comment="See the field.", field_comments={key: f"Fix{char} it"})
    assert refused.value.status == 422
    assert refused.value.field == key
    assert refused.value.errors == {key: [refused.value.message]}
    assert f"The comment on “{label}”" in refused.value.message and named in refused.value.message
    item.refresh_from_db()
    assert item.status == "submitted" and item.field_comments == {}
    assert counts() == before


def test_the_change_request_and_its_revision_keep_the_field_comments(staff_user, change_submitted):
    _review_change(staff_user, change_submitted, field_comments={"mode": "Why cloud?"})
    change_submitted.refresh_from_db()
    revision = SpecRevision.objects.get(pk=change_submitted.spec_revision_id)
    assert change_submitted.status == ChangeRequest.Status.REFUSED
    assert change_submitted.field_comments == revision.field_comments == {"mode": "Why cloud?"}
    assert revision.status == ReviewStatus.CHANGES_REQUESTED


def test_line_breaks_and_other_alphabets_are_fine_in_comments():
    comment, comments = clean_review_comments(
        "Two things:\n\t- the logo\r\n- the name «Акме»",
        {"logo": "Use the\nhorizontal one"},
        fields={"logo": "Logo"},
        required=True,
        missing_message="Say why.",
    )
    assert comment.startswith("Two things:\n\t- the logo")
    assert comments == {"logo": "Use the\nhorizontal one"}


def test_the_metadata_review_page_shows_the_refusal_at_the_field(
    client, staff_user, metadata_submitted
):
    client.force_login(staff_user)
    response = client.post(
        f"/staff/integrations/{metadata_submitted.integration_id}/metadata/r1/",
        {"decision": "changes", "comment_logo": "Use the\u202e other one"},
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in " ".join(form.errors["comment_logo"])
    assert MetadataRevision.objects.get().status == ReviewStatus.SUBMITTED
