"""In a real browser: staff land on “Needs you” and open a review in one click; a partner sees
who has the ball and until when."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Integration, ReviewStatus, SpecRevision, Stage

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def spec_in_review(integration):
    Integration.objects.filter(pk=integration.pk).update(stage=Stage.SPEC)
    SpecRevision.objects.create(
        integration=integration,
        number=1,
        status=ReviewStatus.SUBMITTED,
        submitted_at=timezone.now() - timedelta(days=6),
        definition={},
    )
    return integration


def test_staff_land_on_the_inbox_and_open_the_overdue_review(
    page, login, staff_user, spec_in_review
):
    # when
    login(staff_user)
    # then: the landing page is the inbox, with the count in the navigation
    assert page.url.endswith("/staff/inbox/")
    assert page.locator("h1").inner_text() == "Needs you"
    assert "1" in page.locator("nav .nav-count").first.inner_text()
    row = page.locator("tr[data-item=spec]")
    assert "Overdue" in row.inner_text()
    # one click to the review
    row.locator("a:has-text('Open')").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/staff/integrations/{spec_in_review.pk}/spec/r1/")


def test_partner_sees_the_ball_is_with_staff_and_the_due_date(
    page, login, partner_user, spec_in_review
):
    login(partner_user)
    page.goto("/partner/")
    ball = page.locator(".ball").first
    assert "With staff" in ball.inner_text()
    assert "decision was due" in ball.inner_text() or "decision due" in ball.inner_text()
    item = page.locator("li[data-gate-item=spec]")
    assert item.get_attribute("data-state") == "in_review"
    assert item.locator("a:has-text('Fix this')").count() == 0
