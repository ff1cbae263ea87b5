"""The partner API: tokens, integrations with checklist and ball, spec, metadata and pull requests,
each with a dry run that answers as the page would, and one error shape for every refusal."""

import html
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from catalog.models import (
    ApiToken,
    AuditLog,
    MetadataRevision,
    OutboxMessage,
    PullRequest,
    SpecRevision,
    Stage,
)
from catalog.services.api_tokens import api_token_create, api_token_revoke
from tests import factories
from tests.fixtures_spec import acme_definition
from tests.validation import samples

pytestmark = pytest.mark.django_db

PR = "https://github.com/segmentio/action-destinations/pull/1234"


@pytest.fixture
def raw_token(partner_user):
    _, raw = api_token_create(actor=partner_user, name="CI")
    return raw


@pytest.fixture
def api(client, raw_token):
    """The Django test client with the token on every request."""

    class Api:
        def get(self, url, **kw):
            return client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw_token}", **kw)

        def post(self, url, data=None, content_type="application/json", **kw):
            if content_type == "application/json" and not isinstance(data, (str, bytes)):
                data = json.dumps(data)
            return client.post(
                url,
                data,
                content_type=content_type,
                HTTP_AUTHORIZATION=f"Bearer {raw_token}",
                **kw,
            )

        def multipart(self, url, data):
            return client.post(url, data, HTTP_AUTHORIZATION=f"Bearer {raw_token}")

    return Api()


def _base(integration):
    return f"/api/v1/partner/integrations/{integration.pk}/"


def _assert_error_shape(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["code"], str)
    return body


# --- Tokens -------------------------------------------------------------------------------------


def test_token_is_prefixed_random_and_stored_only_as_a_hash(partner_user):
    token, raw = api_token_create(actor=partner_user, name="CI")
    assert raw.startswith("ppat_") and len(raw) == 5 + 43
    assert raw not in token.token_hash and len(token.token_hash) == 64
    assert token.prefix == raw[:10]
    assert AuditLog.objects.filter(action="catalog.api_token.created", actor=partner_user).exists()


def test_member_cannot_create_a_token(partner_member):
    from catalog.errors import Forbidden

    with pytest.raises(Forbidden):
        api_token_create(actor=partner_member, name="CI")
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer not-a-token",
        "Bearer ppat_" + "A" * 43,
        "Bearer ppat_" + "!" * 43,
        "Bearer " + "x" * 5000,
    ],
)
def test_bad_tokens_are_one_401_that_reveals_nothing(client, integration, header):
    extra = {} if header is None else {"HTTP_AUTHORIZATION": header}
    response = client.get("/api/v1/partner/integrations/", **extra)
    body = _assert_error_shape(response, 401)
    assert body["code"] == "unauthorized"
    assert "Bearer" in response["WWW-Authenticate"]
    assert "Acme" not in response.content.decode()


def test_revoked_expired_and_demoted_tokens_are_401_with_the_same_message(
    client, partner_user, integration
):
    revoked, revoked_raw = api_token_create(actor=partner_user, name="old")
    api_token_revoke(actor=partner_user, token_id=revoked.pk)
    expired, expired_raw = api_token_create(
        actor=partner_user, name="short", days=1, now=timezone.now() - timedelta(days=2)
    )
    good, good_raw = api_token_create(actor=partner_user, name="good")
    messages = set()
    for raw in (revoked_raw, expired_raw):
        response = client.get("/api/v1/partner/", HTTP_AUTHORIZATION=f"Bearer {raw}")
        messages.add(_assert_error_shape(response, 401)["error"])
    assert (
        client.get("/api/v1/partner/", HTTP_AUTHORIZATION=f"Bearer {good_raw}").status_code == 200
    )
    partner_user.partner_role = "member"  # no longer an owner: the token stops working
    partner_user.save(update_fields=["partner_role"])
    response = client.get("/api/v1/partner/", HTTP_AUTHORIZATION=f"Bearer {good_raw}")
    messages.add(_assert_error_shape(response, 401)["error"])
    assert len(messages) == 1


