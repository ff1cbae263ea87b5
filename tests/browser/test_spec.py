"""In a real browser: the spec form (adding and removing rows with and without JavaScript, keeping
what was typed) and a change request from refusal to staff approval."""

import pytest

from catalog.models import ChangeRequest, ReviewStatus, SpecRevision, Stage
from tests import factories
from tests.conftest import pass_second_factor
from tests.fixtures_spec import make_live

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def watch_csp(page) -> list[str]:
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return problems


@pytest.fixture
def spec_stage(integration):
    integration.stage = Stage.SPEC
    integration.save(update_fields=["stage"])
    return integration


def test_partner_builds_a_spec_adding_and_removing_rows_without_losing_input(
    page, login, partner_user, spec_stage
):
    csp = watch_csp(page)
    login(partner_user)
    page.goto(f"/partner/integrations/{spec_stage.pk}/spec/")
    page.select_option("#id_meta-scheme", "custom")
    page.fill("#id_meta-description", "Sends your events to Acme.")

    # Settings: add two, fill them, remove the first; what was typed elsewhere stays.
    page.click("button[data-add=settings]")
    page.fill("#id_s-0-key", "legacyToken")
    page.fill("#id_s-0-label", "Legacy token")
    page.click("button[data-add=settings]")
    assert page.evaluate("document.activeElement.id") == "id_s-1-key"
    page.fill("#id_s-1-key", "apiKey")
    page.fill("#id_s-1-label", "API Key")
    page.select_option("#id_s-1-type", "password")
    page.check("#id_s-1-required")
    page.click("button[value='remove-setting:0']")
    assert page.locator("#id_s-0-key").count() == 0
    assert page.input_value("#id_s-1-key") == "apiKey"

    # An action with two fields, one removed again.
    page.click("button[data-add=actions]")
    page.fill("#id_a-0-key", "trackEvent")
    page.fill("#id_a-0-title", "Track Event")
    page.fill("#id_a-0-description", "Sends a track call to Acme.")
    page.fill("#id_a-0-defaultSubscription", 'type = "track"')
    page.click("button[value='add-field:0']")
    page.fill("#id_a-0-f-0-key", "email")
    page.fill("#id_a-0-f-0-label", "Email")
    page.fill("#id_a-0-f-0-default", "$.properties.email")
    page.click("button[value='add-field:0']")
    page.fill("#id_a-0-f-1-key", "phone")
    page.click("button[value='remove-field:0:1']")
    assert page.locator("#id_a-0-f-1-key").count() == 0

    page.click("button[data-add=presets]")
    page.fill("#id_p-0-name", "Track Calls")
    page.fill("#id_p-0-partnerAction", "trackEvent")
    page.fill("#id_p-0-subscribe", 'type = "track"')
    assert page.input_value("#id_meta-description") == "Sends your events to Acme."

    # A mistake is shown beside its field; everything typed is still there.
    page.fill("#id_a-0-f-0-default", "$.properties..email")
    page.click("button[value=submit]:not(.visually-hidden)")
    page.wait_for_selector("#id_a-0-f-0-default_errors")
    assert "isn't a valid mapping" in page.inner_text("#id_a-0-f-0-default_errors")
    assert page.input_value("[name=s-0-key]") == "apiKey"
    assert page.input_value("[name=p-0-name]") == "Track Calls"
    assert SpecRevision.objects.count() == 0

    page.fill("[name=a-0-f-0-default]", "$.properties.email")
    page.click("button[value=submit]:not(.visually-hidden)")
    page.wait_for_selector("text=sent to staff for review")
    revision = SpecRevision.objects.get()
    assert revision.status == ReviewStatus.SUBMITTED
    d = revision.definition
    assert [s["key"] for s in d["settings"]] == ["apiKey"]
    assert d["settings"][0]["required"] is True
    assert [f["key"] for f in d["actions"][0]["fields"]] == ["email"]
    assert d["presets"][0]["partnerAction"] == "trackEvent"
    assert csp == []


def test_without_javascript_add_and_remove_post_back_and_keep_input(
    browser, live_server, partner_user, spec_stage
):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.fill("input[name=username]", partner_user.email)
        page.fill("input[name=password]", factories.PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"/partner/integrations/{spec_stage.pk}/spec/")
        page.fill("#id_meta-description", "Typed before adding.")
        page.click("button[value=add-action]")
        page.fill("#id_a-0-key", "trackEvent")
        page.fill("#id_a-0-title", "Track Event")
        page.click("button[value='add-field:0']")
        assert page.input_value("#id_meta-description") == "Typed before adding."
        assert page.input_value("#id_a-0-title") == "Track Event"
        page.fill("#id_a-0-f-0-key", "email")
        page.fill("#id_a-0-f-0-label", "Email")
        # Enter in a text box saves (the hidden default button), it doesn't add a row.
        page.press("#id_a-0-f-0-label", "Enter")
        page.wait_for_selector("text=Saved as draft revision 1")
        revision = SpecRevision.objects.get()
        assert revision.definition["actions"][0]["fields"][0]["key"] == "email"
    finally:
        context.close()


