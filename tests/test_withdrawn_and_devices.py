"""Issue 12's leftovers: a withdrawn or archived integration is read-only for its partner (pages
and API) and its beta links stop opening; deleting a second-factor device in the admin ends that
user's sessions."""

import json

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from catalog.models import AuditLog, SpecRevision, Stage
from catalog.services import lifecycle
from catalog.services.api_tokens import api_token_create
from tests.data.catalog import beta_link, in_private_beta
from tests.fixtures_spec import acme_definition
from tests.test_spec_views import editor_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def withdrawn(partner_user, integration):
    integration.stage = Stage.SPEC
    integration.save(update_fields=["stage"])
    lifecycle.integration_withdraw(integration_id=integration.pk, actor=partner_user)
    integration.refresh_from_db()
    return integration


def test_a_withdrawn_integration_is_read_only_on_its_pages(partner_client, withdrawn):
    page = f"/partner/integrations/{withdrawn.pk}/spec/"
    assert partner_client.get(page).status_code == 200  # history stays readable
    response = partner_client.post(page, editor_post(op="save"))
    assert response.status_code == 409
    assert "withdrawn" in response.content.decode()
    assert SpecRevision.objects.count() == 0


def test_a_withdrawn_integration_is_read_only_in_the_api(client, partner_user, withdrawn):
    raw = api_token_create(actor=partner_user, name="ci")[1]
    response = client.post(
        f"/api/v1/partner/integrations/{withdrawn.pk}/spec/",
        json.dumps(acme_definition()),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert SpecRevision.objects.count() == 0


def test_restored_it_can_be_changed_again(partner_client, staff_user, withdrawn):
    lifecycle.integration_restore(integration_id=withdrawn.pk, actor=staff_user)
    response = partner_client.post(
        f"/partner/integrations/{withdrawn.pk}/spec/", editor_post(op="save")
    )
    assert response.status_code == 302
    assert SpecRevision.objects.count() == 1


@pytest.mark.django_db(transaction=True)  # the page caches move on when the withdrawal commits
def test_a_withdrawn_integrations_beta_links_stop_opening(partner_user, integration):
    in_private_beta(integration)
    _, token = beta_link(integration)
    assert Client().get(f"/beta/{token}/").status_code == 200
    lifecycle.integration_withdraw(integration_id=integration.pk, actor=partner_user)
    response = Client().get(f"/beta/{token}/")
    assert response.status_code == 404
    assert "paused" in response.content.decode()


def test_deleting_a_device_in_the_admin_ends_its_users_sessions(staff_user, plain_staff_user):
    # given a staff member signed in (their session verified by a device)
    staff_user.is_superuser = True
    staff_user.save(update_fields=["is_superuser"])
    victim = Client()
    victim.force_login(plain_staff_user)
    device = TOTPDevice.objects.create(user=plain_staff_user, name="phone", confirmed=True)
    assert victim.get("/staff/").status_code in (200, 403)  # signed in (not sent to log in)
    # when another deletes the device in the admin
    admin_client = Client()
    admin_client.force_login(staff_user)
    url = f"/admin/otp_totp/totpdevice/{device.pk}/delete/"
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    # then the device is gone, the victim's session is over, and it is audited
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    response = victim.get("/staff/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert AuditLog.objects.filter(action="catalog.second_factor.reset").exists()