def test_last_use_is_recorded(api, partner_user):
    token = ApiToken.objects.get()
    assert token.last_used_at is None
    assert api.get("/api/v1/partner/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_throttled_per_token_with_retry_after(api, settings, partner_user, client):
    settings.API_TOKEN_RATE = 3
    for _ in range(3):
        assert api.get("/api/v1/partner/").status_code == 200
    response = api.get("/api/v1/partner/")
    body = _assert_error_shape(response, 429)
    assert body["code"] == "throttled" and int(response["Retry-After"]) >= 1
    # another token of the same partner has its own budget
    _, other = api_token_create(actor=partner_user, name="other")
    assert client.get("/api/v1/partner/", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 200


def test_bad_tokens_from_one_address_are_throttled_but_good_ones_still_work(
    client, settings, raw_token
):
    settings.API_BAD_TOKEN_LIMIT = 3
    for _ in range(3):
        assert client.get("/api/v1/partner/", HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    assert client.get("/api/v1/partner/", HTTP_AUTHORIZATION="Bearer nope").status_code == 429
    assert (
        client.get("/api/v1/partner/", HTTP_AUTHORIZATION=f"Bearer {raw_token}").status_code == 200
    )


# --- Integrations -------------------------------------------------------------------------------


def test_integrations_list_stage_checklist_and_ball(api, integration, other_integration):
    response = api.get("/api/v1/partner/integrations/")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1
    (row,) = data["results"]
    assert row["id"] == integration.pk and row["stage"] == "signup"
    assert row["next_stage"] == "spec"
    assert row["waiting_on"] == "partner"
    assert {i["key"] for i in row["checklist"]} == {"agreements", "profile"}
    assert all(i["fix_url"].startswith("http://testserver/") for i in row["checklist"])
    assert "Globex" not in response.content.decode()


def test_submitted_spec_puts_the_ball_with_staff(api, integration):
    integration.stage = Stage.SPEC
    integration.save(update_fields=["stage"])
    from tests.fixtures_spec import make_revision

    make_revision(integration, status="submitted")
    (row,) = api.get("/api/v1/partner/integrations/").json()["results"]
    assert row["waiting_on"] == "staff"


def test_another_partners_integration_is_404(api, other_integration):
    for suffix in ("", "spec/", "metadata/", "pull-requests/"):
        response = api.get(_base(other_integration) + suffix)
        body = _assert_error_shape(response, 404)
        assert "Globex" not in body["error"]
    response = api.post(_base(other_integration) + "spec/", acme_definition())
    _assert_error_shape(response, 404)
    assert not SpecRevision.objects.exists()


def test_list_keeps_constant_queries(api, partner, django_assert_max_num_queries):
    for n in range(3):
        factories.IntegrationFactory(partner=partner)
    with django_assert_max_num_queries(20) as few:
        assert api.get("/api/v1/partner/integrations/").status_code == 200
    for n in range(20):
        factories.IntegrationFactory(partner=partner)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get("/api/v1/partner/integrations/").json()["count"] == 23


# --- Spec ---------------------------------------------------------------------------------------


@pytest.fixture
def in_spec(integration):
    integration.stage = Stage.SPEC
    integration.save(update_fields=["stage"])
    return integration


def test_spec_dry_run_says_what_the_page_says_and_saves_nothing(api, in_spec):
    response = api.post(_base(in_spec) + "spec/?dry_run=true&submit=true", acme_definition(in_spec))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {
        "dry_run": True,
        "saved": False,
        "message": "Revision 1 is saved and sent to staff for review.",
        "revision": None,
        "warnings": None,
        "url": f"http://testserver/partner/integrations/{in_spec.pk}/spec/",
    }
    assert not SpecRevision.objects.exists()
    assert not AuditLog.objects.filter(action__startswith="catalog.spec").exists()
    assert not OutboxMessage.objects.exists()


def test_spec_real_submit_saves_through_the_service(api, in_spec, partner_user):
    response = api.post(_base(in_spec) + "spec/?submit=true", acme_definition(in_spec))
    assert response.status_code == 201, response.content
    assert response.json()["revision"]["number"] == 1
    revision = SpecRevision.objects.get()
    assert revision.status == "submitted" and revision.created_by == partner_user
    assert AuditLog.objects.filter(action="catalog.spec.submitted").exists()


def test_spec_problems_are_422_with_the_pages_problems(api, in_spec, partner_client):
    definition = acme_definition(in_spec)
    definition["mode"] = "device-mobile"
    response = api.post(_base(in_spec) + "spec/?dry_run=true", definition)
    body = _assert_error_shape(response, 422)
    assert body["code"] == "invalid" and body["problems"]
    assert all({"code", "message"} <= set(p) for p in body["problems"])
    assert body["error"].startswith("The spec has")
    assert not SpecRevision.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("not json", "application/json", 422),
        ("[" * 5000 + "]" * 5000, "application/json", 422),
        ('{"a": 1, "a": 2}', "application/json", 422),
        ("", "application/json", 400),
        ("name=x", "application/x-www-form-urlencoded", 400),
        ('{"mode": "cloud"}', "text/plain", 400),
    ],
)
def test_hostile_spec_bodies_are_refused_in_the_error_shape(
    api, in_spec, body, content_type, status
):
    response = api.post(_base(in_spec) + "spec/", body, content_type=content_type)
    _assert_error_shape(response, status)
    assert not SpecRevision.objects.exists()


def test_spec_of_a_live_integration_is_409(api, integration):
    integration.stage = Stage.PRIVATE_BETA
    integration.save(update_fields=["stage"])
    response = api.post(_base(integration) + "spec/?dry_run=true", acme_definition(integration))
    body = _assert_error_shape(response, 409)
    assert "change request" in body["error"]


def test_bad_query_flag_is_422_in_the_error_shape(api, in_spec):
    response = api.post(_base(in_spec) + "spec/?dry_run=perhaps", acme_definition(in_spec))
    body = _assert_error_shape(response, 422)
    assert "dry_run" in body["fields"]


# --- Metadata -----------------------------------------------------------------------------------


def _metadata(**overrides):
    data = {
        "name": "Acme Events",
        "pr_url": PR,
        "description": "Send **events** to Acme.",
        "website": "https://acme.example.com",
        "primary_category": "analytics",
        "support_email": "support@acme.example.com",
        "logo": SimpleUploadedFile("logo.svg", samples.LOGO_SVG, content_type="image/svg+xml"),
        "mark": SimpleUploadedFile("mark.svg", samples.MARK_SVG, content_type="image/svg+xml"),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_metadata_dry_run_accepts_and_stores_nothing(api, integration, settings, tmp_path):
    response = api.multipart(_base(integration) + "metadata/?dry_run=true&submit=true", _metadata())
    assert response.status_code == 200, response.content
    assert response.json()["message"] == "Revision r1 is saved and sent to staff for review."
    assert not MetadataRevision.objects.exists()
    media = tmp_path / "media"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_metadata_hostile_svg_gets_the_forms_refusal(api, integration, partner_client):
    data = _metadata(logo=SimpleUploadedFile("l.svg", samples.SCRIPT_SVG))
    response = api.multipart(_base(integration) + "metadata/?dry_run=true", data)
    body = _assert_error_shape(response, 422)
    assert "logo" in body["fields"]
    # the page says the same words
    page_data = _metadata(logo=SimpleUploadedFile("l.svg", samples.SCRIPT_SVG)) | {
        "action": "save",
        "base": "0",
    }
    page = partner_client.post(f"/partner/integrations/{integration.pk}/metadata/", page_data)
    assert page.status_code == 422
    page_text = html.unescape(page.content.decode())
    for message in body["fields"]["logo"]:
        assert message in page_text
    assert not MetadataRevision.objects.exists()


def test_metadata_real_save_then_a_field_alone_keeps_the_rest(api, integration):
    assert api.multipart(_base(integration) + "metadata/", _metadata()).status_code == 201
    response = api.multipart(
        _base(integration) + "metadata/", {"description": "Now with *more* events."}
    )
    assert response.status_code == 201, response.content
    latest = MetadataRevision.objects.order_by("-number").first()
    assert latest.number == 2 and latest.website == "https://acme.example.com"
    assert latest.logo.name and latest.description == "Now with *more* events."
    fields = api.get(_base(integration) + "metadata/").json()["fields"]
    assert fields["description"] == "Now with *more* events."
    assert "support_email" in fields  # the partner's own API shows it; the public one never


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ({"colour": "blue"}, None),
        ({"name": "x"}, "application/json"),
    ],
)
def test_metadata_extra_parts_and_wrong_content_type_are_400(api, integration, data, content_type):
    if content_type:
        response = api.post(_base(integration) + "metadata/", data)
    else:
        response = api.multipart(_base(integration) + "metadata/", data)
    _assert_error_shape(response, 400)
    assert not MetadataRevision.objects.exists()


