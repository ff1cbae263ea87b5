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
