"""Beta pages over HTTP: the partner's invites page and the customer's /beta/<token>/."""

import html
from datetime import timedelta

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone

from catalog import tokens
from catalog.models import AuditLog, BetaLink, CustomerVerification, OutboxMessage, Stage
from catalog.services import beta as service
from tests.data.catalog import beta_link, in_private_beta

SUPPORT = "help@acme.example.com"


@pytest.fixture
def beta_integration(integration):
    return in_private_beta(integration, support_email=SUPPORT)


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _url(integration, suffix=""):
    return f"/partner/integrations/{integration.pk}/beta/{suffix}"


def _snapshot():
    return (
        sorted(map(repr, BetaLink.objects.values())),
        AuditLog.objects.count(),
        OutboxMessage.objects.count(),
        CustomerVerification.objects.count(),
    )


# --- Partner page -------------------------------------------------------------------------------


def test_partner_page_shows_platform_url_and_invite_form(partner_client, beta_integration):
    response = partner_client.get(_url(beta_integration))
    assert response.status_code == 200
    body = _text(response)
    assert "https://app.segment.com/goto-my-workspace/destinations/catalog/acme-events" in body
    assert 'data-copy-target="#beta-platform-url"' in body
    assert 'name="email"' in body and 'name="days"' in body and 'value="30"' in body


def test_platform_url_base_is_configurable(partner_client, beta_integration, settings):
    settings.SEGMENT_APP_URL = "https://app.eu.example.com"
    body = _text(partner_client.get(_url(beta_integration)))
    assert "https://app.eu.example.com/goto-my-workspace/destinations/catalog/acme-events" in body


def test_issuing_shows_the_link_once(partner_client, beta_integration):
    # when
    posted = partner_client.post(
        _url(beta_integration),
        {"email": "buyer@shop.example.com", "workspace_name": "Shop", "days": "14"},
    )
    # then: post/redirect/get, and the page after the redirect shows the link
    assert posted.status_code == 302 and posted["Location"] == _url(beta_integration)
    response = partner_client.get(_url(beta_integration))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = _text(response)
    link = BetaLink.objects.get()
    token = body.split("/beta/", 1)[1].split("/", 1)[0]
    assert tokens.hash_token(token) == link.token_hash
    assert 'data-copy-target="#new-beta-url"' in body
    assert link.expires_at - link.created_at == timedelta(days=14)
    assert OutboxMessage.objects.filter(recipient="buyer@shop.example.com").count() == 1
    # and the list shows it, without the token
    again = _text(partner_client.get(_url(beta_integration)))
    assert "buyer@shop.example.com" in again and token not in again
    assert ">Active<" in again


def test_invalid_invite_keeps_input_and_names_the_problem(partner_client, beta_integration):
    before = _snapshot()
    response = partner_client.post(
        _url(beta_integration), {"email": "not-an-email", "workspace_name": "Shop", "days": "0"}
    )
    assert response.status_code == 422
    body = _text(response)
    assert "Enter a valid email address." in body
    assert "greater than or equal to 1" in body
    assert 'value="not-an-email"' in body
    assert _snapshot() == before


def test_member_sees_invites_but_cannot_issue(client, partner_member, beta_integration):
    beta_link(beta_integration, email="seen@shop.example.com")
    client.force_login(partner_member)
    page = _text(client.get(_url(beta_integration)))
    assert "seen@shop.example.com" in page
    assert "Only your company's owners can invite" in page
    assert "Revoke</button>" not in page
    before = _snapshot()
    response = client.post(_url(beta_integration), {"email": "c@x.io", "days": "5"})
    assert response.status_code == 403
    assert "Only the partner's owners and staff" in _text(response)
    assert _snapshot() == before


