"""Every form that creates something answers its POST with a redirect (post/redirect/get): the
page a partner lands on is a GET, so reloading it creates nothing and sends no second email."""

import pytest

from catalog.models import ApiToken, Integration, OutboxMessage, PullRequest, Stage, TeamInvite
from tests.test_spec_views import PR, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def building(integration):
    integration.stage = Stage.BUILD
    integration.save(update_fields=["stage"])
    return integration


def _post_then_reload(client, path, data):
    response = client.post(path, data)
    assert response.status_code == 302, response.content.decode()[:500]
    landing = response["Location"]
    for _ in range(2):  # the page after the redirect, and a reload of it
        assert client.get(landing).status_code == 200
    return landing


def test_registering_an_integration(partner_client):
    before = Integration.objects.count()
    _post_then_reload(
        partner_client, "/partner/integrations/new/", {"name": "Acme Reload", "mode": "cloud"}
    )
    assert Integration.objects.count() == before + 1


def test_inviting_a_team_member_sends_one_email(partner_client):
    _post_then_reload(
        partner_client, "/partner/team/invite/", {"email": "new@acme.example.com", "role": "member"}
    )
    assert TeamInvite.objects.count() == 1
    assert OutboxMessage.objects.filter(recipient="new@acme.example.com").count() == 1


def test_creating_an_api_token_shows_it_once(partner_client):
    from catalog.views.api_tokens import NEW_TOKEN_KEY

    response = partner_client.post("/partner/api-tokens/", {"name": "ci", "days": "30"})
    assert response.status_code == 302
    raw = partner_client.session[NEW_TOKEN_KEY]["token"]
    # the token is on the page after the redirect, and not on a reload of it
    assert raw in partner_client.get(response["Location"]).content.decode()
    assert raw not in partner_client.get(response["Location"]).content.decode()
    assert ApiToken.objects.count() == 1


def test_recording_a_pull_request(partner_client, building):
    _post_then_reload(
        partner_client,
        url(building, "pull-requests/"),
        {
            "url": PR,
            "description": "Adds actions.",
            "unit_tests_added": "on",
            "tested_end_to_end": "on",
        },
    )
    assert PullRequest.objects.count() == 1
