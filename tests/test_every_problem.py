"""Forms tried as partners and customers would: every problem at once, post/redirect/get, exact
limits in messages, and the product's own 404 page and pagination at the edges."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import BetaLink, CustomerVerification, OutboxMessage
from catalog.validation import spec, svg
from tests.data.catalog import beta_link, in_private_beta
from tests.test_accounts import counts, signup_data
from tests.test_metadata_pages import form_data, row_html, snapshot
from tests.test_metadata_pages import url as metadata_url

pytestmark = pytest.mark.django_db

ZERO_WIDTH = "\u200b"


def text(response) -> str:
    return html.unescape(response.content.decode())


# --- Every problem at once ----------------------------------------------------------------------


def test_an_oversized_logo_is_reported_beside_the_text_problems(partner_client, integration):
    before = snapshot()
    # given a logo over its 1 MB limit (under the request's) and a website that isn't a link
    big = SimpleUploadedFile("logo.svg", b"<svg" + b" " * svg.MAX_BYTES + b"/>")
    response = partner_client.post(
        metadata_url(integration), form_data(logo=big, website="not a link")
    )
    # then both are reported in one answer, and nothing was saved
    assert response.status_code == 422
    page = response.content.decode()
    assert "the limit is 1024 KB" in text(response)
    assert "the limit is 1024 KB" in row_html(page, "logo")
    assert row_html(page, "website").count("error") >= 1
    assert snapshot() == before


def test_sign_up_reports_a_zero_width_character_with_the_other_errors(client):
    before = counts()
    response = client.post(
        "/accounts/signup/",
        signup_data(company_name=f"Init{ZERO_WIDTH}ech", password_confirm="something else"),
    )
    assert response.status_code == 422
    body = text(response)
    assert "invisible" in body.lower()
    assert "The two passwords differ" in body  # the password problem, in the same answer
    assert counts() == before


# --- Post/redirect/get --------------------------------------------------------------------------


@pytest.fixture
def beta_integration(integration):
    return in_private_beta(integration, support_email="help@acme.example.com")


def test_reloading_after_an_invite_creates_no_second_invite_or_email(
    partner_client, beta_integration
):
    url = f"/partner/integrations/{beta_integration.pk}/beta/"
    posted = partner_client.post(url, {"email": "buyer@shop.example.com", "days": "14"})
    assert posted.status_code == 302
    shown = text(partner_client.get(url))
    assert "/beta/" in shown and 'id="new-beta-url"' in shown
    # a reload is a GET: nothing issued, and the link is not shown again
    again = text(partner_client.get(url))
    assert 'id="new-beta-url"' not in again
    assert BetaLink.objects.count() == 1
    assert OutboxMessage.objects.filter(recipient="buyer@shop.example.com").count() == 1


def test_the_verify_result_survives_a_reload(client, beta_integration):
    _, token = beta_link(beta_integration)
    posted = client.post(f"/beta/{token}/verify/", {"workspace_name": "Shop", "note": ""})
    assert posted.status_code == 302
    assert token not in posted["Location"]
    result = client.get(f"/beta/{token}/verify/" + posted["Location"].removeprefix("./"))
    assert result.status_code == 200 and "We recorded" in text(result)
    reload = client.get(f"/beta/{token}/verify/")
    assert reload.status_code == 200 and "already confirmed" in text(reload)
    assert CustomerVerification.objects.count() == 1


def test_head_on_a_beta_link_is_allowed_and_is_not_an_open(client, beta_integration):
    link, token = beta_link(beta_integration)
    response = client.head(f"/beta/{token}/")
    assert response.status_code == 200
    link.refresh_from_db()
    assert link.open_count == 0


# --- Small --------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["0", "-3", "abc", "9" * 5000])
def test_out_of_range_pages_clamp_to_the_first(client, page):
    first = client.get("/catalog/")
    response = client.get(f"/catalog/?page={page}")
    assert response.status_code == 200
    assert response.context["page"].number == 1
    assert first.context["page"].number == 1


def test_a_page_past_the_end_is_the_last(client):
    response = client.get("/catalog/?page=999")
    assert response.status_code == 200
    assert response.context["page"].number == response.context["page"].paginator.num_pages


@pytest.mark.parametrize("debug", [False, True])
def test_unknown_catalog_slugs_get_the_product_404(client, settings, debug):
    settings.DEBUG = debug
    response = client.get("/catalog/no-such-thing/")
    assert response.status_code == 404
    assert "Go to the catalog" in text(response)


@pytest.mark.parametrize("debug", [False, True])
def test_unknown_api_paths_get_the_json_404(client, settings, debug):
    settings.DEBUG = debug
    response = client.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("debug", [False, True])
def test_unknown_paths_get_the_product_404(client, settings, debug):
    settings.DEBUG = debug
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Go to the catalog" in text(response)


def test_the_spec_size_error_names_the_limit_not_the_size():
    _, errors = spec.parse_json(b" " * (spec.MAX_BYTES + 1))
    message = errors[0].message
    assert f"{spec.MAX_BYTES + 1:,} bytes" in message
    assert "at most 256 KB" in message


def test_a_jpeg_as_the_mark_says_what_was_wrong():
    from catalog.validation.svg import validate_svg

    report = validate_svg(b"\xff\xd8\xff\xe0" + b"\x00" * 64, role="mark")
    message = report.errors[0].message
    assert "JPEG" in message and "logo as SVG" not in message
