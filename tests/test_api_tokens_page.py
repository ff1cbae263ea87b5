"""The API tokens page (owners), the create_api_token command, the schema and the docs page."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalog.models import ApiToken, AuditLog

pytestmark = pytest.mark.django_db

URL = "/partner/api-tokens/"


def test_owner_creates_a_token_shown_once_and_a_reload_makes_no_second(partner_client):
    response = partner_client.post(URL, {"name": "GitHub Actions", "days": "90"})
    assert response.status_code == 302 and response["Location"] == URL
    token = ApiToken.objects.get()
    page = partner_client.get(URL)
    assert page.status_code == 200 and page["Cache-Control"].startswith("max-age=0")
    text = page.content.decode()
    raw = text.split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    assert raw.startswith(token.prefix) and len(raw) == 48
    assert token.expires_at is not None
    again = partner_client.get(URL).content.decode()
    assert raw not in again and token.prefix in again
    assert ApiToken.objects.count() == 1
    assert (
        partner_client.get("/api/v1/partner/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code
        == 200
    )


def test_bad_token_form_is_422_with_the_field(partner_client):
    response = partner_client.post(URL, {"name": "", "days": "9999"})
    assert response.status_code == 422
    assert not ApiToken.objects.exists()


def test_owner_revokes_and_the_token_stops_working(partner_client, partner_user, client):
    from catalog.services.api_tokens import api_token_create

    token, raw = api_token_create(actor=partner_user, name="CI")
    response = partner_client.post(f"{URL}{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == partner_user
    assert AuditLog.objects.filter(action="catalog.api_token.revoked").exists()
    assert client.get("/api/v1/partner/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_owner_cannot_revoke_another_partners_token(partner_client, other_partner_user):
    from catalog.services.api_tokens import api_token_create

    token, _ = api_token_create(actor=other_partner_user, name="CI")
    assert partner_client.post(f"{URL}{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_member_gets_403(client, partner_member):
    client.force_login(partner_member)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"name": "CI"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_dashboard_links_the_docs_and_for_owners_the_tokens(partner_client):
    text = partner_client.get("/partner/").content.decode()
    assert 'href="/docs/api/"' in text and f'href="{URL}"' in text


def test_command_prints_a_working_token(partner_user, client):
    out = StringIO()
    call_command(
        "create_api_token", "--email", partner_user.email.upper(), "--days", "7", stdout=out
    )
    raw = out.getvalue().strip()
    assert raw.startswith("ppat_")
    assert ApiToken.objects.get().name == "Command line"
    assert client.get("/api/v1/partner/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_command_refuses_members_and_unknown_addresses(partner_member):
    with pytest.raises(CommandError, match="owner"):
        call_command("create_api_token", "--email", partner_member.email, stdout=StringIO())
    with pytest.raises(CommandError, match="No user"):
        call_command("create_api_token", "--email", "nobody@example.com", stdout=StringIO())
    assert not ApiToken.objects.exists()


def test_schema_is_valid_openapi_3_and_describes_every_endpoint(client):
    from openapi_spec_validator import validate

    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate(schema)
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    assert {
        "/api/v1/catalog/",
        "/api/v1/catalog/{slug}/",
        "/api/v1/partner/",
        "/api/v1/partner/integrations/",
        "/api/v1/partner/integrations/{pk}/spec/",
        "/api/v1/partner/integrations/{pk}/metadata/",
        "/api/v1/partner/integrations/{pk}/pull-requests/",
    } <= paths
    assert "bearer" in json.dumps(schema["components"]["securitySchemes"]).lower()


def test_docs_page_has_a_github_actions_workflow(client):
    response = client.get("/docs/api/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "on: [pull_request]" in text and "dry_run=true" in text
    assert "${{ secrets.PARTNER_PORTAL_TOKEN }}" in text
