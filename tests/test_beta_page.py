"""The customer's beta page under load: few queries, one shared render, every open counted."""

import html
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from catalog.models import (
    BetaLink,
    Category,
    CustomerVerification,
    Integration,
    MetadataImage,
    MetadataRevision,
    Stage,
)
from tests.data.catalog import approve_metadata, beta_link, in_private_beta

SUPPORT = "help@acme.example.com"


@pytest.fixture
def beta_integration(integration):
    return in_private_beta(integration, support_email=SUPPORT)


def _text(response) -> str:
    return html.unescape(response.content.decode())


def test_opening_a_beta_page_costs_two_queries(
    client, beta_integration, django_assert_max_num_queries
):
    _, token = beta_link(beta_integration)
    client.get(f"/beta/{token}/")  # the first open renders the integration's page
    _, other = beta_link(beta_integration, email="second@shop.example.com")
    # the token lookup (link, integration, verified) and the open count
    with django_assert_max_num_queries(2):
        assert client.get(f"/beta/{other}/").status_code == 200
    with django_assert_max_num_queries(2):
        assert client.get(f"/beta/{token}/").status_code == 200


def test_first_open_of_an_integration_page_costs_a_fixed_number_of_queries(
    client, beta_integration, django_assert_max_num_queries
):
    _, token = beta_link(beta_integration)
    # lookup, open count, then the listing: live revision with its categories, its screenshots
    with django_assert_max_num_queries(5):
        assert client.get(f"/beta/{token}/").status_code == 200


def test_confirmed_link_page_costs_three_queries(
    client, beta_integration, django_assert_max_num_queries
):
    link, token = beta_link(beta_integration)
    CustomerVerification.objects.create(
        integration=beta_integration, beta_link=link, workspace_name="Shop prod"
    )
    client.get(f"/beta/{token}/")
    with django_assert_max_num_queries(3):
        body = _text(client.get(f"/beta/{token}/"))
    assert "Confirmed" in body and "Shop prod" in body


def test_every_open_is_counted_when_the_page_comes_from_the_shared_copy(client, beta_integration):
    link, token = beta_link(beta_integration)
    start = timezone.now()
    for minutes in (0, 5, 60):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get(f"/beta/{token}/").status_code == 200
    link.refresh_from_db()
    assert link.open_count == 3
    assert link.first_opened_at == start
    assert link.last_opened_at == start + timedelta(minutes=60)


def test_each_customer_sees_their_own_workspace_and_expiry(client, beta_integration):
    # noon UTC: the same day in UTC and in the platform's time zone
    with time_machine.travel(datetime(2026, 3, 4, 12, tzinfo=UTC), tick=False):
        _, first = beta_link(beta_integration, workspace_name="Shop <prod> & co", days=10)
        _, second = beta_link(
            beta_integration, email="b@shop.example.com", workspace_name="Other", days=40
        )
        first_page = client.get(f"/beta/{first}/").content.decode()
        second_page = client.get(f"/beta/{second}/").content.decode()
    assert 'value="Shop &lt;prod&gt; &amp; co"' in first_page
    assert 'value="Other"' in second_page and "Shop" not in second_page
    assert "works until March 14, 2026" in first_page and "April 13, 2026" not in first_page
    assert "works until April 13, 2026" in second_page


def test_shared_page_is_the_page_a_full_render_gives(beta_integration):
    _, token = beta_link(beta_integration, workspace_name='Shop "prod" <eu> & co')
    shared = Client().get(f"/beta/{token}/")
    # a session cookie (here an unknown one) makes the view render the page in full
    client = Client()
    client.cookies["sessionid"] = "not-a-session"
    full = client.get(f"/beta/{token}/")
    assert shared.status_code == full.status_code == 200
    assert shared.content == full.content
    for response in (shared, full):
        assert response["Referrer-Policy"] == "no-referrer"
        assert "no-store" in response["Cache-Control"]


def test_page_and_cache_never_hold_the_token_and_the_form_posts_to_the_link(
    client, beta_integration
):
    _, token = beta_link(beta_integration)
    page = client.get(f"/beta/{token}/").content.decode()
    assert token not in page
    assert 'action="verify/"' in page
    assert urljoin(f"/beta/{token}/", "verify/") == f"/beta/{token}/verify/"
    kept = [cache.get(key.split(":", 2)[-1]) for key in list(cache._cache)]  # LocMemCache
    assert kept and not any(token in repr(value) for value in kept)


def test_refused_confirmation_page_posts_to_itself(client, beta_integration):
    _, token = beta_link(beta_integration)
    response = client.post(f"/beta/{token}/verify/", {"workspace_name": ""})
    assert response.status_code == 422
    page = response.content.decode()
    assert 'action="./"' in page and token not in page
    assert urljoin(f"/beta/{token}/verify/", "./") == f"/beta/{token}/verify/"