def test_other_partner_can_neither_see_nor_issue(client, other_partner_user, beta_integration):
    beta_link(beta_integration, email="secret-invite@shop.example.com")
    client.force_login(other_partner_user)
    response = client.get(_url(beta_integration))
    assert response.status_code == 404
    assert b"secret-invite" not in response.content
    before = _snapshot()
    assert client.post(_url(beta_integration), {"email": "c@x.io"}).status_code == 404
    link = BetaLink.objects.get()
    assert client.post(_url(beta_integration, f"{link.pk}/revoke/")).status_code == 404
    assert client.post(_url(beta_integration, f"{link.pk}/extend/"), {"days": 5}).status_code == 404
    assert _snapshot() == before


def test_revoke_and_extend_are_post_actions(partner_client, beta_integration):
    link, _ = beta_link(beta_integration)
    assert partner_client.get(_url(beta_integration, f"{link.pk}/revoke/")).status_code == 405
    old = link.expires_at
    response = partner_client.post(_url(beta_integration, f"{link.pk}/extend/"), {"days": "7"})
    assert response.status_code == 302 and response["Location"] == _url(beta_integration)
    link.refresh_from_db()
    assert link.expires_at == old + timedelta(days=7)
    response = partner_client.post(_url(beta_integration, f"{link.pk}/revoke/"), follow=True)
    assert "is revoked" in _text(response)
    link.refresh_from_db()
    assert link.is_revoked
    # revoking again: 409 with the reason, nothing changes
    before = _snapshot()
    response = partner_client.post(_url(beta_integration, f"{link.pk}/revoke/"))
    assert response.status_code == 409
    assert "already revoked" in _text(response)
    assert _snapshot() == before


def test_extend_with_bad_days_is_refused(partner_client, beta_integration):
    link, _ = beta_link(beta_integration)
    before = _snapshot()
    response = partner_client.post(_url(beta_integration, f"{link.pk}/extend/"), {"days": "x"})
    assert response.status_code == 422
    assert "between 1 and 365" in _text(response)
    assert _snapshot() == before


def test_page_before_private_beta_explains_and_refuses(partner_client, integration):
    assert "Beta invites open once" in _text(partner_client.get(_url(integration)))
    before = _snapshot()
    response = partner_client.post(_url(integration), {"email": "c@x.io", "days": "5"})
    assert response.status_code == 409
    assert _snapshot() == before


def test_panel_renders_only_in_private_beta_or_public(rf, partner_user, integration):
    request = rf.get("/")
    request.user = partner_user
    context = {"integration": integration, "user": partner_user, "request": request}
    assert render_to_string("catalog/partner/panels/beta.html", context).strip() == ""
    in_private_beta(integration)
    html = render_to_string("catalog/partner/panels/beta.html", context, request=request)
    assert "Private beta" in html and "goto-my-workspace" in html
    staff_html = render_to_string("catalog/staff/panels/beta.html", context, request=request)
    assert "Customer verifications" in staff_html


def test_panel_lists_many_invites_in_constant_queries(
    rf, partner_user, beta_integration, django_assert_max_num_queries
):
    for n in range(30):
        beta_link(beta_integration, email=f"c{n}@x.io")
    request = rf.get("/")
    request.user = partner_user
    context = {"integration": beta_integration, "user": partner_user}
    with django_assert_max_num_queries(3):
        html = render_to_string("catalog/partner/panels/beta.html", context, request=request)
    assert html.count("data-invite=") == 30


# --- The customer's page ------------------------------------------------------------------------


def _assert_private_headers(response):
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]


def test_customer_sees_entry_button_and_form(client, beta_integration):
    link, token = beta_link(beta_integration)
    response = client.get(f"/beta/{token}/")
    assert response.status_code == 200
    _assert_private_headers(response)
    body = _text(response)
    assert "Acme Events" in body and "Sends your events to the product." in body
    assert (
        'href="https://app.segment.com/goto-my-workspace/destinations/catalog/acme-events"' in body
    )
    assert "Add to my workspace" in body and "It works in my workspace" in body
    assert SUPPORT not in body
    link.refresh_from_db()
    assert link.open_count == 1


