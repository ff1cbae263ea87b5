"""Metadata services: save, submit, review, storage failures, thumbnails, the gate."""

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from catalog import cache, stages
from catalog.errors import ApplicationError, Forbidden
from catalog.models import (
    AuditLog,
    Category,
    Integration,
    MetadataImage,
    MetadataRevision,
    OutboxMessage,
    ReviewStatus,
    Stage,
)
from catalog.notifications import Kind
from catalog.services import metadata as svc
from tests import factories
from tests.validation import samples

PR = "https://github.com/segmentio/action-destinations/pull/1234"


def complete(**overrides) -> svc.MetadataInput:
    values = svc.MetadataInput(
        name="Acme Events",
        pr_url=PR,
        description="Send **events** to Acme.\n\n- fast\n- simple",
        website="https://acme.example.com",
        primary_category="analytics",
        secondary_category="",
        support_email="support@acme.example.com",
        logo=samples.LOGO_SVG,
        mark=samples.MARK_SVG,
        screenshots=[svc.ScreenshotInput(), svc.ScreenshotInput()],
    )
    for key, value in overrides.items():
        setattr(values, key, value)
    return values


def stored_files() -> set[str]:
    try:
        return set(default_storage.listdir("assets")[1])
    except FileNotFoundError:
        return set()


def counts() -> tuple:
    return (
        MetadataRevision.objects.count(),
        MetadataImage.objects.count(),
        AuditLog.objects.count(),
        OutboxMessage.objects.count(),
    )


@pytest.fixture
def submitted(partner_user, integration):
    return svc.metadata_save(
        actor=partner_user, integration_id=integration.pk, values=complete(), submit=True
    )


# --- Saving --------------------------------------------------------------------------------------


def test_save_draft_with_missing_fields_is_allowed(partner_user, integration):
    revision = svc.metadata_save(
        actor=partner_user,
        integration_id=integration.pk,
        values=svc.MetadataInput(name="Acme Events", description="Draft"),
    )
    assert revision.number == 1
    assert revision.status == ReviewStatus.DRAFT
    assert revision.description_html == "<p>Draft</p>"
    assert AuditLog.objects.filter(
        action="catalog.metadata.saved", integration=integration
    ).exists()


def test_save_stores_files_under_random_names(partner_user, integration):
    revision = svc.metadata_save(
        actor=partner_user,
        integration_id=integration.pk,
        values=complete(logo=samples.LOGO_SVG),
    )
    assert revision.logo.name.startswith("assets/") and revision.logo.name.endswith(".svg")
    assert "logo" not in revision.logo.name
    assert revision.logo.name != revision.mark.name
    with default_storage.open(revision.logo.name) as fh:
        assert fh.read() == samples.LOGO_SVG
    assert revision.asset_report["ok"] is True
    assert revision.asset_report["logo"]["name"] == revision.logo.name


def test_each_save_is_a_new_revision_carrying_unchanged_files(partner_user, integration):
    first = svc.metadata_save(actor=partner_user, integration_id=integration.pk, values=complete())
    second = svc.metadata_save(
        actor=partner_user,
        integration_id=integration.pk,
        values=complete(logo=None, mark=None, description="Changed"),
    )
    assert (first.number, second.number) == (1, 2)
    assert second.logo.name == first.logo.name
    assert second.mark.name == first.mark.name
    assert second.asset_report["ok"] is True
    assert second.description == "Changed"


def test_draft_with_a_hostile_file_is_refused_and_nothing_is_stored(partner_user, integration):
    before, files = counts(), stored_files()
    with pytest.raises(svc.MetadataInvalid) as caught:
        svc.metadata_save(
            actor=partner_user,
            integration_id=integration.pk,
            values=complete(logo=samples.SCRIPT_SVG, mark=samples.MARK_SVG),
        )
    assert caught.value.status == 422
    assert [p.code for p in caught.value.errors["logo"]] == ["svg.script"]
    assert "nothing was saved" in caught.value.message
    assert counts() == before
    assert stored_files() == files


