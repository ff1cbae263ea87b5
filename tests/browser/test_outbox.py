"""In a real browser: a partner turns off stage emails; staff retry a failed email."""

import pytest

from catalog.models import OutboxMessage
from catalog.notifications import Kind

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_partner_turns_off_stage_emails_with_the_keyboard(page, login, partner_user):
    # given
    login(partner_user)
    page.goto("/partner/notifications/")
    box = page.locator(f"input[value={Kind.STAGE_CHANGES}]")
    assert box.is_checked()
    # when: focus the box, toggle it with the space bar, save
    box.focus()
    page.keyboard.press("Space")
    page.click("button[type=submit]:has-text('Save')")
    # then
    page.wait_for_selector("text=Your email choices are saved.")
    assert not page.locator(f"input[value={Kind.STAGE_CHANGES}]").is_checked()
    partner_user.refresh_from_db()
    assert partner_user.email_opt_outs == [Kind.STAGE_CHANGES]


def test_staff_filter_failed_emails_and_retry_one(page, login, staff_user, integration):
    # given
    message = OutboxMessage.objects.create(
        event="catalog.integration.promoted",
        kind=Kind.STAGE_CHANGES,
        recipient="owner@acme.example.com",
        integration=integration,
        subject="Acme Events moved to Spec",
        body_text="moved",
        status=OutboxMessage.Status.FAILED,
        attempts=6,
        last_error="SMTP 554 rejected",
    )
    login(staff_user)
    # when
    page.goto("/staff/outbox/")
    page.click("a:has-text('Failed')")
    row = page.locator(f"tr[data-message='{message.pk}']")
    assert "SMTP 554 rejected" in row.inner_text()
    row.locator("button:has-text('Retry')").click()
    # then: eager mode sends it at once (locmem backend)
    page.wait_for_selector("text=is queued again")
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
