"""Daily caps on invitations a partner sends (they email addresses the partner types): a partner
account cannot be used to mail strangers in bulk. Counted from the stored rows."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from catalog.errors import Throttled
from catalog.models import BetaLink, OutboxMessage, TeamInvite
from catalog.services import beta as beta_service
from catalog.services import team
from tests.data.catalog import in_private_beta

pytestmark = pytest.mark.django_db


@pytest.fixture
def beta_integration(integration):
    return in_private_beta(integration)


def _invite(actor, n, **extra):
    return beta_service.beta_link_issue(
        actor=actor, integration_id=extra.pop("integration_id"), email=f"c{n}@shop.example.com"
    )


def test_the_beta_invite_past_the_daily_cap_is_refused_and_sends_nothing(
    settings, partner_user, beta_integration
):
    settings.BETA_INVITES_PER_DAY = 3
    for n in range(3):
        _invite(partner_user, n, integration_id=beta_integration.pk)
    emails = OutboxMessage.objects.count()
    with pytest.raises(Throttled) as refused:
        _invite(partner_user, 99, integration_id=beta_integration.pk)
    assert refused.value.status == 429
    assert "3 beta invitations for" in refused.value.message
    assert 60 <= refused.value.retry_after <= 24 * 3600
    assert BetaLink.objects.count() == 3 and OutboxMessage.objects.count() == emails
    # a day later the window has moved on
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        _invite(partner_user, 100, integration_id=beta_integration.pk)
    assert BetaLink.objects.count() == 4


def test_staff_issuing_beta_links_are_not_capped(settings, staff_user, beta_integration):
    settings.BETA_INVITES_PER_DAY = 2
    for n in range(4):
        _invite(staff_user, n, integration_id=beta_integration.pk)
    assert BetaLink.objects.count() == 4


def test_the_beta_page_answers_429_with_when_the_next_can_go(
    settings, partner_client, beta_integration
):
    settings.BETA_INVITES_PER_DAY = 1
    url = f"/partner/integrations/{beta_integration.pk}/beta/"
    assert partner_client.post(url, {"email": "a@shop.example.com", "days": 30}).status_code == 302
    response = partner_client.post(url, {"email": "b@shop.example.com", "days": 30})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "1 beta invitations" in response.content.decode()
    assert BetaLink.objects.count() == 1


def test_team_invitations_past_the_daily_cap_are_refused(settings, partner_user):
    settings.TEAM_INVITES_PER_DAY = 2
    for n in range(2):
        team.team_invite(actor=partner_user, email=f"dev{n}@acme.example.com", role="member")
    with pytest.raises(Throttled) as refused:
        team.team_invite(actor=partner_user, email="dev9@acme.example.com", role="member")
    assert "2 team invitations in 24 hours" in refused.value.message
    assert TeamInvite.objects.count() == 2
    # revoking does not give the quota back: the emails went out
    team.team_invite_revoke(actor=partner_user, invite_id=TeamInvite.objects.first().pk)
    with pytest.raises(Throttled):
        team.team_invite(actor=partner_user, email="dev9@acme.example.com", role="member")