def test_draft_with_invalid_text_is_refused(partner_user, integration):
    before = counts()
    with pytest.raises(svc.MetadataInvalid) as caught:
        svc.metadata_save(
            actor=partner_user,
            integration_id=integration.pk,
            values=svc.MetadataInput(website="javascript:alert(1)"),
        )
    assert caught.value.errors["website"][0].code == "website.scheme"
    assert counts() == before


def test_submit_reports_every_problem_at_once_and_saves_nothing(partner_user, integration):
    before, files = counts(), stored_files()
    values = complete(
        name="",
        pr_url="https://github.com/someone/else/pull/1",
        description="<script>alert(1)</script>",
        website="ftp://acme.example.com",
        primary_category="",
        support_email="not an address",
        logo=samples.SCRIPT_SVG,
        mark=None,
        screenshots=[
            svc.ScreenshotInput(content=b"GIF89a....."),
            svc.ScreenshotInput(caption="Alone"),
        ],
    )
    with pytest.raises(svc.MetadataInvalid) as caught:
        svc.metadata_save(
            actor=partner_user, integration_id=integration.pk, values=values, submit=True
        )
    errors = caught.value.errors
    assert {
        "name",
        "pr_url",
        "description",
        "website",
        "primary_category",
        "support_email",
        "logo",
        "mark",
        "screenshot_1",
        "caption_2",
    } <= set(errors)
    assert errors["mark"][0].code == "mark.required"
    assert errors["screenshot_1"][0].code == "image.format"
    assert errors["caption_2"][0].code == "caption.without_image"
    assert counts() == before
    assert stored_files() == files


def test_submit_with_only_warnings_goes_through(partner_user, integration):
    revision = svc.metadata_save(
        actor=partner_user,
        integration_id=integration.pk,
        values=complete(logo=samples.TALL_LOGO_SVG),
        submit=True,
    )
    assert revision.status == ReviewStatus.SUBMITTED
    codes = [w["code"] for w in revision.asset_report["logo"]["warnings"]]
    assert codes == ["svg.logo_not_horizontal"]


def test_submit_notifies_staff(staff_user, submitted, integration):
    messages = OutboxMessage.objects.filter(event="catalog.metadata.submitted")
    assert [m.recipient for m in messages] == [staff_user.email]
    assert messages[0].kind == Kind.REVIEW_QUEUE
    assert f"r{submitted.number}" in messages[0].subject
    assert f"/staff/integrations/{integration.pk}/metadata/r1/" in messages[0].body_text


def test_second_submission_while_one_is_in_review_is_refused(partner_user, integration, submitted):
    before = counts()
    with pytest.raises(ApplicationError) as caught:
        svc.metadata_save(
            actor=partner_user,
            integration_id=integration.pk,
            values=complete(logo=None, mark=None),
            submit=True,
        )
    assert caught.value.status == 409
    assert "r1 is already in review" in caught.value.message
    assert counts() == before


def test_saving_from_a_stale_form_is_refused(partner_user, partner_member, integration):
    svc.metadata_save(
        actor=partner_user, integration_id=integration.pk, values=complete(), base_number=0
    )
    before = counts()
    with pytest.raises(ApplicationError) as caught:
        svc.metadata_save(
            actor=partner_member, integration_id=integration.pk, values=complete(), base_number=0
        )
    assert caught.value.status == 409
    assert "Someone saved revision r1" in caught.value.message
    assert counts() == before


def test_another_partner_cannot_save(other_partner_user, integration):
    before = counts()
    with pytest.raises(Forbidden):
        svc.metadata_save(
            actor=other_partner_user, integration_id=integration.pk, values=complete()
        )
    assert counts() == before


def test_staff_cannot_save_a_partners_metadata(staff_user, integration):
    with pytest.raises(Forbidden):
        svc.metadata_save(actor=staff_user, integration_id=integration.pk, values=complete())


def test_name_taken_by_another_integration_ignoring_case_is_refused(
    partner_user, integration, other_integration
):
    with pytest.raises(svc.MetadataInvalid) as caught:
        svc.metadata_save(
            actor=partner_user, integration_id=integration.pk, values=complete(name="GLOBEX sync")
        )
    assert caught.value.errors["name"][0].code == "name.taken"


