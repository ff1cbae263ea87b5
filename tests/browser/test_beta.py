"""In a real browser: a partner owner invites a beta customer, the customer opens the link and
confirms it works, the partner sees the invite verified; a revoked link gets the plain page."""

import pytest

from catalog.models import BetaLink, CustomerVerification
from tests.data.catalog import in_private_beta

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def console_errors(page):
    """Script and CSP errors, and our own resources that failed (not the browser's favicon
    guess, not logos on the unreachable example CDN)."""
    errors = []

    def on_console(message):
        if message.type == "error" and "Failed to load resource" not in message.text:
            errors.append(message.text)

    def on_response(response):
        if response.status >= 400 and "favicon" not in response.url:
            errors.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    return errors


def test_beta_journey_invite_open_confirm(
    browser, live_server, page, login, partner_user, integration, console_errors
):
    # given: an integration in private beta, its owner on the beta page
    in_private_beta(integration, support_email="help@acme.example.com")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    login(partner_user)
    page.goto(f"/partner/integrations/{integration.pk}/beta/")
    platform = page.locator("#beta-platform-url")
    assert platform.input_value().endswith("/goto-my-workspace/destinations/catalog/acme-events")

    # when: the owner invites a customer with the keyboard
    page.fill("input[name=email]", "buyer@shop.example.com")
    page.fill("input[name=workspace_name]", "Shop prod")
    page.fill("input[name=days]", "14")
    page.keyboard.press("Enter")

    # then: the link is shown once, with a working copy button
    new_link = page.locator("#new-beta-url")
    new_link.wait_for()
    url = new_link.input_value()
    assert "/beta/" in url
    page.click("button[data-copy-target='#new-beta-url']")
    page.wait_for_selector("button[data-copy-target='#new-beta-url']:has-text('Copied')")
    assert page.evaluate("navigator.clipboard.readText()") == url
    row = page.locator("tr[data-invite='buyer@shop.example.com']")
    assert "Active" in row.inner_text()

    # when: the customer (no account) opens the link in their own browser
    customer = browser.new_context(base_url=live_server.url)
    customer_page = customer.new_page()
    try:
        path = url.split("/beta/", 1)[1]
        response = customer_page.goto(f"/beta/{path}")
        assert response.status == 200
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "Acme Events" in customer_page.inner_text("#listing-title")
        button = customer_page.locator("a.add-to-workspace")
        assert button.get_attribute("href").endswith(
            "/goto-my-workspace/destinations/catalog/acme-events"
        )
        assert "help@acme.example.com" not in customer_page.content()
        assert customer_page.input_value("input[name=workspace_name]") == "Shop prod"
        customer_page.fill("textarea[name=note]", "Events arrive in order.")
        customer_page.click("button:has-text('It works in my workspace')")
        customer_page.wait_for_selector("h1:has-text('Thank you')")
    finally:
        customer.close()

    # then: the verification is recorded and the owner sees the invite verified
    verification = CustomerVerification.objects.get()
    assert verification.workspace_name == "Shop prod"
    assert verification.note == "Events arrive in order."
    page.goto(f"/partner/integrations/{integration.pk}/beta/")
    row = page.locator("tr[data-invite='buyer@shop.example.com']")
    text = row.inner_text()
    assert "Verified" in text and "\t1\t" in text.replace("\n", "\t")
    assert console_errors == []


def test_owner_revokes_an_invite_and_the_link_stops_working(
    browser, live_server, page, login, partner_user, integration
):
    # given
    in_private_beta(integration)
    login(partner_user)
    page.goto(f"/partner/integrations/{integration.pk}/beta/")
    page.fill("input[name=email]", "gone@shop.example.com")
    page.click("button:has-text('Send invite')")
    url = page.locator("#new-beta-url").input_value()
    # when: revoke, accepting the confirmation dialog
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"/partner/integrations/{integration.pk}/beta/")
    page.locator("tr[data-invite='gone@shop.example.com'] button:has-text('Revoke')").click()
    page.wait_for_selector("text=is revoked")
    assert "Revoked" in page.locator("tr[data-invite='gone@shop.example.com']").inner_text()
    assert BetaLink.objects.get().is_revoked
    # then: the customer gets the plain page with 410
    customer = browser.new_context(base_url=live_server.url)
    try:
        customer_page = customer.new_page()
        response = customer_page.goto("/beta/" + url.split("/beta/", 1)[1])
        assert response.status == 410
        assert "This beta link was withdrawn" in customer_page.inner_text("h1")
    finally:
        customer.close()


def test_member_sees_invites_without_the_form(page, login, partner_member, integration):
    in_private_beta(integration)
    login(partner_member)
    page.goto(f"/partner/integrations/{integration.pk}/beta/")
    assert page.locator("#beta-platform-url").is_visible()
    assert page.locator("input[name=email]").count() == 0
    assert "Only your company's owners can invite" in page.inner_text("main")
