"""In a real browser: sign-up to first integration; staff promotion refused, then done."""

import re

import pytest
from django.conf import settings
from django.core import mail

from catalog.models import Integration, Stage, User
from tests import factories
from tests.test_promote import reference_data  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

PASSWORD = "a long unusual passphrase 42"


def confirmation_path() -> str:
    # The email as sent: once sent, the outbox row no longer holds the link.
    (email,) = [m for m in mail.outbox if m.to == ["grace@hopper.example.com"]]
    match = re.search(re.escape(settings.SITE_URL) + r"(/accounts/confirm/\S+/)", email.body)
    assert match, email.body
    return match.group(1)


def test_sign_up_confirm_log_in_and_register_the_first_integration(page):
    # sign up
    page.goto("/accounts/signup/")
    page.fill("input[name=company_name]", "Hopper Metrics")
    page.fill("input[name=website]", "https://hopper.example.com")
    page.fill("input[name=full_name]", "Grace Hopper")
    page.fill("input[name=email]", "Grace@Hopper.example.com")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=password_confirm]", PASSWORD)
    page.check("input[name=accept_partner_program]")
    page.check("input[name=accept_privacy]")
    page.click("button[type=submit]:has-text('Create account')")
    page.wait_for_selector("h1:has-text('Check your email')")
    assert "grace@hopper.example.com" in page.content()

    # logging in before confirming is refused, with a way to get a new link
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "grace@hopper.example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Confirm your email address first")
    assert page.locator("a[href='/accounts/confirm/resend/']").first.is_visible()

    # confirm through the emailed link
    page.goto(confirmation_path())
    page.wait_for_selector("text=is confirmed")
    assert page.url.endswith("/accounts/login/")

    # log in
    page.fill("input[name=username]", "grace@hopper.example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('My integrations')")
    assert page.url.endswith("/partner/")

    # device-mode mobile is shown disabled, with why, rather than offered and refused
    page.click("a:has-text('Register an integration') >> nth=0")
    page.fill("input[name=name]", "Hopper Events")
    assert page.locator("input[name=mode][value=device-mobile]").is_disabled()
    assert "not available to partners" in page.inner_text("main")
    assert Integration.objects.count() == 0

    # the first integration starts in sign-up, its gate already holds
    page.check("input[name=mode][value=cloud]")
    page.click("button[type=submit]:has-text('Register')")
    page.wait_for_selector("h1:has-text('Hopper Events')")
    assert page.locator(".badge-stage-signup").first.inner_text() == "Sign-up"
    gate = page.locator("section[aria-labelledby=progress-title]")
    assert gate.locator(".check-pass").count() == 2, gate.inner_text()
    integration = Integration.objects.get()
    assert integration.stage == Stage.SIGNUP
    assert integration.partner == User.objects.get(email="grace@hopper.example.com").partner
    page.goto("/partner/")
    assert "Ready for staff review" in page.content()


def test_staff_promote_is_refused_while_a_gate_fails_and_works_once_it_holds(page, login):
    # given a partner that has not accepted the agreements yet
    partner_user = factories.PartnerUserFactory(email="owner@acme.example.com")
    integration = factories.IntegrationFactory(partner=partner_user.partner, name="Acme Events")
    staff = factories.StaffUserFactory(email="staff@platform.example.com")
    login(staff)
    page.goto("/staff/")
    page.click("a.board-card:has-text('Acme Events')")
    page.wait_for_selector("h1:has-text('Acme Events')")

    # when staff press promote while the gate fails
    page.click("button:has-text('Promote to next stage')")
    # then
    refusal = page.locator("#refusal")
    refusal.wait_for()
    assert "Partner Program Agreement and Privacy Policy accepted" in refusal.inner_text()
    assert "Nothing was changed" in refusal.inner_text()
    integration.refresh_from_db()
    assert integration.stage == Stage.SIGNUP

    # once the partner accepts the agreements
    factories.accept_agreements(partner_user)
    page.goto(f"/staff/integrations/{integration.pk}/")
    assert "Ready to promote" in page.content()
    page.fill("textarea[name=note]", "Welcome to the program")
    page.click("button:has-text('Promote to next stage')")
    page.wait_for_selector("text=moved to Spec")
    assert page.locator(".page-head .badge-stage-spec").inner_text() == "Spec"
    assert "Welcome to the program" in page.locator(".history").inner_text()
    integration.refresh_from_db()
    assert integration.stage == Stage.SPEC
