"""The read-only JSON API of the public catalog."""

import pytest
from django.core.cache import cache

from tests.data.catalog import in_private_beta, many_public_integrations, public_integration

FIELDS = {
    "status",
    "docs_url",
    "name",
    "slug",
    "url",
    "description_html",
    "categories",
    "website",
    "logo_url",
    "mark_url",
    "public_since",
    "status",
    "docs_url",
}

pytestmark = pytest.mark.django_db


def test_list_has_public_entries_with_documented_fields_only(client, integration):
    public_integration("Alpha Stats", categories=("Analytics", "CRM"))
    in_private_beta(integration)
    response = client.get("/api/v1/catalog/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["count"] == 1 and data["page"] == 1 and data["num_pages"] == 1
    assert data["next"] is None and data["previous"] is None
    (entry,) = data["results"]
    assert set(entry) == FIELDS
    assert entry["name"] == "Alpha Stats" and entry["slug"] == "alpha-stats"
    assert entry["categories"] == ["Analytics", "CRM"]
    assert entry["description_html"] == "<p>Sends your events to the product.</p>"
    assert entry["url"] == "http://testserver/catalog/alpha-stats/"
    assert entry["logo_url"].startswith("https://") and entry["mark_url"].startswith("https://")
    assert entry["public_since"].endswith("+00:00")
    assert "support" not in response.content.decode()
    assert "partner" not in response.content.decode()


def test_detail(client):
    public_integration("Alpha Stats")
    response = client.get("/api/v1/catalog/alpha-stats/")
    assert response.status_code == 200
    assert set(response.json()) == FIELDS


def test_detail_of_unknown_or_non_public_is_json_404(client, integration):
    in_private_beta(integration)
    for url in ("/api/v1/catalog/acme-events/", "/api/v1/catalog/nothing/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "No public integration" in response.json()["error"]


def test_pagination_and_links(client, db):
    many_public_integrations(7)
    data = client.get("/api/v1/catalog/?page_size=3&page=2").json()
    assert data["count"] == 7 and data["num_pages"] == 3 and len(data["results"]) == 3
    assert data["results"][0]["slug"] == "bulk-destination-0003"
    assert "page=3" in data["next"] and "page_size=3" in data["next"]
    assert "page=1" in data["previous"] and "page_size=3" in data["previous"]
    assert len(client.get(data["next"]).json()["results"]) == 1


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("page=0", "'page' must be at least 1"),
        ("page=-3", "'page' must be at least 1"),
        ("page=abc", "'page' must be a whole number"),
        ("page=1.5", "'page' must be a whole number"),
        ("page_size=0", "'page_size' must be at least 1"),
        ("page_size=101", "'page_size' must be at most 100"),
        ("page_size=" + "9" * 50, "'page_size' must be at most 100"),
        ("page_size=ten", "'page_size' must be a whole number"),
        ("category=nope", "There is no category 'nope'"),
        ("q=" + "x" * 101, "'q' must be at most 100 characters"),
    ],
)
def test_bad_parameters_are_400_json(client, db, query, message):
    response = client.get(f"/api/v1/catalog/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert message in response.json()["error"]


def test_page_past_the_end_is_404_json(client, db):
    many_public_integrations(3)
    response = client.get("/api/v1/catalog/?page=2")
    assert response.status_code == 404
    assert "past the last page (1)" in response.json()["error"]


def test_empty_catalog_is_an_empty_first_page(client, db):
    data = client.get("/api/v1/catalog/").json()
    assert data["count"] == 0 and data["results"] == []


def test_filters_by_category_and_search(client):
    public_integration("Alpha Stats", categories=("Analytics",))
    public_integration("Beta Video", categories=("Video",))
    assert [e["slug"] for e in client.get("/api/v1/catalog/?category=video").json()["results"]] == [
        "beta-video"
    ]
    assert [e["slug"] for e in client.get("/api/v1/catalog/?q=alpha").json()["results"]] == [
        "alpha-stats"
    ]


def test_api_is_read_only(client, db):
    assert client.post("/api/v1/catalog/").status_code == 405
    assert client.delete("/api/v1/catalog/x/").status_code == 405


def test_api_keeps_constant_queries_from_10_to_500(client, db, django_assert_max_num_queries):
    many_public_integrations(10)
    url = "/api/v1/catalog/?page_size=100"
    with django_assert_max_num_queries(4) as small:
        assert client.get(url).status_code == 200
    many_public_integrations(490, start=10)
    cache.clear()  # measure a real render, not the cached response
    with django_assert_max_num_queries(len(small.captured_queries)):
        data = client.get(url).json()
    assert data["count"] == 500 and len(data["results"]) == 100
