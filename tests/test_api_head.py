"""``HEAD`` on the JSON API: the GET's status and headers, no body (it was 405 under ninja)."""

import pytest

from catalog.services.api_tokens import api_token_create

pytestmark = pytest.mark.django_db


def test_head_on_the_public_api_answers_like_get_without_a_body(client, integration):
    get = client.get("/api/v1/catalog/")
    head = client.head("/api/v1/catalog/")
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head["Content-Type"] == get["Content-Type"]
    assert int(head["Content-Length"]) == len(get.content)
    assert client.head("/api/v1/catalog/no-such-slug/").status_code == 404


def test_head_on_the_partner_api_needs_the_token_like_get(client, partner_user):
    assert client.head("/api/v1/partner/integrations/").status_code == 401
    raw = api_token_create(actor=partner_user, name="ci")[1]
    response = client.head("/api/v1/partner/integrations/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200 and response.content == b""


def test_other_methods_are_still_refused(client):
    assert client.put("/api/v1/catalog/").status_code == 405