def test_change_request_refused_then_fixed_then_approved_by_staff(
    browser, live_server, page, login, partner_user, staff_user, integration
):
    csp = watch_csp(page)
    make_live(integration)
    login(partner_user)
    page.goto(f"/partner/integrations/{integration.pk}/changes/")
    assert page.input_value("#id_a-0-key") == "trackExposure"
    page.fill("#id_pr_url", "https://github.com/segmentio/action-destinations/pull/6100")

    # A new, required field on a live action: refused, with the rule and the field named.
    page.click("[data-row][data-index='0'] button[value='add-field:0']")
    new = "#id_a-0-f-4-"
    page.fill(new + "key", "phone")
    page.fill(new + "label", "Phone")
    page.fill(new + "default", "$.properties.phone")
    page.check(new + "required")
    page.click("button[value=submit]:not(.visually-hidden)")
    page.wait_for_selector("#change-refusal")
    refusal = page.inner_text("#change-refusal")
    assert "No new required field" in refusal
    assert "“phone” of action “trackExposure”" in refusal  # in words, not a path
    assert "Please fix the fields" not in page.inner_text("main")  # one alert, not two
    assert "Video for added or amended fields" in refusal
    assert page.input_value(new + "key") == "phone"
    assert ChangeRequest.objects.count() == 0

    # Optional, with a video: filed.
    page.uncheck(new + "required")
    page.fill("#id_video_url", "https://www.loom.com/share/0123456789abcdef")
    page.click("button[value=submit]:not(.visually-hidden)")
    page.wait_for_selector("text=Change request submitted")
    change = ChangeRequest.objects.get()
    assert "phone" in page.inner_text("section[aria-labelledby=diff-title]")

    # Staff see the diff and the rules, and approve.
    staff = browser.new_context(base_url=live_server.url)
    staff_page = staff.new_page()
    try:
        staff_page.goto("/accounts/login/")
        staff_page.fill("input[name=username]", staff_user.email)
        staff_page.fill("input[name=password]", factories.PASSWORD)
        staff_page.click("button[type=submit]")
        staff_page.wait_for_load_state()
        pass_second_factor(staff_page, staff_user)
        staff_page.goto(f"/staff/change-requests/{change.pk}/")
        assert staff_page.locator("[data-rule]").count() == 8
        assert staff_page.locator(".check-fail[data-rule]").count() == 0
        staff_page.click("button[value=approve]")
        staff_page.wait_for_selector("#deploy-date")
    finally:
        staff.close()
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.APPROVED
    integration.refresh_from_db()
    assert integration.live_spec_id == change.spec_revision_id
    assert csp == []


def test_every_problem_of_a_save_is_shown_beside_its_field_and_the_page_passes_axe(
    page, login, partner_user, spec_stage
):
    from tests.browser.test_axe import AXE, OVERFLOW, RUN_AXE, TAGS

    page.add_init_script(path=str(AXE))
    login(partner_user)
    page.goto(f"/partner/integrations/{spec_stage.pk}/spec/")
    page.fill("#id_meta-description", "Sends your events to Acme \u202e here.")  # unsafe text
    page.click("button[data-add=settings]")
    page.fill("#id_s-0-label", "API Key")  # no key: the row's own check
    page.click("button[data-add=actions]")
    page.fill("#id_a-0-key", "trackEvent")
    page.fill("#id_a-0-title", "Track Event")
    page.click("button[data-add=actions]")
    page.fill("#id_a-1-key", "trackEvent")  # the same key twice: a rule of the spec
    page.fill("#id_a-1-title", "Track Again")
    page.click("button[data-add=presets]")
    page.fill("#id_p-0-name", "Track Calls")
    page.fill("#id_p-0-partnerAction", "trackEvent")
    page.fill("#id_p-0-subscribe", "type ==")  # a subscription that can't be read
    page.click("button[value=save]:not(.visually-hidden)")
    page.wait_for_selector("#id_s-0-key_errors")
    for field in ("meta-description", "a-1-key", "p-0-subscribe"):
        assert page.locator(f"#id_{field}_errors").count() == 1, field
    assert page.input_value("#id_a-1-title") == "Track Again"
    assert SpecRevision.objects.count() == 0
    assert page.evaluate(RUN_AXE, TAGS) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate(OVERFLOW) <= 1
