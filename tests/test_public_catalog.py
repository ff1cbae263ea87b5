"""Public catalog pages: index (category, search, pages), detail, New & Noteworthy."""

import html
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from catalog.models import Category, Integration, MetadataImage, MetadataRevision, Stage
from tests import factories
from tests.data.catalog import (
    approve_metadata,
    in_private_beta,
    many_public_integrations,
    public_integration,
)

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return html.unescape(response.content.decode())


def test_index_lists_only_public_integrations(client, integration, other_integration):
    public_integration("Zeta Mail", categories=("Email Marketing",))
    in_private_beta(integration)  # Acme Events: in beta, not listed
    response = client.get("/catalog/")
    assert response.status_code == 200
    body = _text(response)
    assert "Zeta Mail" in body
    assert "Acme Events" not in body and "Globex Sync" not in body
    assert 'href="/catalog/zeta-mail/"' in body


def test_index_filters_by_category_including_imported_extra_categories(client):
    public_integration("Alpha Stats", categories=("Analytics",))
    public_integration("Beta Mail", categories=("Email Marketing", "Analytics"))
    public_integration(
        "Gamma Legacy", categories=(), extra_categories=["CRM", "Analytics", "Video"]
    )
    public_integration("Delta Video", categories=("Video",))
    body = _text(client.get("/catalog/?category=analytics"))
    assert "Alpha Stats" in body and "Beta Mail" in body and "Gamma Legacy" in body
    assert "Delta Video" not in body
    assert "3 destinations in Analytics" in body
    # "Email" must not match "Email Marketing" by substring
    body = _text(client.get("/catalog/?category=video"))
    assert "Gamma Legacy" in body and "Delta Video" in body and "Alpha Stats" not in body


def test_unknown_category_is_404_with_the_page_still_usable(client):
    public_integration("Alpha Stats")
    response = client.get("/catalog/?category=nope")
    assert response.status_code == 404
    body = _text(response)
    assert "There is no category “nope”" in body
    assert 'href="?category=analytics"' in body


def test_index_searches_by_name(client):
    public_integration("Alpha Stats")
    public_integration("Beta Mail")
    body = _text(client.get("/catalog/?q=stat"))
    assert "Alpha Stats" in body and "Beta Mail" not in body
    assert "matching “stat”" in body
    assert "No destinations match" in _text(client.get("/catalog/?q=zzzz"))


def test_index_is_paginated_and_keeps_filters(client, db):
    many_public_integrations(30)
    first = _text(client.get("/catalog/?q=bulk"))
    assert "Page 1 of 2" in first
    assert "?q=bulk&page=2" in first
    second = _text(client.get("/catalog/?q=bulk&page=2"))
    assert "Bulk Destination 0029" in second and "Bulk Destination 0000" not in second
    # hostile page numbers fall back to a real page
    assert client.get("/catalog/?page=abc").status_code == 200
    assert client.get("/catalog/?page=99999").status_code == 200


def test_detail_shows_entry_and_workspace_button(client):
    public_integration("Alpha Stats", description="Counts **everything**.")
    response = client.get("/catalog/alpha-stats/")
    assert response.status_code == 200
    body = _text(response)
    assert "Alpha Stats" in body and "Counts **everything**." in body
    assert "https://app.segment.com/goto-my-workspace/destinations/catalog/alpha-stats" in body


def test_detail_of_non_public_integration_is_404(client, integration):
    in_private_beta(integration)
    assert client.get("/catalog/acme-events/").status_code == 404
    assert client.get("/catalog/no-such-thing/").status_code == 404


def test_new_and_noteworthy_is_last_90_days_newest_first(client):
    now = timezone.now()
    public_integration("Old One", public_since=now - timedelta(days=91))
    public_integration("Edge One", public_since=now - timedelta(days=90) + timedelta(minutes=1))
    public_integration("Fresh One", public_since=now - timedelta(days=1))
    with time_machine.travel(now, tick=False):
        body = _text(client.get("/catalog/new/"))
    assert "Old One" not in body
    assert body.index("Fresh One") < body.index("Edge One")


def test_new_and_noteworthy_when_empty(client, db):
    assert "Nothing new in the last 90 days" in _text(client.get("/catalog/new/"))


def test_public_pages_answer_head_and_refuse_post(client):
    public_integration("Alpha Stats")
    assert client.head("/catalog/").status_code == 200
    assert client.post("/catalog/").status_code == 405