@pytest.mark.parametrize(
    ("make", "status", "text"),
    [
        (lambda i: beta_link(i, days=-1)[1], 410, "expired"),
        (lambda i: beta_link(i, revoked_at=timezone.now())[1], 410, "withdrawn"),
        (lambda i: tokens.new_token()[0], 404, "doesn't work"),
        (lambda i: "not-a-token", 404, "doesn't work"),
        (lambda i: beta_link(i)[1][:-2] + "zz", 404, "doesn't work"),
    ],
    ids=["expired", "revoked", "unknown", "malformed", "tampered"],
)
def test_bad_links_get_a_plain_page_and_right_status(client, beta_integration, make, status, text):
    token = make(beta_integration)
    before = _snapshot()
    response = client.get(f"/beta/{token}/")
    assert response.status_code == status
    _assert_private_headers(response)
    body = _text(response)
    assert text in body
    assert "Acme Events" not in body and SUPPORT not in body
    assert _snapshot() == before


def test_expiry_boundary_over_http(client, beta_integration):
    link, token = beta_link(beta_integration)
    with time_machine.travel(link.expires_at - timedelta(seconds=1), tick=False):
        assert client.get(f"/beta/{token}/").status_code == 200
    with time_machine.travel(link.expires_at, tick=False):
        assert client.get(f"/beta/{token}/").status_code == 410


