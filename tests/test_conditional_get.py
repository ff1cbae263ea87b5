"""Conditional GET on the public catalog pages and API: ETag and Last-Modified, 304 while
nothing changed, a new ETag as soon as a public entry changes, never for signed-in visitors."""

import pytest

from tests.data.catalog import public_integration

pytestmark = pytest.mark.django_db

URLS = [
    "/catalog/",
    "/catalog/alpha-stats/",
    "/catalog/new/",
    "/api/v1/catalog/",
    "/api/v1/catalog/alpha-stats/",
]


@pytest.mark.parametrize("url", URLS)
@pytest.mark.django_db(transaction=True)  # invalidation runs after commit
def test_unchanged_is_304_and_a_change_is_a_new_etag(client, url):
    integration = public_integration("Alpha Stats")
    first = client.get(url)
    assert first.status_code == 200
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    integration.name = "Alpha Stats 2"
    integration.save()
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and again["ETag"] != etag


def test_not_found_gets_no_validators(client, db):
    response = client.get("/api/v1/catalog/nothing/")
    assert response.status_code == 404 and not response.has_header("ETag")
    assert client.get("/api/v1/catalog/nothing/", HTTP_IF_NONE_MATCH="*").status_code == 404


def test_signed_in_visitors_are_not_answered_from_an_anonymous_copy(partner_client):
    public_integration("Alpha Stats")
    response = partner_client.get("/catalog/", HTTP_IF_NONE_MATCH="*")
    assert response.status_code == 200 and not response.has_header("ETag")