def test_name_is_frozen_in_private_beta(partner_user, integration):
    Integration.objects.filter(pk=integration.pk).update(stage=Stage.PRIVATE_BETA)
    before = counts()
    with pytest.raises(svc.MetadataInvalid) as caught:
        svc.metadata_save(
            actor=partner_user, integration_id=integration.pk, values=complete(name="Acme Events 2")
        )
    assert caught.value.errors["name"][0].code == "name.frozen"
    assert counts() == before
    kept = svc.metadata_save(actor=partner_user, integration_id=integration.pk, values=complete())
    assert kept.name == "Acme Events"


def test_pull_request_of_another_integration_is_refused(
    partner_user, integration, other_integration, other_partner_user
):
    svc.metadata_save(
        actor=other_partner_user,
        integration_id=other_integration.pk,
        values=complete(name="Globex Sync"),
    )
    with pytest.raises(svc.MetadataInvalid) as caught:
        svc.metadata_save(actor=partner_user, integration_id=integration.pk, values=complete())
    assert caught.value.errors["pr_url"][0].code == "pr_url.other_integration"
    message = caught.value.errors["pr_url"][0].message
    assert "another integration" in message and "Globex" not in message


# --- Screenshots ---------------------------------------------------------------------------------


def test_screenshot_is_stored_without_exif_and_gets_a_thumbnail(
    partner_user, integration, django_capture_on_commit_callbacks
):
    upload = samples.jpeg(1600, 1000, exif=samples.gps_exif())
    with django_capture_on_commit_callbacks(execute=True):
        revision = svc.metadata_save(
            actor=partner_user,
            integration_id=integration.pk,
            values=complete(
                screenshots=[
                    svc.ScreenshotInput(content=upload, caption="Dashboard"),
                    svc.ScreenshotInput(),
                ]
            ),
        )
    image = revision.images.get()
    assert image.caption == "Dashboard"
    assert (image.width, image.height) == (1600, 1000)
    with default_storage.open(image.image.name) as fh:
        stored = fh.read()
    assert b"Exif" not in stored and b"SpyCam" not in stored
    assert image.thumbnail.name.startswith("assets/")
    with (
        default_storage.open(image.thumbnail.name) as fh,
        Image.open(io.BytesIO(fh.read())) as thumb,
    ):
        assert thumb.width <= 800 and thumb.height <= 600


