"""How catalog entries, the metadata pages and change-request refusals read on the page:
marks that fail fall back to initials in the same box, summaries show text once, a refused
submit gives one summary and says which file boxes the browser emptied, rule problems are in
words."""

import html as html_lib
import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from catalog.models import ChangeRequest, MetadataRevision, Stage
from catalog.templatetags.listing_tags import initials, plain_text
from tests.data.catalog import public_integration
from tests.fixtures_spec import make_live
from tests.validation import samples

pytestmark = pytest.mark.django_db

PR = "https://github.com/segmentio/action-destinations/pull/9100"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("AB Smartly", "AS"),
        ("Ortto (Actions)", "O"),
        ("Adobe Target Web", "AT"),
        ("1Flow", "1"),
        ("  ", "?"),
        ("élan vital", "ÉV"),
    ],
)
def test_initials_take_two_words_and_skip_bracketed_qualifiers(name, expected):
    assert initials(name) == expected


def test_plain_text_decodes_entities_once():
    assert plain_text("<p>Email &amp; <b>SMS</b> &lt;fast&gt;</p>") == "Email & SMS <fast>"


def test_plain_text_keeps_list_items_apart():
    html = "<p>It can:</p>\n<ul>\n<li>send</li>\n<li>sync</li>\n</ul>"
    assert plain_text(html) == "It can: send; sync"


# --- Public pages --------------------------------------------------------------------------------


def test_tile_summary_shows_an_ampersand_once(client):
    public_integration("Zeta Mail", description="Email &amp; SMS")
    body = client.get("/catalog/").content.decode()
    assert "Email &amp; SMS" in body and "&amp;amp;" not in body


def test_tiles_draw_initials_under_each_mark_and_load_the_fallback_script_first(client):
    public_integration("Zeta Mail")
    body = client.get("/catalog/").content.decode()
    tile = body[body.index('class="tile"') :]
    assert re.search(
        r'<span class="mark-box" data-img-fallback><span class="mark-initials" aria-hidden="true">'
        r'ZM</span><img src="https://cdn\.example\.com/zeta-mail-mark\.svg" alt="" width="48" '
        r'height="48"',
        tile,
    )
    assert body.index("js/listing.js") < body.index("zeta-mail-mark.svg")


def test_detail_keeps_the_logo_row_and_has_a_text_fallback(client):
    public_integration("Zeta Mail")
    body = client.get("/catalog/zeta-mail/").content.decode()
    assert '<p class="listing-logo" data-img-fallback><img class="logo-img"' in body
    assert '<span class="logo-fallback" aria-hidden="true">Zeta Mail</span>' in body
    assert body.index("js/listing.js") < body.index("zeta-mail-mark.svg")
    assert body.count("<h1") == 1


def test_an_entry_without_a_mark_shows_its_initials(client):
    integration = public_integration("Zeta Mail")
    integration.live_metadata.__class__.objects.filter(pk=integration.live_metadata_id).update(
        mark_external_url=""
    )
    body = client.get("/catalog/zeta-mail/").content.decode()
    assert '<span class="mark-initials" aria-hidden="true">ZM</span></span>' in body


# --- Metadata pages ------------------------------------------------------------------------------


def _metadata_post(**overrides) -> dict:
    data = {
        "action": "save",
        "base": "0",
        "name": "Acme Events",
        "pr_url": PR,
        "description": "Send events to Acme.",
        "website": "https://acme.example.com",
        "primary_category": "analytics",
        "support_email": "support@acme.example.com",
        "mark": SimpleUploadedFile("mark.svg", samples.MARK_SVG, content_type="image/svg+xml"),
    }
    data.update(overrides)
    return data