@pytest.mark.django_db(transaction=True)  # invalidation runs after commit
def test_page_shows_a_rename_and_a_new_revision_at_once(client, beta_integration):
    _, token = beta_link(beta_integration)
    assert "Acme Events" in _text(client.get(f"/beta/{token}/"))
    beta_integration.name = "Acme Streams"
    beta_integration.save(update_fields=["name"])
    approve_metadata(beta_integration, description="Now with batching.")
    body = _text(client.get(f"/beta/{token}/"))
    assert "Try Acme Streams" in body and "Now with batching." in body


def test_signed_in_visitor_gets_their_own_header_not_the_shared_page(
    partner_client, partner_user, beta_integration
):
    _, token = beta_link(beta_integration)
    anonymous = Client().get(f"/beta/{token}/").content.decode()
    assert partner_user.email not in anonymous
    signed_in = partner_client.get(f"/beta/{token}/").content.decode()
    assert partner_user.email in signed_in and "Log out" in signed_in
    # and the signed-in render is not handed to the next anonymous visitor
    again = Client().get(f"/beta/{token}/").content.decode()
    assert partner_user.email not in again and "Log in" in again


@pytest.mark.django_db(transaction=True)  # invalidation runs after commit
def test_revoking_takes_effect_at_the_next_open(client, beta_integration):
    link, token = beta_link(beta_integration)
    assert client.get(f"/beta/{token}/").status_code == 200
    BetaLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
    response = client.get(f"/beta/{token}/")
    assert response.status_code == 410 and "withdrawn" in _text(response)


# --- Bulk writes (queryset ``update()``, ``bulk_update()``) send no signals: still seen at once --


@pytest.mark.django_db(transaction=True)  # invalidation runs after commit
def test_bulk_updates_of_what_the_page_shows_are_seen_at_the_next_open(client, beta_integration):
    link, token = beta_link(beta_integration, workspace_name="Shop prod")
    revision = beta_integration.live_metadata
    image = MetadataImage.objects.create(revision=revision, image="assets/a.png", caption="Old")
    body = _text(client.get(f"/beta/{token}/"))
    assert "Acme Events" in body and "Old" in body and "Analytics" in body
    # then each bulk write shows at the next open, with no save() and no signal of Django's
    MetadataRevision.objects.filter(pk=revision.pk).update(description_html="<p>Bulk words.</p>")
    assert "Bulk words." in _text(client.get(f"/beta/{token}/"))
    MetadataImage.objects.filter(pk=image.pk).update(caption="New caption")
    assert "New caption" in _text(client.get(f"/beta/{token}/"))
    Category.objects.filter(name="Analytics").update(name="Insights")
    assert "Insights" in _text(client.get(f"/beta/{token}/"))
    Integration.objects.filter(pk=beta_integration.pk).update(name="Acme Bulk")
    assert "Try Acme Bulk" in _text(client.get(f"/beta/{token}/"))
    BetaLink.objects.filter(pk=link.pk).update(workspace_name="Renamed ws")
    assert 'value="Renamed ws"' in client.get(f"/beta/{token}/").content.decode()
    beta_integration.refresh_from_db()
    beta_integration.name = "Acme Saved"
    Integration.objects.bulk_update([beta_integration], ["name"])
    assert "Try Acme Saved" in _text(client.get(f"/beta/{token}/"))
    Integration.objects.filter(pk=beta_integration.pk).update(stage=Stage.BUILD)
    assert client.get(f"/beta/{token}/").status_code == 404


@pytest.mark.django_db(transaction=True)  # invalidation runs after commit
def test_bulk_confirmation_and_extension_are_seen_at_the_next_open(client, beta_integration):
    link, token = beta_link(beta_integration, days=10)
    assert "Confirmed" not in _text(client.get(f"/beta/{token}/"))
    later = link.expires_at + timedelta(days=30)
    BetaLink.objects.filter(pk=link.pk).update(expires_at=later)
    body = _text(client.get(f"/beta/{token}/"))
    assert f"works until {later:%B} {later.day}, {later.year}" in body
    CustomerVerification.objects.bulk_create(
        [CustomerVerification(integration=beta_integration, beta_link=link, workspace_name="W1")]
    )
    assert "Confirmed" in _text(client.get(f"/beta/{token}/"))


def test_recording_opens_leaves_cached_pages_alone(
    client, beta_integration, django_assert_max_num_queries
):
    _, token = beta_link(beta_integration)
    client.get(f"/beta/{token}/")
    # the open count is written each time, and the cached page and lookup are still used
    with django_assert_max_num_queries(1):
        assert client.get(f"/beta/{token}/").status_code == 200


def test_n_opens_count_n(beta_integration):
    link, token = beta_link(beta_integration)
    other, other_token = beta_link(beta_integration, email="b@shop.example.com")
    client = Client()
    for _ in range(25):
        assert client.get(f"/beta/{token}/").status_code == 200
    for _ in range(7):
        assert client.get(f"/beta/{other_token}/").status_code == 200
    link.refresh_from_db()
    other.refresh_from_db()
    assert (link.open_count, other.open_count) == (25, 7)