def test_thumbnail_task_is_queued_after_commit_only(
    partner_user, integration, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        revision = svc.metadata_save(
            actor=partner_user,
            integration_id=integration.pk,
            values=complete(
                screenshots=[svc.ScreenshotInput(content=samples.png()), svc.ScreenshotInput()]
            ),
        )
    # one task queued (the rest move the page caches on after commit)
    tasks = [c for c in callbacks if getattr(c, "func", None) is not cache.move_on]
    assert len(tasks) == 1
    assert revision.images.get().thumbnail.name == ""


def test_screenshot_carried_over_and_removed(
    partner_user, integration, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = svc.metadata_save(
            actor=partner_user,
            integration_id=integration.pk,
            values=complete(
                screenshots=[
                    svc.ScreenshotInput(content=samples.png(), caption="One"),
                    svc.ScreenshotInput(content=samples.png(900, 600), caption="Two"),
                ]
            ),
        )
    second = svc.metadata_save(
        actor=partner_user,
        integration_id=integration.pk,
        values=complete(
            logo=None,
            mark=None,
            screenshots=[
                svc.ScreenshotInput(caption="One, renamed"),
                svc.ScreenshotInput(remove=True),
            ],
        ),
    )
    old = {i.position: i for i in first.images.all()}
    new = list(second.images.all())
    assert [(i.position, i.caption) for i in new] == [(0, "One, renamed")]
    assert new[0].image.name == old[0].image.name
    assert new[0].thumbnail.name == old[0].thumbnail.name


def test_image_process_strips_metadata_of_a_file_stored_elsewhere(partner_user, integration):
    revision = svc.metadata_save(
        actor=partner_user, integration_id=integration.pk, values=complete()
    )
    name = default_storage.save(
        "assets/0123456789abcdef0123456789abcdef.png",
        io.BytesIO(samples.png_with_text_chunks()),
    )
    image = MetadataImage.objects.create(revision=revision, position=0, image=name)
    assert svc.metadata_image_process(image_id=image.pk) == "done"
    image.refresh_from_db()
    assert image.image.name != name
    with default_storage.open(image.image.name) as fh:
        data = fh.read()
    assert b"Jane Secret" not in data and b"tEXt" not in data and b"eXIf" not in data
    assert image.thumbnail.name
    assert svc.metadata_image_process(image_id=999999) == "gone"


# --- Storage failure -----------------------------------------------------------------------------


def test_storage_failure_mid_submission_leaves_no_revision_and_no_files(
    partner_user, integration, monkeypatch
):
    calls = {"n": 0}
    real_save = default_storage.__class__._save

    def flaky_save(self, name, content):
        calls["n"] += 1
        if calls["n"] >= 2:
            raise OSError("disk on fire")
        return real_save(self, name, content)

    monkeypatch.setattr(default_storage.__class__, "_save", flaky_save)
    before, files = counts(), stored_files()
    with pytest.raises(ApplicationError) as caught:
        svc.metadata_save(
            actor=partner_user, integration_id=integration.pk, values=complete(), submit=True
        )
    assert caught.value.status == 503
    assert "Nothing was saved" in caught.value.message
    assert calls["n"] == 2
    assert counts() == before
    assert stored_files() == files


# --- Review --------------------------------------------------------------------------------------


def test_approve_makes_the_revision_live_and_renames(staff_user, partner_user, integration):
    revision = svc.metadata_save(
        actor=partner_user,
        integration_id=integration.pk,
        values=complete(name="Acme Pipes"),
        submit=True,
    )
    svc.metadata_review(
        actor=staff_user, integration_id=integration.pk, number=1, approve=True, comment="Nice"
    )
    integration.refresh_from_db()
    revision.refresh_from_db()
    assert revision.status == ReviewStatus.APPROVED
    assert revision.reviewed_by == staff_user
    assert integration.live_metadata_id == revision.pk
    assert (integration.name, integration.slug) == ("Acme Pipes", "acme-pipes")
    audit = AuditLog.objects.get(action="catalog.metadata.approved")
    assert audit.old_value["slug"] == "acme-events" and audit.new_value["slug"] == "acme-pipes"
    mail = OutboxMessage.objects.get(event="catalog.metadata.approved")
    assert mail.recipient == partner_user.email and mail.kind == Kind.REVIEW_RESULTS


def test_approval_keeps_name_and_slug_when_frozen(staff_user, partner_user, integration, submitted):
    Integration.objects.filter(pk=integration.pk).update(stage=Stage.PRIVATE_BETA)
    svc.metadata_review(actor=staff_user, integration_id=integration.pk, number=1, approve=True)
    integration.refresh_from_db()
    assert (integration.name, integration.slug) == ("Acme Events", "acme-events")
    assert integration.live_metadata.number == 1


def test_new_revision_in_review_leaves_the_approved_one_live(
    staff_user, partner_user, integration, submitted
):
    svc.metadata_review(actor=staff_user, integration_id=integration.pk, number=1, approve=True)
    svc.metadata_save(
        actor=partner_user,
        integration_id=integration.pk,
        values=complete(logo=samples.OTHER_LOGO_SVG),
        submit=True,
    )
    integration.refresh_from_db()
    assert integration.live_metadata.number == 1


def test_request_changes_needs_a_comment(staff_user, integration, submitted):
    before = counts()
    with pytest.raises(ApplicationError) as caught:
        svc.metadata_review(
            actor=staff_user, integration_id=integration.pk, number=1, approve=False
        )
    assert caught.value.status == 422
    assert "Say what needs to change" in caught.value.message
    assert counts() == before


def test_request_changes_with_field_comments_notifies_partner(
    staff_user, partner_user, integration, submitted
):
    svc.metadata_review(
        actor=staff_user,
        integration_id=integration.pk,
        number=1,
        approve=False,
        field_comments={"logo": "Use the horizontal lockup", "website": ""},
    )
    submitted.refresh_from_db()
    assert submitted.status == ReviewStatus.CHANGES_REQUESTED
    assert submitted.field_comments == {"logo": "Use the horizontal lockup"}
    mail = OutboxMessage.objects.get(event="catalog.metadata.changes_requested")
    assert "Logo: Use the horizontal lockup" in mail.body_text
    integration.refresh_from_db()
    assert integration.live_metadata is None


def test_comment_on_an_unknown_field_is_refused(staff_user, integration, submitted):
    with pytest.raises(ApplicationError) as caught:
        svc.metadata_review(
            actor=staff_user,
            integration_id=integration.pk,
            number=1,
            approve=False,
            field_comments={"evil": "x"},
        )
    assert caught.value.status == 400


def test_review_needs_the_review_permission(plain_staff_user, partner_user, integration, submitted):
    before = counts()
    with pytest.raises(Forbidden):
        svc.metadata_review(
            actor=plain_staff_user, integration_id=integration.pk, number=1, approve=True
        )
    with pytest.raises(Forbidden):
        svc.metadata_review(
            actor=partner_user, integration_id=integration.pk, number=1, approve=True
        )
    assert counts() == before


def test_reviewing_twice_is_refused(staff_user, integration, submitted):
    svc.metadata_review(actor=staff_user, integration_id=integration.pk, number=1, approve=True)
    before = counts()
    with pytest.raises(ApplicationError) as caught:
        svc.metadata_review(actor=staff_user, integration_id=integration.pk, number=1, approve=True)
    assert caught.value.status == 409
    assert "not in review" in caught.value.message
    assert counts() == before


def test_approval_refused_when_the_name_was_taken_meanwhile(staff_user, integration, submitted):
    factories.IntegrationFactory(name="ACME EVENTS x", slug="x")
    Integration.objects.filter(pk=integration.pk).update(name="Old name")
    factories.IntegrationFactory(name="acme events", slug="taken")
    with pytest.raises(ApplicationError) as caught:
        svc.metadata_review(actor=staff_user, integration_id=integration.pk, number=1, approve=True)
    assert caught.value.status == 409
    submitted.refresh_from_db()
    assert submitted.status == ReviewStatus.SUBMITTED


def test_approval_refused_when_files_fail(staff_user, integration, submitted):
    MetadataRevision.objects.filter(pk=submitted.pk).update(asset_report={"ok": False})
    with pytest.raises(ApplicationError) as caught:
        svc.metadata_review(actor=staff_user, integration_id=integration.pk, number=1, approve=True)
    assert caught.value.status == 409


# --- The gate ------------------------------------------------------------------------------------


def _gate_item(integration):
    integration = Integration.objects.get(pk=integration.pk)
    return next(i for i in stages._gate_build(stages._facts(integration)) if i.key == "metadata")


def test_gate_item_holds_once_the_live_revision_is_approved(staff_user, integration, submitted):
    assert _gate_item(integration).passed is False
    svc.metadata_review(actor=staff_user, integration_id=integration.pk, number=1, approve=True)
    item = _gate_item(integration)
    assert item.passed is True
    assert item.fix_url == f"/partner/integrations/{integration.pk}/metadata/"


def test_gate_item_fails_when_the_live_revisions_files_fail(staff_user, integration, submitted):
    svc.metadata_review(actor=staff_user, integration_id=integration.pk, number=1, approve=True)
    MetadataRevision.objects.filter(pk=submitted.pk).update(asset_report={"ok": False})
    assert _gate_item(integration).passed is False


def test_categories_are_the_22_of_the_guide(db):
    assert Category.objects.count() == 22
    assert "security-and-fraud" in svc.categories_map()
