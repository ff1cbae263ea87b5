"""Withdraw (owner, before public), archive and restore (staff) an integration."""

import pytest

from catalog import selectors
from catalog.errors import Conflict, Forbidden, Invalid
from catalog.models import Integration, Lifecycle, Stage
from catalog.services import lifecycle
from catalog.services.integrations import integration_register
from tests import factories

pytestmark = pytest.mark.django_db


def test_owner_withdraws_it_leaves_board_and_dashboard_and_keeps_history(
    partner_client, partner_user, staff_user, integration
):
    response = partner_client.post(
        f"/partner/integrations/{integration.pk}/withdraw/", {"note": "test one"}
    )
    assert response.status_code == 302
    integration.refresh_from_db()
    assert integration.lifecycle == Lifecycle.WITHDRAWN
    assert integration not in selectors.pipeline()
    assert integration not in selectors.partner_integrations(user=partner_user)
    page = partner_client.get("/partner/").content.decode()
    assert "Withdrawn" in page and "Acme Events" in page
    assert partner_client.get(f"/partner/integrations/{integration.pk}/").status_code == 200
    assert integration.audit_entries.filter(action="catalog.integration.withdrawn").exists()


def test_name_and_slug_stay_reserved(partner_user, integration):
    lifecycle.integration_withdraw(integration_id=integration.pk, actor=partner_user)
    with pytest.raises(Invalid, match="already exists"):
        integration_register(actor=partner_user, name="Acme Events", mode="cloud")


def test_members_and_public_integrations_cannot_be_withdrawn(partner_member, partner_user):
    public = factories.IntegrationFactory(partner=partner_user.partner, stage=Stage.PUBLIC)
    draft = factories.IntegrationFactory(partner=partner_user.partner)
    with pytest.raises(Forbidden):
        lifecycle.integration_withdraw(integration_id=draft.pk, actor=partner_member)
    with pytest.raises(Conflict, match="is public"):
        lifecycle.integration_withdraw(integration_id=public.pk, actor=partner_user)
    assert set(Integration.objects.values_list("lifecycle", flat=True)) == {Lifecycle.ACTIVE}


def test_staff_restore_and_archive(partner_user, staff_user, integration):
    lifecycle.integration_withdraw(integration_id=integration.pk, actor=partner_user)
    lifecycle.integration_restore(integration_id=integration.pk, actor=staff_user)
    integration.refresh_from_db()
    assert integration.is_active and integration in selectors.pipeline()
    lifecycle.integration_archive(integration_id=integration.pk, actor=staff_user)
    assert Integration.objects.get(pk=integration.pk).lifecycle == Lifecycle.ARCHIVED
    with pytest.raises(Forbidden):
        lifecycle.integration_restore(integration_id=integration.pk, actor=partner_user)


def test_a_withdrawn_integration_cannot_be_promoted(partner_user, staff_user, integration):
    from catalog.services.integrations import integration_promote

    lifecycle.integration_withdraw(integration_id=integration.pk, actor=partner_user)
    with pytest.raises(Conflict, match="restore it"):
        integration_promote(
            integration_id=integration.pk, actor=staff_user, expected_stage=integration.stage
        )


def test_registration_shows_mobile_disabled_with_why(partner_client):
    page = partner_client.get("/partner/integrations/new/").content.decode()
    assert 'value="device-mobile"' in page
    import re

    (tag,) = re.findall(r'<input[^>]*value="device-mobile"[^>]*>', page)
    assert "disabled" in tag
    assert "not available to partners" in page


def test_login_is_prefilled_after_confirming_the_email(client):
    from catalog.services.accounts import confirmation_token

    user = factories.UserFactory(email="new@acme.example.com", email_confirmed_at=None)
    client.get(f"/accounts/confirm/{confirmation_token(user)}/")
    page = client.get("/accounts/login/").content.decode()
    assert 'value="new@acme.example.com"' in page
