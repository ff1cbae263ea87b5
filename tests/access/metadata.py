"""Rows for the metadata area's pages: the form, the preview, staff review and stored files."""

from catalog.services import metadata as svc
from tests.access import LOGIN, SECOND_FACTOR, Row, anyone, partner_page, staff_page
from tests.validation import samples


def setup(world) -> None:
    """A submitted revision r1 with a logo and a mark, for the review and asset rows."""
    world.metadata_revision = svc.metadata_save(
        actor=world.partner_user,
        integration_id=world.integration.pk,
        values=svc.MetadataInput(
            name="Acme Events",
            pr_url="https://github.com/segmentio/action-destinations/pull/4242",
            description="Send events to Acme.",
            website="https://acme.example.com",
            primary_category="analytics",
            support_email="support@acme.example.com",
            logo=samples.LOGO_SVG,
            mark=samples.MARK_SVG,
        ),
        submit=True,
    )


def _asset(w) -> str:
    return "/" + w.metadata_revision.logo.name


def _with_plain_staff(expect: dict, status) -> dict:
    return {**expect, "plain_staff": status}


ROWS = [
    Row(
        "partner_metadata",
        lambda w: f"/partner/integrations/{w.integration.pk}/metadata/",
        _with_plain_staff(partner_page(), 403),
    ),
    Row(
        "partner_metadata_post_without_action",
        lambda w: f"/partner/integrations/{w.integration.pk}/metadata/",
        _with_plain_staff(partner_page(own=400, staff=403), 403),
        method="post",
        data=lambda w: {"name": "Renamed"},
    ),
    Row(
        "partner_metadata_preview",
        lambda w: f"/partner/integrations/{w.integration.pk}/metadata/preview/",
        _with_plain_staff(partner_page(), 403),
    ),
    Row("staff_metadata_queue", lambda w: "/staff/reviews/metadata/", staff_page()),
    Row(
        "staff_metadata",
        lambda w: f"/staff/integrations/{w.integration.pk}/metadata/",
        staff_page(ok=302),
    ),
    Row(
        "staff_metadata_review",
        lambda w: f"/staff/integrations/{w.integration.pk}/metadata/r1/",
        staff_page(),
    ),
    Row(
        "staff_metadata_review_post_without_comment",
        lambda w: f"/staff/integrations/{w.integration.pk}/metadata/r1/",
        staff_page(ok=422),
        method="post",
        data=lambda w: {"decision": "changes"},
    ),
    Row(
        "staff_metadata_review_missing_revision",
        lambda w: f"/staff/integrations/{w.integration.pk}/metadata/r9/",
        staff_page(ok=404),
    ),
    Row(
        "asset_of_a_draft_or_submitted_revision",
        _asset,
        {
            "anonymous": 404,
            "partner": 200,
            "member": 200,
            "other_partner": 404,
            "staff": 200,
            # drafts need the metadata-view permission and a passed second factor (issue 11)
            "plain_staff": 404,
            "viewer_staff": 404,
            "staff_no_2fa": SECOND_FACTOR,
            "admin": 200,
        },
    ),
    Row("asset_unknown", lambda w: "/assets/0123456789abcdef0123456789abcdef.svg", anyone(404)),
    Row("asset_bad_name", lambda w: "/assets/..%2Fsettings.py", anyone(404)),
]

__all__ = ["LOGIN", "ROWS", "setup"]
