"""In a real browser: the partner fills the catalog-entry form (live character count, uploads,
every error at once, then a submission), staff review it with the logo side by side and ask for
a change, the partner sees the comment at the field, and the preview shows the real images."""

import re

import pytest

from catalog.models import MetadataRevision, ReviewStatus
from catalog.validation import text
from tests.conftest import pass_second_factor
from tests.validation import samples

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PR = "https://github.com/segmentio/action-destinations/pull/9001"


def watch_csp(page) -> list[str]:
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return problems


def svg_file(name: str, data: bytes) -> dict:
    return {"name": name, "mimeType": "image/svg+xml", "buffer": data}


def fill_form(page):
    page.fill("#id_name", "Acme Events")
    page.fill("#id_pr_url", PR)
    page.fill("#id_website", "https://acme.example.com")
    page.select_option("#id_primary_category", "analytics")
    page.fill("#id_support_email", "support@acme.example.com")
    page.set_input_files("#id_mark", svg_file("mark.svg", samples.MARK_SVG))


def test_partner_submits_metadata_and_staff_ask_for_a_change(
    page, login, partner_user, staff_user, integration, browser, live_server
):
    csp = watch_csp(page)
    login(partner_user)
    page.goto(f"/partner/integrations/{integration.pk}/metadata/")

    # the visible-character count follows the typing, without the markup, as the server counts
    source = "Send **events** to [Acme](https://acme.example.com).\n\n- one\n- two"
    page.fill("#id_description", source)
    server = len(text.visible_text(text.render_markdown(source)))
    assert server == 28
    assert page.text_content("#description-count").startswith(f"{server} of 500 visible")
    page.fill("#id_description", "x" * 510)
    assert "10 too many" in page.text_content("#description-count")
    assert "over" in page.get_attribute("#description-count", "class")

    # a first attempt: a hostile logo and a too-long description, shown at once, next to fields
    fill_form(page)
    page.set_input_files("#id_logo", svg_file("logo.svg", samples.SCRIPT_SVG))
    page.click("button[value=submit]")
    assert "nothing was submitted" in page.text_content("#form-refusal")
    assert page.locator(".messages").count() == 0  # one summary, in the form
    assert "Choose “mark.svg” again" in page.text_content("#row-mark")  # the browser emptied it
    assert "Scripts aren't allowed" in page.text_content("#row-logo")
    assert "the catalog has room for 500" in page.text_content("#row-description")
    assert page.input_value("#id_name") == "Acme Events"  # typed input kept
    assert MetadataRevision.objects.count() == 0

    # fixed: a tall logo (advice only) and a short description; files chosen again
    page.fill("#id_description", "Send **events** to Acme.\n\n- fast\n- simple")
    page.set_input_files("#id_logo", svg_file("logo.svg", samples.TALL_LOGO_SVG))
    page.set_input_files("#id_mark", svg_file("mark.svg", samples.MARK_SVG))
    page.keyboard.press("Tab")
    page.click("button[value=submit]")
    assert "sent to staff for review" in page.text_content(".messages")
    assert "horizontal lockup" in page.text_content("#row-logo")  # the advice stays visible
    revision = MetadataRevision.objects.get()
    assert revision.status == ReviewStatus.SUBMITTED

    # the preview shows the real files, loaded through the asset view under the page's CSP
    page.goto(f"/partner/integrations/{integration.pk}/metadata/preview/")
    for selector in (".listing .mark-img", ".listing .logo-img", ".swatch-dark .mark-img"):
        assert page.eval_on_selector(selector, "img => img.complete && img.naturalWidth > 0"), (
            selector
        )
    # the loaded mark covers its initials (the fallback shows only while loading or broken)
    page.locator(".listing .mark-box.img-loaded").wait_for()
    assert (
        page.eval_on_selector(".listing .mark-img", "img => getComputedStyle(img).opacity") == "1"
    )
    assert "support@acme.example.com" not in page.content()

    # staff review: logo side by side, a comment on the logo
    staff_context = browser.new_context(base_url=live_server.url)
    staff = staff_context.new_page()
    staff_csp = watch_csp(staff)
    staff.goto("/accounts/login/")
    staff.fill("input[name=username]", staff_user.email)
    staff.fill("input[name=password]", "correct horse battery staple")
    staff.click("button[type=submit]")
    staff.wait_for_load_state()
    pass_second_factor(staff, staff_user)
    staff.goto(f"/staff/integrations/{integration.pk}/metadata/r1/")
    assert staff.locator("tr[data-field=logo] .md-diff-img").count() == 2
    staff.fill("#id_comment_logo", "Please upload the horizontal lockup.")
    staff.click("button[value=changes]")
    assert "Changes requested on r1" in staff.text_content(".messages")
    staff_context.close()

    page.goto(f"/partner/integrations/{integration.pk}/metadata/")
    assert "Please upload the horizontal lockup." in page.text_content("#row-logo .review-comment")
    assert csp == [] and staff_csp == []


def test_form_is_usable_with_the_keyboard(page, login, partner_user, integration):
    login(partner_user)
    page.goto(f"/partner/integrations/{integration.pk}/metadata/")
    page.focus("#id_name")
    page.keyboard.type("Acme Keys")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_pr_url"
    page.focus("button[value=save]")
    page.keyboard.press("Enter")
    assert "Draft r1 is saved." in page.text_content(".messages")
    assert re.search(r"r1\s+Draft", page.text_content("#md-status-title + dl"))
