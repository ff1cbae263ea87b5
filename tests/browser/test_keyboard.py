"""In a real browser: the portal works with the keyboard alone, and its main pages load without
script errors or Content-Security-Policy violations."""

import pytest

from catalog.models import DestinationMode, Integration, Stage
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Records every CSP violation the page reports, whatever the console says about it.
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""

# Form controls without a label, aria-label or aria-labelledby (names listed).
UNLABELED_FIELDS = """() =>
  [...document.querySelectorAll("input:not([type=hidden]), select, textarea")]
    .filter((e) => !e.closest("template") && !e.labels.length
      && !e.getAttribute("aria-label") && !e.getAttribute("aria-labelledby"))
    .map((e) => e.name)"""

# Links pointing at POST-only actions: those must be buttons in forms.
LINKS_TO_ACTIONS = """() =>
  [...document.querySelectorAll("a[href]")].map((a) => a.getAttribute("href"))
    .filter((h) => /(promote|roll-back|retry|revoke|submit|logout)\\/$/.test(h))"""


def focused(page, selector: str) -> bool:
    return page.evaluate(
        "(s) => !!document.activeElement && document.activeElement.matches(s)", selector
    )


def tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the focused element matches ``selector`` (it may already)."""
    for _ in range(limit):
        if focused(page, selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def focus_ring_visible(page) -> bool:
    return page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2; }"""
    )


@pytest.fixture
def console_problems(page):
    """Script errors, CSP reports and our own resources that failed to load."""
    problems: list[str] = []
    page.add_init_script(CSP_RECORDER)
    # A refused form answers 400 and the browser logs it; our resources are checked below.
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type != "document"
            else None
        ),
    )
    return problems


def test_partner_logs_in_and_registers_an_integration_with_the_keyboard_only(
    page, partner_user, console_problems
):
    # log in: type, Tab, type, Enter
    page.goto("/accounts/login/")
    tab_to(page, "input[name=username]")
    page.keyboard.type(partner_user.email)
    page.keyboard.press("Tab")
    assert focused(page, "input[name=password]")
    page.keyboard.type(factories.PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('My integrations')")

    # the first Tab lands on the skip link, which moves the keyboard into the page
    page.keyboard.press("Tab")
    assert focused(page, ".skip-link")
    assert focus_ring_visible(page)
    page.keyboard.press("Enter")
    assert focused(page, "main#main")

    # from the content, Tab reaches the register link; Enter follows it
    tab_to(page, "main a[href='/partner/integrations/new/']")
    assert focus_ring_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Register an integration')")

    # name, then the mode radio group: device-mode mobile is shown disabled with why, and the
    # arrows skip it
    tab_to(page, "input[name=name]")
    page.keyboard.type("Keyboard Events")
    page.keyboard.press("Tab")
    assert focused(page, "input[name=mode]:checked")
    assert page.locator("input[name=mode][value=device-mobile]").is_disabled()
    assert "not available to partners" in page.inner_text("main")
    page.keyboard.press("ArrowDown")
    assert focused(page, "input[name=mode][value=device]:checked")
    page.keyboard.press("Tab")
    assert focused(page, "main button[type=submit]")
    assert focus_ring_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Keyboard Events')")

    integration = Integration.objects.get()
    assert integration.name == "Keyboard Events"
    assert integration.mode == DestinationMode.DEVICE
    assert integration.stage == Stage.SIGNUP
    assert integration.partner == partner_user.partner
    assert console_problems == []
    assert page.evaluate("window.__cspViolations") == []


def test_main_pages_have_no_console_errors_or_csp_violations_and_label_every_field(
    page, login, partner_user, staff_user, integration, console_problems
):
    pages = {
        None: [
            "/accounts/login/",
            "/accounts/signup/",
            "/accounts/password/reset/",
            "/docs/api/",
        ],
        partner_user: [
            "/partner/",
            "/partner/profile/",
            "/partner/integrations/new/",
            f"/partner/integrations/{integration.pk}/",
            f"/partner/integrations/{integration.pk}/spec/",
            f"/partner/integrations/{integration.pk}/pull-requests/",
            f"/partner/integrations/{integration.pk}/docs/",
            "/partner/notifications/",
            "/partner/api-tokens/",
        ],
        staff_user: [
            "/staff/",
            f"/staff/integrations/{integration.pk}/",
            "/staff/reviews/spec/",
            f"/staff/integrations/{integration.pk}/pull-requests/",
            "/staff/outbox/",
        ],
    }
    for person, paths in pages.items():
        page.context.clear_cookies()
        if person is not None:
            login(person)
        for path in paths:
            response = page.goto(path)
            assert response.status == 200, path
            assert page.locator("h1").count() == 1, path
            unlabeled = page.evaluate(UNLABELED_FIELDS)
            assert unlabeled == [], (path, unlabeled)
            post_links = page.evaluate(LINKS_TO_ACTIONS)
            assert post_links == [], (path, post_links)
            assert page.evaluate("window.__cspViolations") == [], path
    assert console_problems == []