# --- Pull requests ------------------------------------------------------------------------------


@pytest.fixture
def in_build(integration):
    integration.stage = Stage.BUILD
    integration.save(update_fields=["stage"])
    return integration


def _pr(**overrides):
    return {
        "url": PR,
        "description": "Adds the destination.",
        "unit_tests_added": True,
        "tested_end_to_end": True,
    } | overrides


def test_pull_request_dry_run_then_real(api, in_build):
    response = api.post(_base(in_build) + "pull-requests/?dry_run=true", _pr())
    assert response.status_code == 200, response.content
    assert not PullRequest.objects.exists()
    response = api.post(_base(in_build) + "pull-requests/", _pr())
    assert response.status_code == 201
    assert response.json()["message"].startswith("Pull request recorded")
    (pr,) = api.get(_base(in_build) + "pull-requests/").json()
    assert pr["url"] == PR and pr["state"] == "open"
    response = api.post(_base(in_build) + "pull-requests/?dry_run=true", _pr())
    body = _assert_error_shape(response, 409)
    assert body["fields"] == {
        "url": ["This pull request is already recorded for this integration."]
    }


def test_pull_request_refusals_match_the_service(api, in_build):
    body = _assert_error_shape(
        api.post(_base(in_build) + "pull-requests/", _pr(unit_tests_added=False)), 422
    )
    assert "unit_tests_added" in body["fields"]
    body = _assert_error_shape(
        api.post(_base(in_build) + "pull-requests/", _pr(url="https://github.com/x/y/pull/1")), 422
    )
    assert "url" in body["fields"]
    body = _assert_error_shape(api.post(_base(in_build) + "pull-requests/", {"kind": "code"}), 422)
    assert "url" in body["fields"]
    assert not PullRequest.objects.exists()
