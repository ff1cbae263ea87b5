"""Hostile input against the staff area (issue 2): promote, roll back, the admin's actions.
Each test is a finding: it failed before its fix."""

import pytest

from catalog.audit import Action
from catalog.models import AuditLog, Integration, OutboxMessage, Stage

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/catalog/integration/"


def test_pressing_roll_back_twice_in_the_admin_moves_one_stage_only(
    client, staff_user, partner_user, integration
):
    # given an integration in Build and the admin's reason page, shown once
    client.force_login(staff_user)
    Integration.objects.filter(pk=integration.pk).update(stage=Stage.BUILD)
    data = {"action": "roll_back_selected", "_selected_action": [integration.pk]}
    page = client.post(CHANGELIST, data)
    assert f'name="stage_{integration.pk}" value="build"' in page.content.decode()
    submit = {**data, "apply": "1", "reason": "Docs withdrawn.", f"stage_{integration.pk}": "build"}
    # when the form is sent twice (a double click, a resend after a slow answer)
    client.post(CHANGELIST, submit)
    second = client.post(CHANGELIST, submit, follow=True)
    # then: one step back, one audit row, one set of emails; the second press is named
    integration.refresh_from_db()
    assert integration.stage == Stage.SPEC
    assert AuditLog.objects.filter(action=Action.INTEGRATION_ROLLED_BACK).count() == 1
    assert OutboxMessage.objects.filter(event=Action.INTEGRATION_ROLLED_BACK).count() == 1
    assert "already in Spec" in second.content.decode()


def test_the_admin_cannot_add_an_integration_around_the_registration_rules(
    client, staff_user, partner_user
):
    # given a superuser on the admin: an integration made there would skip the name's character
    # rules, the unique-name check and the audit of ``integration_register``
    staff_user.is_superuser = True
    staff_user.save(update_fields=["is_superuser"])
    client.force_login(staff_user)
    before = Integration.objects.count()
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    assert f'href="{CHANGELIST}add/"' not in page.content.decode()
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    posted = client.post(
        f"{CHANGELIST}add/",
        {
            "name": "Acme\u202e",
            "slug": "acme-x",
            "partner": partner_user.partner_id,
            "mode": "cloud",
        },
    )
    assert posted.status_code == 403
    assert Integration.objects.count() == before