@pytest.mark.parametrize(
    "url",
    ["/catalog/", "/catalog/?category=analytics", "/catalog/?q=bulk", "/catalog/new/"],
)
def test_list_pages_keep_constant_queries_from_10_to_500(
    client, db, url, django_assert_max_num_queries
):
    many_public_integrations(10)
    client.get(url)  # warm: categories, content types
    cache.clear()  # measure a real render, not the cached page
    with django_assert_max_num_queries(6) as small:
        assert client.get(url).status_code == 200
    many_public_integrations(490, start=10)
    cache.clear()
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.django_db(transaction=True)  # invalidation runs after commit
def test_anonymous_pages_are_served_from_cache_until_the_catalog_changes(
    client, db, django_assert_max_num_queries
):
    many_public_integrations(10)
    client.get("/catalog/")
    with django_assert_max_num_queries(1):  # at most the catalog version
        first = client.get("/catalog/")
    assert "Bulk Destination 0001" in _text(first)
    # a change shows at once: stage, approved metadata, new entries change the version
    public_integration("Aardvark Metrics")
    assert "Aardvark Metrics" in _text(client.get("/catalog/"))
    integration = Integration.objects.get(slug="aardvark-metrics")
    approve_metadata(integration, description="Rewritten words.")
    assert "Rewritten words." in _text(client.get("/catalog/aardvark-metrics/"))
    integration.stage = Stage.PRIVATE_BETA
    integration.save(update_fields=["stage", "updated_at"])
    assert "Aardvark Metrics" not in _text(client.get("/catalog/"))
    assert client.get("/catalog/aardvark-metrics/").status_code == 404


@pytest.mark.django_db(transaction=True)  # invalidation runs after commit
def test_cached_pages_show_bulk_updates_at_once(client):
    integration = public_integration("Aardvark Metrics")
    revision = integration.live_metadata
    image = MetadataImage.objects.create(revision=revision, image="assets/a.png", caption="Old")
    assert "Old" in _text(client.get("/catalog/aardvark-metrics/"))
    # queryset updates send no post_save; the cached pages still change at the next request
    MetadataImage.objects.filter(pk=image.pk).update(caption="Fresh caption")
    assert "Fresh caption" in _text(client.get("/catalog/aardvark-metrics/"))
    MetadataRevision.objects.filter(pk=revision.pk).update(description_html="<p>Bulk.</p>")
    assert "Bulk." in _text(client.get("/catalog/aardvark-metrics/"))
    Category.objects.filter(name="Analytics").update(name="Insights")
    assert "Insights" in _text(client.get("/catalog/"))


def test_logged_in_visitors_get_their_own_header_not_a_cached_page(client, partner_user):
    public_integration("Alpha Stats")
    client.get("/catalog/")  # an anonymous visit fills the cache
    client.force_login(partner_user)
    assert partner_user.email in _text(client.get("/catalog/"))
    client.logout()
    assert partner_user.email not in _text(client.get("/catalog/"))


def test_logged_in_partner_sees_the_same_catalog(client, partner_user):
    public_integration("Alpha Stats")
    client.force_login(partner_user)
    assert "Alpha Stats" in _text(client.get("/catalog/"))


def test_imported_integration_without_partner_is_listed(client, db):
    integration = factories.IntegrationFactory(
        partner=None, name="Legacy", slug="legacy", stage=Stage.PUBLIC, is_imported=True
    )
    approve_metadata(integration)
    assert "Legacy" in _text(client.get("/catalog/"))
    assert client.get("/catalog/legacy/").status_code == 200


def test_made_up_query_parameters_do_not_fill_the_page_cache(client, db):
    from django.core.cache import cache

    public_integration("Alpha Stats")
    client.get("/catalog/")
    client.get("/api/v1/catalog/")
    before = len(cache._cache)  # LocMemCache
    for n in range(50):
        assert client.get(f"/api/v1/catalog/?flush={n}").status_code == 200
        assert client.get(f"/catalog/?x={n}").status_code == 200
    assert len(cache._cache) == before
    # the parameters the pages understand are still cached, in any order
    client.get("/catalog/?q=alpha&page=1")
    after = len(cache._cache)
    client.get("/catalog/?page=1&q=alpha")
    assert len(cache._cache) == after > before
