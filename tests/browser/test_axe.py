"""Every page, as each kind of person sees it, in a real browser: axe-core (npm) finds no WCAG
2.1 A/AA violation, and at 390 px wide nothing overflows sideways.

The world is the demo data (``seed_demo``): integrations at every stage, reviews waiting, a beta
link. A new page adds its path to ``pages_for`` below.
"""

import io
import json
from base64 import b32decode
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.core.management import call_command
from django_otp.oath import TOTP

from catalog.models import (
    ChangeRequest,
    Integration,
    MetadataRevision,
    ReviewStatus,
    SpecRevision,
    Stage,
    User,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[1] / ".npm" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))
  }));
}"""
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def demo():
    out = io.StringIO()
    call_command("seed_demo", "--json", stdout=out)
    return json.loads(out.getvalue())


def _password(demo, role):
    return next(u for u in demo["users"] if u["role"] == role)


def pages_for(demo) -> dict[str, list[str]]:
    owner = User.objects.get(email=_password(demo, "partner")["email"])
    public = Integration.objects.filter(stage=Stage.PUBLIC).order_by("pk").first()
    beta_path = urlparse(demo["beta_links"][0]["url"]).path
    mine = list(Integration.objects.filter(partner=owner.partner).order_by("pk"))
    partner_pages = ["/partner/", "/partner/profile/", "/partner/integrations/new/"]
    partner_pages += ["/partner/notifications/", "/partner/api-tokens/", "/docs/api/"]
    partner_pages += ["/partner/team/", "/accounts/two-factor/"]
    # a pending invitation on the team page, and a withdrawn integration on the dashboard
    from catalog.services import lifecycle, team

    team.team_invite(actor=owner, email="colleague@example.com", role="member")
    withdrawable = [
        i for i in Integration.objects.filter(partner=owner.partner) if i.can_withdraw()
    ]
    lifecycle.integration_withdraw(integration_id=withdrawable[0].pk, actor=owner)
    for integration in mine:
        base = f"/partner/integrations/{integration.pk}/"
        partner_pages += [base, base + "spec/", base + "pull-requests/", base + "docs/"]
        partner_pages += [base + "metadata/", base + "changes/"]
        if integration.stage in (Stage.PRIVATE_BETA, Stage.PUBLIC):
            partner_pages.append(base + "beta/")
    staff_pages = ["/staff/inbox/", "/staff/", "/staff/reviews/spec/", "/staff/reviews/metadata/"]
    staff_pages += ["/staff/?waiting_on=staff&overdue=on", "/staff/?stage=build"]
    staff_pages += ["/staff/outbox/", "/staff/storage/", "/staff/withdrawn/", "/staff/flow/"]
    staff_pages += ["/accounts/two-factor/"]
    for integration in Integration.objects.filter(partner__isnull=False).order_by("pk"):
        base = f"/staff/integrations/{integration.pk}/"
        staff_pages += [base, base + "pull-requests/", base + "metadata/"]
    for revision in SpecRevision.objects.filter(status=ReviewStatus.SUBMITTED)[:2]:
        staff_pages.append(
            f"/staff/integrations/{revision.integration_id}/spec/r{revision.number}/"
        )
    for revision in MetadataRevision.objects.filter(status=ReviewStatus.SUBMITTED)[:2]:
        staff_pages.append(
            f"/staff/integrations/{revision.integration_id}/metadata/r{revision.number}/"
        )
    for change in ChangeRequest.objects.all()[:2]:
        staff_pages.append(f"/staff/change-requests/{change.pk}/")
    return {
        "anonymous": [
            "/catalog/",
            "/catalog/new/",
            f"/catalog/{public.slug}/",
            "/accounts/login/",
            "/accounts/signup/",
            "/accounts/password/reset/",
            "/accounts/confirm/resend/",
            beta_path,
        ],
        "partner": partner_pages,
        "staff": staff_pages,
        "admin": ["/staff/second-factors/"],
    }


def _pass_second_factor(page, user, problems) -> None:
    """Staff type a code from their app after the password (the demo prints its key)."""
    page.wait_for_selector("h1:has-text('Type your code')")
    violations = page.evaluate(RUN_AXE, TAGS)
    if violations:
        problems.append(("/accounts/two-factor/verify/", violations))
    page.fill("input[name=code]", f"{TOTP(b32decode(user['totp_secret'])).token():06d}")
    page.click("button:has-text('Verify')")
    page.wait_for_load_state()


def _check(page, path, problems, *, expect=200):
    response = page.goto(path)
    if response.status != expect:
        problems.append((path, f"status {response.status}"))
        return
    violations = page.evaluate(RUN_AXE, TAGS)
    if violations:
        problems.append((path, violations))


def _signed_in(browser, live_server, demo, person, problems, **context_options):
    """A page with axe loaded, signed in as ``person`` of the demo (staff pass their second
    factor; "anonymous" stays signed out). Returns (context, page)."""
    context = browser.new_context(base_url=live_server.url, **context_options)
    context.add_init_script(path=str(AXE))
    context.set_default_timeout(20_000)
    page = context.new_page()
    if person != "anonymous":
        user = _password(demo, person)
        page.goto("/accounts/login/")
        page.fill("input[name=username]", user["email"])
        page.fill("input[name=password]", user["password"])
        page.click("button[type=submit]")
        page.wait_for_load_state()
        if user.get("totp_secret"):
            _pass_second_factor(page, user, problems)
    return context, page


def test_every_page_passes_axe_and_fits_a_phone(browser, live_server, demo):
    assert AXE.exists(), "axe-core is missing: tests/install_node_deps.sh installs it"
    pages = pages_for(demo)
    problems: list = []
    checked = 0
    for person, paths in pages.items():
        context, page = _signed_in(
            browser, live_server, demo, person, problems, viewport={"width": 1280, "height": 900}
        )
        for path in paths:
            _check(page, path, problems)
            checked += 1
        # the same pages on a phone: nothing wider than the screen
        page.set_viewport_size({"width": 390, "height": 844})
        for path in paths:
            page.goto(path)
            overflow = page.evaluate(OVERFLOW)
            if overflow > 1:
                problems.append((path, f"{overflow}px wider than a 390px screen"))
        context.close()
    assert checked >= 40
    assert problems == [], json.dumps(problems, indent=1)


def test_refusal_pages_pass_axe_too(browser, live_server, demo):
    context = browser.new_context(base_url=live_server.url)
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    problems: list = []
    _check(page, "/beta/this-link-was-never-issued-by-anyone-at-all-0000/", problems, expect=404)
    _check(page, "/accounts/confirm/not-a-token/", problems, expect=400)
    _check(page, "/partner/team/join/not-a-token/", problems, expect=400)
    _check(page, "/catalog/no-such-integration/", problems, expect=404)
    context.close()
    assert problems == [], json.dumps(problems, indent=1)


# Forms sent with mistakes: (path, the form's action ending, fields to fill). Every form shows its
# errors beside the fields; the page with them must pass axe as well as the empty form does.
ANONYMOUS_FORMS = [
    ("/accounts/signup/", "/accounts/signup/", {"email": "not an address"}),
    ("/accounts/login/", "/accounts/login/", {"username": "nobody@example.com", "password": "x"}),
    ("/accounts/confirm/resend/", "/accounts/confirm/resend/", {"email": "a\u202e@b.example"}),
]
PARTNER_FORMS = [
    ("/partner/integrations/new/", "/partner/integrations/new/", {"name": "Acme \u202e"}),
    ("/partner/api-tokens/", "/partner/api-tokens/", {"name": ""}),
    ("/partner/team/", "/partner/team/invite/", {"email": "not an address"}),
    ("/partner/profile/", "/partner/profile/", {"name": ""}),
]


def _send_with_mistakes(page, path, action, fill, problems, *, button="") -> bool:
    """False when the page has no such form (an integration at a stage without it)."""
    page.goto(path)
    form = page.locator(f"form[action$='{action}']").first
    if not form.count():
        return False
    for name, value in fill.items():
        form.locator(f"[name={name}]").fill(value)
    with page.expect_navigation():
        form.locator(button or "button[type=submit]").first.click()
    if not page.locator(".errorlist, [role=alert]").count():
        problems.append((path, "no error shown"))
    violations = page.evaluate(RUN_AXE, TAGS)
    if violations:
        problems.append((path + " (with errors)", violations))
    return True


def test_forms_showing_their_errors_pass_axe(browser, live_server, demo):
    problems: list = []
    for person, forms in (("anonymous", ANONYMOUS_FORMS), ("partner", PARTNER_FORMS)):
        context, page = _signed_in(browser, live_server, demo, person, problems)
        for path, action, fill in forms:
            assert _send_with_mistakes(page, path, action, fill, problems), path
        context.close()
    assert problems == [], json.dumps(problems, indent=1)


def test_integration_forms_showing_their_errors_pass_axe(browser, live_server, demo):
    owner = User.objects.get(email=_password(demo, "partner")["email"])
    mine = Integration.objects.filter(partner=owner.partner).order_by("pk")
    in_beta = mine.filter(stage=Stage.PRIVATE_BETA).first()
    editable = [i for i in mine if i.is_active and i.stage != Stage.PUBLIC]
    forms = []
    for i in editable:  # whichever of them show these forms at their stage
        base = f"/partner/integrations/{i.pk}/"
        forms.append((base + "pull-requests/", "/pull-requests/", {"url": "nope"}))
        forms.append((base + "metadata/", "/metadata/", {"description": "x\u202e"}))
    if in_beta is not None:
        forms.append((f"/partner/integrations/{in_beta.pk}/beta/", "/beta/", {"email": "nope"}))
    problems: list = []
    context, page = _signed_in(browser, live_server, demo, "partner", problems)
    sent = set()
    for path, action, fill in forms:
        if action not in sent and _send_with_mistakes(page, path, action, fill, problems):
            sent.add(action)
    assert sent == {"/pull-requests/", "/metadata/", "/beta/"}, sent
    # the customer's "it works" form, sent without a workspace name
    beta_path = urlparse(demo["beta_links"][0]["url"]).path
    anonymous, customer = _signed_in(browser, live_server, demo, "anonymous", problems)
    assert _send_with_mistakes(customer, beta_path, "verify/", {"workspace_name": ""}, problems)
    context.close()
    anonymous.close()
    assert problems == [], json.dumps(problems, indent=1)


def test_staff_forms_showing_their_errors_pass_axe(browser, live_server, demo):
    revision = SpecRevision.objects.filter(status=ReviewStatus.SUBMITTED).first()
    moving = Integration.objects.filter(partner__isnull=False).exclude(stage=Stage.SIGNUP).first()
    problems: list = []
    context, page = _signed_in(browser, live_server, demo, "staff", problems)
    review = f"/staff/integrations/{revision.integration_id}/spec/r{revision.number}/"
    assert _send_with_mistakes(
        page, review, review, {}, problems, button="button[value=request_changes]"
    )
    base = f"/staff/integrations/{moving.pk}/"
    assert _send_with_mistakes(page, base, "/roll-back/", {"reason": ""}, problems)
    context.close()
    assert problems == [], json.dumps(problems, indent=1)
