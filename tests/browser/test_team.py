"""In a real browser: an owner invites a colleague who signs up through the email and edits the
spec; the owner removes them and their open tab loses access. A staff member enrols TOTP and
can't reach /staff/ or /admin/ without it."""

import re
from base64 import b32decode

import pytest
from django.conf import settings
from django.core import mail
from django_otp.oath import TOTP

from catalog.models import SpecRevision, Stage, User
from tests import factories
from tests.test_promote import reference_data  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

PASSWORD = "a long unusual passphrase 42"


def join_path(address: str) -> str:
    (email,) = [m for m in mail.outbox if m.to == [address]]
    match = re.search(re.escape(settings.SITE_URL) + r"(/partner/team/join/[\w-]+/)", email.body)
    assert match, email.body
    return match.group(1)


def test_owner_invites_a_colleague_who_joins_edits_the_spec_and_is_removed(
    browser, live_server, page, login, partner_user, integration
):
    integration.stage = Stage.SPEC
    integration.save(update_fields=["stage"])
    factories.accept_agreements(partner_user)

    # the owner invites a colleague
    login(partner_user)
    page.goto("/partner/team/")
    page.fill("input[name=email]", "Dev@Acme.example.com")
    page.select_option("select[name=role]", "member")
    page.click("button:has-text('Send invitation')")
    page.wait_for_selector("text=Invitation sent to dev@acme.example.com")
    assert "dev@acme.example.com" in page.inner_text("#invites-title + *")

    # the colleague signs up through the emailed link, in their own browser
    colleague_context = browser.new_context(base_url=live_server.url)
    colleague = colleague_context.new_page()
    colleague.goto(join_path("dev@acme.example.com"))
    colleague.wait_for_selector("h1:has-text('Join Acme Analytics')")
    colleague.fill("input[name=full_name]", "Dev Eloper")
    colleague.fill("input[name=password]", PASSWORD)
    colleague.fill("input[name=password_confirm]", PASSWORD)
    colleague.check("input[name=accept_partner_program]")
    colleague.check("input[name=accept_privacy]")
    colleague.click("button:has-text('Create account and join')")
    colleague.wait_for_selector("text=Welcome to Acme Analytics")
    member = User.objects.get(email="dev@acme.example.com")
    assert member.partner_id == partner_user.partner_id and member.partner_role == "member"

    # … and edits the spec
    colleague.goto(f"/partner/integrations/{integration.pk}/spec/")
    colleague.fill("#id_meta-description", "Sends your events to Acme.")
    colleague.click("button[value=save]:not(.visually-hidden)")
    colleague.wait_for_selector("text=Saved as draft revision 1")
    assert SpecRevision.objects.get().created_by_id == member.pk
    # a member has no team page
    colleague.goto("/partner/team/")
    assert "Only your company's owners" in colleague.content()

    # the owner removes them; their open tab loses access on its next request
    colleague.goto(f"/partner/integrations/{integration.pk}/spec/")
    page.goto("/partner/team/")
    page.click("button:has-text('Remove dev@acme.example.com')")
    page.wait_for_selector("text=Their sessions have ended")
    colleague.reload()
    assert "/accounts/login/" in colleague.url
    colleague_context.close()


def test_staff_enrols_totp_and_cannot_reach_staff_or_admin_without_it(page, staff_user):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", staff_user.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Set up two-factor sign-in')")
    for path in ("/staff/", "/admin/", "/staff/outbox/"):
        page.goto(path)
        assert "/accounts/two-factor/" in page.url, path
    assert page.locator("img.qr").is_visible()

    secret = page.inner_text("#totp-secret").replace(" ", "")
    page.fill("input[name=code]", "000000")
    page.click("button:has-text('Turn on two-factor sign-in')")
    page.wait_for_selector("text=That code is not right")
    page.fill("input[name=code]", f"{TOTP(b32decode(secret)).token():06d}")
    page.click("button:has-text('Turn on two-factor sign-in')")
    page.wait_for_selector("h1:has-text('Two-factor sign-in is on')")
    assert page.locator("#recovery-codes li").count() == 10
    page.click("text=I saved them, continue")
    page.goto("/staff/")
    assert page.url.endswith("/staff/")
    page.goto("/admin/")
    assert page.url.endswith("/admin/")

    # a new session asks for the code again
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", staff_user.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Type your code')")
    page.goto("/admin/")
    assert "/accounts/two-factor/verify/" in page.url