def test_repeated_bad_tokens_get_429_with_retry_after(beta_integration):
    client = Client(REMOTE_ADDR="192.0.2.50")
    for _ in range(service.THROTTLE_LIMIT):
        assert client.get(f"/beta/{tokens.new_token()[0]}/").status_code == 404
    response = client.get(f"/beta/{tokens.new_token()[0]}/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= service.THROTTLE_WINDOW
    assert "Too many attempts" in _text(response)
    _assert_private_headers(response)


def test_ten_bad_tokens_from_an_address_do_not_block_a_valid_link_from_it(beta_integration):
    # given someone on the customer's network (an office, a shared NAT) sent ten bad tokens
    _, good = beta_link(beta_integration)
    client = Client(REMOTE_ADDR="192.0.2.50")
    for _ in range(service.THROTTLE_LIMIT + 1):
        client.get(f"/beta/{tokens.new_token()[0]}/")
    # when the invited customer opens their link from the same address
    response = client.get(f"/beta/{good}/")
    # then it opens, and so does the "it works" confirmation
    assert response.status_code == 200
    confirm = client.post(f"/beta/{good}/verify/", {"workspace_name": "acme-prod"})
    assert confirm.status_code in (200, 302)


def test_link_after_going_public_redirects_to_public_page(client, beta_integration):
    _, token = beta_link(beta_integration)
    beta_integration.stage = Stage.PUBLIC
    beta_integration.save(update_fields=["stage"])
    response = client.get(f"/beta/{token}/")
    assert response.status_code == 302
    assert response["Location"] == "/catalog/acme-events/"
    _assert_private_headers(response)


@pytest.mark.django_db(transaction=True)  # invalidation runs after commit
def test_customer_confirms_it_works(client, beta_integration, partner_user):
    link, token = beta_link(beta_integration, workspace_name="Shop prod")
    page = _text(client.get(f"/beta/{token}/"))
    assert 'value="Shop prod"' in page  # the workspace from the invite is suggested
    posted = client.post(
        f"/beta/{token}/verify/", {"workspace_name": "Shop prod", "note": "Works well."}
    )
    assert posted.status_code == 302
    _assert_private_headers(posted)
    response = client.get(f"/beta/{token}/verify/" + posted["Location"].removeprefix("./"))
    assert response.status_code == 200
    _assert_private_headers(response)
    assert "Thank you" in _text(response)
    verification = CustomerVerification.objects.get()
    assert verification.beta_link == link and verification.note == "Works well."
    assert OutboxMessage.objects.filter(recipient=partner_user.email).exists()
    # the page now says it's confirmed instead of showing the form
    page = _text(client.get(f"/beta/{token}/"))
    assert "Confirmed" in page and "It works in my workspace</button>" not in page


def test_confirmation_without_workspace_is_refused(client, beta_integration):
    _, token = beta_link(beta_integration)
    before = _snapshot()
    response = client.post(f"/beta/{token}/verify/", {"workspace_name": "", "note": "x"})
    assert response.status_code == 422
    assert "This field is required." in _text(response)
    assert _snapshot() == before


def test_confirmation_with_bad_token_gets_the_same_plain_page(client, beta_integration):
    before = _snapshot()
    response = client.post(f"/beta/{tokens.new_token()[0]}/verify/", {"workspace_name": "W"})
    assert response.status_code == 404
    assert "doesn't work" in _text(response)
    assert _snapshot() == before


def test_verify_before_confirming_leads_back_to_the_beta_page(client, beta_integration):
    _, token = beta_link(beta_integration)
    response = client.get(f"/beta/{token}/verify/")
    assert response.status_code == 302 and response["Location"] == "../"


@pytest.mark.django_db(transaction=True)  # invalidation runs after commit
def test_beta_page_shows_a_newly_approved_revision_at_once(client, beta_integration):
    from tests.data.catalog import approve_metadata

    _, token = beta_link(beta_integration)
    assert "Sends your events to the product." in _text(client.get(f"/beta/{token}/"))
    approve_metadata(beta_integration, description="Now with batching.")
    body = _text(client.get(f"/beta/{token}/"))
    assert "Now with batching." in body and "Sends your events" not in body


def test_confirmation_works_with_the_origin_a_no_referrer_page_sends(beta_integration):
    # Browsers send "Origin: null" from a page with Referrer-Policy: no-referrer.
    _, token = beta_link(beta_integration)
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/beta/{token}/verify/", {"workspace_name": "Shop"}, HTTP_ORIGIN="null")
    assert response.status_code == 302
    assert CustomerVerification.objects.count() == 1


def test_partner_integration_page_includes_the_beta_panel(partner_client, beta_integration):
    body = _text(partner_client.get(f"/partner/integrations/{beta_integration.pk}/"))
    assert "goto-my-workspace/destinations/catalog/acme-events" in body
    assert 'action="/partner/integrations/' in body and "Send invite" in body


def test_staff_integration_page_includes_the_beta_panel(staff_client, beta_integration):
    beta_link(beta_integration, email="seen@shop.example.com")
    response = staff_client.get(f"/staff/integrations/{beta_integration.pk}/")
    assert response.status_code == 200
    body = _text(response)
    assert "Customer verifications" in body and "seen@shop.example.com" in body


# --- Issue 11: hidden characters in the invite and "it works" forms ------------------------------


def test_invite_form_refuses_a_bidi_override_beside_the_field(partner_client, beta_integration):
    before = _snapshot()
    response = partner_client.post(
        _url(beta_integration),
        {"email": "customer@shop.example.com", "workspace_name": "Shop\u202e dorp", "days": "10"},
    )
    assert response.status_code == 422
    assert "invisible or control character" in _text(response)
    assert _snapshot() == before


def test_it_works_form_refuses_a_bidi_override(client, beta_integration):
    _, token = beta_link(beta_integration)
    response = client.post(
        f"/beta/{token}/verify/", {"workspace_name": "Shop prod", "note": "Fine\u2066 here"}
    )
    assert response.status_code == 422
    assert "invisible or control character" in _text(response)
    assert CustomerVerification.objects.count() == 0


def test_staff_without_the_beta_permission_do_not_see_invites_on_the_staff_page(
    client, staff_user, beta_integration
):
    from django.contrib.auth.models import Permission

    from catalog import permissions
    from tests import factories

    viewer = factories.UserFactory(email="viewer@platform.example.com", is_staff=True)
    viewer.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="catalog",
            codename=permissions.codename(permissions.VIEW_INTEGRATION),
        )
    )
    beta_link(beta_integration, email="secret-customer@shop.example.com")
    client.force_login(viewer)
    page = client.get(f"/staff/integrations/{beta_integration.pk}/")
    assert page.status_code == 200
    assert "secret-customer@shop.example.com" not in _text(page)
    # while staff with the permission do
    client.force_login(staff_user)
    assert "secret-customer@shop.example.com" in _text(
        client.get(f"/staff/integrations/{beta_integration.pk}/")
    )