def test_a_refused_submit_says_which_chosen_files_must_be_chosen_again(partner_client, integration):
    response = partner_client.post(
        reverse("partner_metadata", args=[integration.pk]),
        _metadata_post(
            website="ftp://acme.example.com",
            logo=SimpleUploadedFile("evil.svg", samples.SCRIPT_SVG, content_type="image/svg+xml"),
        ),
    )
    assert response.status_code == 422
    body = html_lib.unescape(response.content.decode())
    mark_row = body[body.index('id="row-mark"') : body.index('id="row-screenshot_1"')]
    assert "Choose “mark.svg” again:" in mark_row
    logo_row = body[body.index('id="row-logo"') : body.index('id="row-mark"')]
    assert "Choose a corrected file." in logo_row and "“evil.svg”" in logo_row
    # one summary, in the form: no message on top and no second "fix the fields" alert
    assert body.count('role="alert" id="form-refusal"') == 1
    assert "Choose your files again" in body
    assert 'class="message message-error"' not in body
    assert "Please fix the fields marked below." not in body
    assert MetadataRevision.objects.count() == 0


def test_a_refused_submit_without_files_does_not_mention_them(partner_client, integration):
    response = partner_client.post(
        reverse("partner_metadata", args=[integration.pk]),
        _metadata_post(website="ftp://acme.example.com", mark=""),
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "md-dropped" not in body and "Choose your files again" not in body


def test_preview_has_one_page_heading(partner_client, integration):
    partner_client.post(reverse("partner_metadata", args=[integration.pk]), _metadata_post())
    body = partner_client.get(reverse("partner_metadata_preview", args=[integration.pk]))
    body = body.content.decode()
    assert body.count("<h1") == 1
    assert '<h2 class="listing-title" id="listing-title">Acme Events</h2>' in body


def test_staff_review_without_an_approved_revision_has_no_empty_column(
    partner_client, staff_user, integration
):
    partner_client.post(
        reverse("partner_metadata", args=[integration.pk]),
        _metadata_post(
            action="submit",
            logo=SimpleUploadedFile("logo.svg", samples.LOGO_SVG, content_type="image/svg+xml"),
        ),
    )
    staff = Client()
    staff.force_login(staff_user)
    body = staff.get(reverse("staff_metadata_review", args=[integration.pk, 1])).content.decode()
    assert "Nothing is approved yet" in body
    assert ">Approved<" not in body and "Changed</span>" not in body
    assert 'data-label="This revision"' in body  # labelled for the stacked phone layout


# --- Spec pages ----------------------------------------------------------------------------------


class _FormFields(HTMLParser):
    """What a browser would post from the page's forms (text, checked boxes, selects)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data[name] = a.get("value") or ("on" if a.get("type") == "checkbox" else "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def test_a_used_pull_request_is_refused_in_words_with_one_alert(
    partner_client, integration, other_integration
):
    make_live(integration)
    used = "https://github.com/segmentio/action-destinations/pull/4242"
    MetadataRevision.objects.create(integration=other_integration, number=1, pr_url=used)
    changes = f"/partner/integrations/{integration.pk}/changes/"
    fields = _FormFields()
    fields.feed(partner_client.get(changes).content.decode())
    data = {k: v for k, v in fields.data.items() if k != "csrfmiddlewaretoken"}
    data.update(op="submit", pr_url=used)
    response = partner_client.post(changes, data)
    assert response.status_code == 422
    body = html_lib.unescape(response.content.decode())
    refusal = body[
        body.index('id="change-refusal"') : body.index("</div>", body.index('id="change-refusal"'))
    ]
    # another partner's integration is never named (issue 11)
    assert "already used by another integration" in refusal
    assert "Globex" not in body
    assert "pr_url" not in refusal.replace('data-rule-field="pr_url"', "")
    assert "Please fix the fields marked below." not in body
    assert 'id="spec-errors"' not in body
    assert 'id="id_pr_url_error"' in body  # and beside the field
    assert ChangeRequest.objects.count() == 0


def test_a_not_live_integration_has_no_empty_requests_card(partner_client, integration):
    integration.stage = Stage.SPEC
    integration.save(update_fields=["stage"])
    body = partner_client.get(f"/partner/integrations/{integration.pk}/changes/").content.decode()
    assert "No change requests yet." not in body
    assert "isn't live yet" in body


def test_the_destination_mode_is_a_radio_group(partner_client, integration):
    integration.stage = Stage.SPEC
    integration.save(update_fields=["stage"])
    body = partner_client.get(f"/partner/integrations/{integration.pk}/spec/").content.decode()
    assert body.count('type="radio" name="meta-mode"') == 3
    assert "<legend>Destination mode" in body
