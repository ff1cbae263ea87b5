"""Metadata pages: the form, the preview, the staff review and the asset view."""

import html as html_lib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from catalog.models import (
    AuditLog,
    Integration,
    MetadataRevision,
    OutboxMessage,
    ReviewStatus,
    Stage,
)
from catalog.services import metadata as svc
from tests.validation import samples

PR = "https://github.com/segmentio/action-destinations/pull/1234"


def form_data(**overrides) -> dict:
    data = {
        "action": "save",
        "base": "0",
        "name": "Acme Events",
        "pr_url": PR,
        "description": "Send **events** to Acme.",
        "website": "https://acme.example.com",
        "primary_category": "analytics",
        "secondary_category": "",
        "support_email": "support@acme.example.com",
        "caption_1": "",
        "caption_2": "",
        "logo": SimpleUploadedFile("my logo.svg", samples.LOGO_SVG, content_type="image/svg+xml"),
        "mark": SimpleUploadedFile("mark.svg", samples.MARK_SVG, content_type="image/svg+xml"),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def row_html(html: str, field: str) -> str:
    """The form row of one field: from its id to the next row or the end of its fieldset."""
    start = html.index(f'id="row-{field}"')
    ends = [
        i for i in (html.find('class="md-row"', start), html.find("</fieldset>", start)) if i > 0
    ]
    return html_lib.unescape(html[start : min(ends)])


def url(integration, name="partner_metadata"):
    return reverse(name, args=[integration.pk])


def snapshot():
    return (
        MetadataRevision.objects.count(),
        AuditLog.objects.count(),
        OutboxMessage.objects.count(),
    )


@pytest.fixture
def staff_web(staff_user):
    """Staff in their own browser (``staff_client`` and ``partner_client`` share one client)."""
    web = Client()
    web.force_login(staff_user)
    return web


@pytest.fixture
def approved(partner_user, staff_user, integration):
    values = svc.MetadataInput(
        name="Acme Events",
        pr_url=PR,
        description="Live **description**",
        website="https://acme.example.com",
        primary_category="analytics",
        support_email="support@acme.example.com",
        logo=samples.LOGO_SVG,
        mark=samples.MARK_SVG,
    )
    svc.metadata_save(actor=partner_user, integration_id=integration.pk, values=values, submit=True)
    svc.metadata_review(actor=staff_user, integration_id=integration.pk, number=1, approve=True)
    integration.refresh_from_db()
    return integration.live_metadata


# --- The form ------------------------------------------------------------------------------------


def test_form_page_shows_every_field_and_the_live_count(partner_client, integration):
    response = partner_client.get(url(integration))
    assert response.status_code == 200
    html = response.content.decode()
    for name in (
        "name",
        "pr_url",
        "description",
        "website",
        "primary_category",
        "logo",
        "mark",
        "screenshot_1",
        "caption_2",
        "support_email",
    ):
        assert f'name="{name}"' in html
    assert 'data-visible-max="500"' in html
    assert "js/metadata.js" in html
    assert 'accept=".svg,image/svg+xml"' in html


def test_saving_a_draft_redirects_and_keeps_it(partner_client, integration):
    response = partner_client.post(url(integration), form_data())
    assert response.status_code == 302
    revision = MetadataRevision.objects.get(integration=integration)
    assert revision.status == ReviewStatus.DRAFT
    page = partner_client.get(url(integration)).content.decode()
    assert "Draft r1 is saved." in page
    assert "Current file:" in page


def test_submit_with_errors_shows_each_next_to_its_field_and_saves_nothing(
    partner_client, integration
):
    before = snapshot()
    response = partner_client.post(
        url(integration),
        form_data(
            action="submit",
            website="javascript:alert(1)",
            description="<b>hi</b>",
            logo=SimpleUploadedFile("logo.svg", samples.SCRIPT_SVG),
            mark=None,
            support_email="",
        ),
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "problems to fix; nothing was submitted" in html
    for field, words in [
        ("website", "must start with https://"),
        ("description", "HTML isn't allowed"),
        ("logo", "Scripts aren't allowed"),
        ("mark", "Upload the mark as an SVG file"),
        ("support_email", "Add the address"),
    ]:
        assert words in row_html(html, field), field
    assert 'value="Acme Events"' in html  # input kept
    assert snapshot() == before


def test_submit_shows_warnings_but_goes_through(partner_client, integration):
    response = partner_client.post(
        url(integration),
        form_data(action="submit", logo=SimpleUploadedFile("l.svg", samples.TALL_LOGO_SVG)),
    )
    assert response.status_code == 302
    assert MetadataRevision.objects.get().status == ReviewStatus.SUBMITTED


def test_post_without_an_action_is_a_400_and_changes_nothing(partner_client, integration):
    before = snapshot()
    response = partner_client.post(url(integration), form_data(action=None))
    assert response.status_code == 400
    assert "Save draft" in response.content.decode()
    assert snapshot() == before


def test_oversized_svg_is_refused_before_reading(partner_client, integration):
    big = SimpleUploadedFile("big.svg", b"<svg>" + b" " * (1024 * 1024 + 10))
    response = partner_client.post(url(integration), form_data(logo=big))
    assert response.status_code == 422
    assert "the limit is 1024 KB" in response.content.decode()
    assert MetadataRevision.objects.count() == 0


def test_storage_failure_shows_a_clear_error(partner_client, integration, monkeypatch):
    from django.core.files.storage import default_storage

    def broken(self, name, content):
        raise OSError("bucket unreachable")

    monkeypatch.setattr(default_storage.__class__, "_save", broken)
    before = snapshot()
    response = partner_client.post(url(integration), form_data(action="submit"))
    assert response.status_code == 503
    assert "the file store didn&#x27;t answer. Nothing was saved" in response.content.decode()
    assert snapshot() == before


def test_staff_comments_show_next_to_the_fields(partner_client, staff_user, integration):
    partner_client.post(url(integration), form_data(action="submit"))
    svc.metadata_review(
        actor=staff_user,
        integration_id=integration.pk,
        number=1,
        approve=False,
        comment="Almost there",
        field_comments={
            "logo": "Please send the horizontal lockup",
            "categories": "Analytics fits better",
        },
    )
    html = partner_client.get(url(integration)).content.decode()
    assert "Almost there" in html
    assert "Please send the horizontal lockup" in row_html(html, "logo")
    assert "Analytics fits better" in row_html(html, "primary_category")


def test_frozen_name_is_read_only_and_a_forged_value_is_ignored(partner_client, integration):
    Integration.objects.filter(pk=integration.pk).update(stage=Stage.PRIVATE_BETA)
    html = partner_client.get(url(integration)).content.decode()
    assert re.search(r'<input[^>]*name="name"[^>]*disabled', html)
    response = partner_client.post(url(integration), form_data(name="Hijacked"))
    assert response.status_code == 302
    assert MetadataRevision.objects.get().name == "Acme Events"


def test_staff_see_the_form_read_only_and_cannot_post(staff_client, integration):
    response = staff_client.get(url(integration))
    assert response.status_code == 200
    assert 'value="submit"' not in response.content.decode()
    response = staff_client.post(url(integration), form_data())
    assert response.status_code == 403
    assert MetadataRevision.objects.count() == 0


# --- Preview -------------------------------------------------------------------------------------


def test_preview_uses_the_catalog_template_and_never_the_support_email(partner_client, integration):
    partner_client.post(url(integration), form_data())
    response = partner_client.get(url(integration, "partner_metadata_preview"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="card listing"' in html
    assert "<strong>events</strong>" in html
    assert "support@acme.example.com" not in html
    assert html.count('class="mark-img"') >= 3  # the entry, light and dark swatches
    assert "swatch-dark" in html


def test_preview_of_an_unknown_revision_is_a_404(partner_client, integration):
    assert (
        partner_client.get(url(integration, "partner_metadata_preview") + "?revision=9").status_code
        == 404
    )
    assert (
        partner_client.get(url(integration, "partner_metadata_preview") + "?revision=x").status_code
        == 404
    )


def test_screenshot_placeholder_until_the_thumbnail_exists(
    partner_client, integration, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        partner_client.post(
            url(integration),
            form_data(screenshot_1=SimpleUploadedFile("s.png", samples.png()), caption_1="Home"),
        )
    html = partner_client.get(url(integration, "partner_metadata_preview")).content.decode()
    assert "listing-shot-placeholder" in html
    from catalog.tasks.assets import process_screenshot

    process_screenshot(MetadataRevision.objects.get().images.get().pk)
    html = partner_client.get(url(integration, "partner_metadata_preview")).content.decode()
    assert "listing-shot-placeholder" not in html
    assert "<figcaption>Home</figcaption>" in html


# --- Staff review --------------------------------------------------------------------------------


def test_review_page_diffs_against_the_approved_revision(
    staff_client, partner_user, integration, approved
):
    svc.metadata_save(
        actor=partner_user,
        integration_id=integration.pk,
        values=svc.MetadataInput(
            name="Acme Events",
            pr_url=PR,
            description="Live **description**",
            website="https://new.acme.example.com",
            primary_category="analytics",
            support_email="support@acme.example.com",
            logo=samples.OTHER_LOGO_SVG,
        ),
        submit=True,
    )
    response = staff_client.get(reverse("staff_metadata_review", args=[integration.pk, 2]))
    html = response.content.decode()
    assert response.status_code == 200
    changed = set(re.findall(r'<tr class="md-changed" data-field="(\w+)"', html))
    assert changed == {"website", "logo"}
    assert "Approved r1" in html
    assert html.count("md-diff-img") >= 4  # old and new logo, each on light and dark
    assert "support@acme.example.com" in html  # staff see it


def test_staff_metadata_redirects_to_the_revision_in_review(staff_web, partner_client, integration):
    partner_client.post(url(integration), form_data(action="submit"))
    response = staff_web.get(reverse("staff_metadata", args=[integration.pk]))
    assert response["Location"] == reverse("staff_metadata_review", args=[integration.pk, 1])


def test_approving_through_the_page(staff_web, partner_client, integration):
    partner_client.post(url(integration), form_data(action="submit"))
    response = staff_web.post(
        reverse("staff_metadata_review", args=[integration.pk, 1]),
        {"decision": "approve", "comment": ""},
    )
    assert response.status_code == 302
    integration.refresh_from_db()
    assert integration.live_metadata.number == 1


def test_request_changes_without_comment_is_a_422(staff_web, partner_client, integration):
    partner_client.post(url(integration), form_data(action="submit"))
    before = snapshot()
    response = staff_web.post(
        reverse("staff_metadata_review", args=[integration.pk, 1]), {"decision": "changes"}
    )
    assert response.status_code == 422
    assert "Say what needs to change" in response.content.decode()
    assert snapshot() == before


def test_review_queue_lists_submissions(staff_web, partner_client, integration):
    partner_client.post(url(integration), form_data(action="submit"))
    html = staff_web.get(reverse("staff_metadata_queue")).content.decode()
    assert reverse("staff_metadata_review", args=[integration.pk, 1]) in html


# --- Assets --------------------------------------------------------------------------------------


def _asset_path(revision, role="logo"):
    return "/" + getattr(revision, role).name.replace("assets/", "assets/", 1)


def test_live_svg_is_served_locked_down(client, approved):
    response = client.get(_asset_path(approved))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert "sandbox" in response["Content-Security-Policy"]
    assert "immutable" in response["Cache-Control"]
    assert response.content == samples.LOGO_SVG


def test_public_pages_show_svgs_through_img_only(client, approved):
    from django.template.loader import render_to_string

    from catalog.listing import listing_for

    html = render_to_string("catalog/_listing.html", {"listing": listing_for(approved.integration)})
    assert re.search(r'<img class="logo-img" src="/assets/[0-9a-f]{32}\.svg"', html)
    assert "<object" not in html and "<embed" not in html and "<iframe" not in html


def test_draft_asset_is_only_for_the_partner_and_staff(
    client, partner_user, staff_user, other_partner_user, integration
):
    revision = svc.metadata_save(
        actor=partner_user,
        integration_id=integration.pk,
        values=svc.MetadataInput(logo=samples.LOGO_SVG),
    )
    path = _asset_path(revision)
    assert client.get(path).status_code == 404
    client.force_login(other_partner_user)
    assert client.get(path).status_code == 404
    client.force_login(partner_user)
    response = client.get(path)
    assert response.status_code == 200 and "private" in response["Cache-Control"]
    client.force_login(staff_user)
    assert client.get(path).status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "../etc/passwd",
        "0123456789abcdef0123456789abcdef.html",
        "ABCDEF0123456789abcdef0123456789.svg",
        "x.svg",
        "%2e%2e.svg",
    ],
)
def test_malformed_asset_names_are_404(client, db, name):
    assert client.get(f"/assets/{name}").status_code == 404


def test_asset_unchanged_is_a_304(client, approved):
    path = _asset_path(approved)
    etag = client.get(path)["ETag"]
    response = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["Content-Security-Policy"].startswith("default-src 'none'")


def test_asset_with_the_file_missing_is_a_404(client, approved):
    from django.core.files.storage import default_storage

    default_storage.delete(approved.logo.name)
    assert client.get(_asset_path(approved)).status_code == 404


def test_partner_panel_shows_the_metadata_state(partner_client, integration, approved):
    html = partner_client.get(
        reverse("partner_integration", args=[integration.pk])
    ).content.decode()
    assert 'data-metadata-panel="live"' in html
    assert "r1 is what the catalog and beta pages show" in html


def test_staff_panel_links_to_the_review(staff_web, partner_client, integration):
    partner_client.post(url(integration), form_data(action="submit"))
    html = staff_web.get(reverse("staff_integration", args=[integration.pk])).content.decode()
    assert reverse("staff_metadata_review", args=[integration.pk, 1]) in html


BIG = "99999999999999999999"


@pytest.mark.parametrize(
    "path",
    [
        "/partner/integrations/{pk}/metadata/preview/?revision=" + BIG,
        "/partner/integrations/{pk}/metadata/preview/?revision=-1",
        "/partner/integrations/{pk}/metadata/preview/?revision=%C2%B2",
        "/partner/integrations/" + BIG + "/metadata/",
    ],
)
def test_hostile_numbers_in_partner_urls_are_404(partner_client, integration, path):
    assert partner_client.get(path.format(pk=integration.pk)).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/staff/integrations/{pk}/metadata/r" + BIG + "/",
        "/staff/integrations/{pk}/metadata/r2147483648/",
        "/staff/integrations/" + BIG + "/metadata/",
    ],
)
def test_hostile_numbers_in_staff_urls_are_404(staff_client, integration, path):
    url_ = path.format(pk=integration.pk)
    assert staff_client.get(url_).status_code == 404
    assert staff_client.post(url_, {"decision": "approve"}).status_code in (404, 405)


def test_forged_base_revision_is_a_conflict_not_a_crash(partner_client, integration):
    response = partner_client.post(url(integration), form_data(base=BIG))
    assert response.status_code == 409
    assert MetadataRevision.objects.count() == 0
