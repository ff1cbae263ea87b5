"""Deploys: the beat task marks merged pull requests deployed at their train's time (once, late
or after a freeze), emergency deploys with a reason, the gate to private beta waits for the
deploy, and saving a merged pull request never moves its merge time."""

import json
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.management import call_command

from catalog import permissions, tasks
from catalog.audit import Action
from catalog.errors import ApplicationError
from catalog.models import AuditLog, FreezeDate, Integration, OutboxMessage, PullRequest, Stage
from catalog.services import deploys, reminders
from catalog.services import integrations as integration_service
from catalog.services import pull_requests as pr_service
from tests.test_promote import satisfy_gate

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
SUNDAY_MERGE = datetime(2026, 11, 29, 15, 0, tzinfo=LA)
TRAIN = datetime(2026, 12, 2, 10, 0, tzinfo=LA)  # Wednesday, RELEASE_TRAIN_DEPLOY_TIME


def la(*args) -> datetime:
    return datetime(*args, tzinfo=LA)


@pytest.fixture
def merged(integration, staff_user):
    """Acme Events in build with its docs and metadata done and its code merged on Sunday."""
    Integration.objects.filter(pk=integration.pk).update(stage=Stage.BUILD)
    satisfy_gate(integration, Stage.BUILD)
    pr = PullRequest.objects.get(kind=PullRequest.Kind.CODE)
    PullRequest.objects.filter(pk=pr.pk).update(
        state=PullRequest.State.APPROVED, merged_at=None, deployed_at=None
    )
    with time_machine.travel(SUNDAY_MERGE + timedelta(minutes=5), tick=False):
        pr_service.pull_request_set_state(
            actor=staff_user, pull_request_id=pr.pk, state="merged", merged_at=SUNDAY_MERGE
        )
    OutboxMessage.objects.all().delete()
    pr.refresh_from_db()
    return pr


def test_promotion_between_merge_and_deploy_is_refused_naming_the_deploy_date(staff_user, merged):
    before = list(Integration.objects.values())
    with time_machine.travel(la(2026, 11, 30, 9), tick=False):
        with pytest.raises(ApplicationError) as refused:
            integration_service.integration_promote(
                integration_id=merged.integration_id, actor=staff_user, expected_stage=Stage.BUILD
            )
    assert refused.value.status == 409
    assert "ships Wednesday 2026-12-02" in refused.value.message
    assert list(Integration.objects.values()) == before


def test_the_task_marks_the_merge_deployed_at_the_train_time_and_tells_the_partner(
    partner_user, merged
):
    with time_machine.travel(TRAIN - timedelta(minutes=1), tick=False):
        assert tasks.deploy_merged_pull_requests() == 0
    # when: beat runs three hours late
    with time_machine.travel(TRAIN + timedelta(hours=3), tick=False):
        assert tasks.deploy_merged_pull_requests() == 1
    # then
    merged.refresh_from_db()
    assert merged.deployed_at == TRAIN
    assert AuditLog.objects.filter(action=Action.PULL_REQUEST_DEPLOYED).count() == 1
    message = OutboxMessage.objects.get()
    assert message.recipient == partner_user.email
    assert "Next step" in message.body_text and "beta" in message.body_text


def test_a_second_run_marks_and_sends_nothing(partner_user, merged):
    with time_machine.travel(TRAIN + timedelta(minutes=1), tick=False):
        assert tasks.deploy_merged_pull_requests() == 1
        assert tasks.deploy_merged_pull_requests() == 0
    assert OutboxMessage.objects.count() == 1
    assert AuditLog.objects.filter(action=Action.PULL_REQUEST_DEPLOYED).count() == 1


def test_a_freeze_added_after_the_merge_moves_the_deploy_to_the_next_wednesday(merged):
    FreezeDate.objects.create(date=date(2026, 12, 2), reason="Year-end freeze")
    with time_machine.travel(TRAIN + timedelta(hours=1), tick=False):
        run = deploys.pull_requests_deploy_due()
    merged.refresh_from_db()
    assert run.deployed == [] and run.rescheduled == [merged.pk]
    assert merged.deploy_date == date(2026, 12, 9) and merged.deployed_at is None
    with time_machine.travel(la(2026, 12, 9, 10, 0), tick=False):
        assert deploys.pull_requests_deploy_due().deployed == [merged.pk]


def test_after_the_deploy_the_gate_holds_and_the_promotion_goes_through(staff_user, merged):
    with time_machine.travel(TRAIN + timedelta(minutes=1), tick=False):
        tasks.deploy_merged_pull_requests()
        integration = integration_service.integration_promote(
            integration_id=merged.integration_id, actor=staff_user, expected_stage=Stage.BUILD
        )
    assert integration.stage == Stage.PRIVATE_BETA


def test_staff_record_an_emergency_deploy_with_a_reason(partner_user, staff_user, merged):
    with time_machine.travel(la(2026, 11, 30, 9), tick=False):
        deploys.pull_request_emergency_deploy(
            actor=staff_user, pull_request_id=merged.pk, reason="Security fix for a customer"
        )
    merged.refresh_from_db()
    assert merged.deployed_at == la(2026, 11, 30, 9)
    assert merged.emergency_deploy_reason == "Security fix for a customer"
    entry = AuditLog.objects.get(action=Action.PULL_REQUEST_EMERGENCY_DEPLOYED)
    assert entry.actor == staff_user and entry.note == "Security fix for a customer"
    assert "emergency deploy" in OutboxMessage.objects.get().body_text
    # the train later finds nothing to do
    with time_machine.travel(TRAIN, tick=False):
        assert tasks.deploy_merged_pull_requests() == 0


@pytest.mark.parametrize(
    ("reason", "field"), [("", "reason"), ("fix\u202eevil", "reason")], ids=["empty", "bidi"]
)
def test_an_emergency_deploy_needs_a_clean_reason(staff_user, merged, reason, field):
    with pytest.raises(ApplicationError) as refused:
        deploys.pull_request_emergency_deploy(
            actor=staff_user, pull_request_id=merged.pk, reason=reason
        )
    assert refused.value.status == 422 and field in refused.value.errors
    merged.refresh_from_db()
    assert merged.deployed_at is None


def test_an_emergency_deploy_needs_its_permission(staff_user, merged):
    perm = Permission.objects.get(
        codename=permissions.codename(permissions.RECORD_EMERGENCY_DEPLOY)
    )
    staff_user.groups.first().permissions.remove(perm)
    staff_user = type(staff_user).objects.get(pk=staff_user.pk)
    with pytest.raises(ApplicationError) as refused:
        deploys.pull_request_emergency_deploy(
            actor=staff_user, pull_request_id=merged.pk, reason="urgent"
        )
    assert refused.value.status == 403
    assert not AuditLog.objects.filter(action=Action.PULL_REQUEST_EMERGENCY_DEPLOYED).exists()


def test_saving_a_merged_pull_request_with_an_empty_merge_time_keeps_it(staff_user, merged):
    with time_machine.travel(la(2026, 11, 30, 16), tick=False):
        with pytest.raises(ApplicationError) as refused:
            pr_service.pull_request_set_state(
                actor=staff_user, pull_request_id=merged.pk, state="merged", merged_at=None
            )
    assert refused.value.status == 409  # nothing changed
    merged.refresh_from_db()
    assert merged.merged_at == SUNDAY_MERGE and merged.deploy_date == date(2026, 12, 2)


def test_a_deployed_pull_request_can_no_longer_change_state(staff_user, merged):
    with time_machine.travel(TRAIN + timedelta(minutes=1), tick=False):
        tasks.deploy_merged_pull_requests()
        with pytest.raises(ApplicationError) as refused:
            pr_service.pull_request_set_state(
                actor=staff_user, pull_request_id=merged.pk, state="open"
            )
    assert refused.value.status == 409 and "deployed" in refused.value.message


def test_partner_saving_a_sent_back_pull_request_hands_it_to_staff_again(
    partner_user, staff_user, integration
):
    Integration.objects.filter(pk=integration.pk).update(stage=Stage.BUILD)
    pr = pr_service.pull_request_record(
        actor=partner_user,
        integration_id=integration.pk,
        url="https://github.com/segmentio/action-destinations/pull/4242",
        description="Adds it.",
        unit_tests_added=True,
        tested_end_to_end=True,
    )
    pr_service.pull_request_set_state(
        actor=staff_user, pull_request_id=pr.pk, state="changes_requested"
    )
    pr_service.pull_request_update(
        actor=partner_user,
        pull_request_id=pr.pk,
        description="Adds it; review comments addressed.",
        unit_tests_added=True,
        tested_end_to_end=True,
    )
    pr.refresh_from_db()
    assert pr.state == PullRequest.State.OPEN


# --- Reminders and the digest -------------------------------------------------------------------


def test_a_partner_idle_for_a_week_gets_one_reminder_per_week(partner_user, integration):
    Integration.objects.filter(pk=integration.pk).update(
        stage=Stage.SPEC, stage_changed_at=la(2026, 11, 20, 9)
    )
    with time_machine.travel(la(2026, 11, 26, 9), tick=False):
        assert reminders.partner_reminders_send() == []  # six days: not yet
    with time_machine.travel(la(2026, 11, 27, 9), tick=False):
        assert reminders.partner_reminders_send() == [integration.pk]
        assert reminders.partner_reminders_send() == []  # a second run sends nothing
    with time_machine.travel(la(2026, 11, 28, 9), tick=False):
        assert reminders.partner_reminders_send() == []  # same week
    with time_machine.travel(la(2026, 12, 1, 9), tick=False):
        assert reminders.partner_reminders_send() == [integration.pk]  # next week
    assert OutboxMessage.objects.filter(kind="reminders").count() == 2


def test_a_partner_who_opted_out_gets_no_reminder(partner_user, integration):
    partner_user.email_opt_outs = ["reminders"]
    partner_user.save(update_fields=["email_opt_outs"])
    Integration.objects.filter(pk=integration.pk).update(
        stage=Stage.SPEC, stage_changed_at=la(2026, 11, 1, 9)
    )
    with time_machine.travel(la(2026, 11, 27, 9), tick=False):
        reminders.partner_reminders_send()
    assert not OutboxMessage.objects.exists()


def test_the_staff_digest_lists_overdue_items_once_a_day(staff_user, merged):
    PullRequest.objects.filter(pk=merged.pk).update(
        state=PullRequest.State.OPEN, state_changed_at=la(2026, 11, 23, 9), merged_at=None
    )
    with time_machine.travel(la(2026, 11, 30, 8), tick=False):
        assert reminders.staff_digest_send() == 1
        assert reminders.staff_digest_send() == 0
    message = OutboxMessage.objects.get(recipient=staff_user.email)
    assert "Acme Events" in message.body_text and "/staff/inbox/" in message.body_text


# --- pipeline_report ----------------------------------------------------------------------------


def test_pipeline_report_json_follows_the_contract(merged, other_integration):
    out = StringIO()
    with time_machine.travel(la(2026, 11, 30, 9), tick=False):
        call_command("pipeline_report", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert [r["slug"] for r in rows] == ["acme-events", "globex-sync"]
    for row in rows:
        assert set(row) == {
            "slug",
            "stage",
            "waiting_on",
            "waiting_since",
            "due",
            "overdue",
            "next_step",
        }
        assert row["waiting_on"] in {"staff", "partner", "release_train", "customer"}
    acme = rows[0]
    assert acme["stage"] == "build" and acme["waiting_on"] == "release_train"
    assert acme["waiting_since"] == SUNDAY_MERGE.isoformat()
    assert acme["due"] == TRAIN.isoformat() and acme["overdue"] is False


def test_pipeline_report_prints_a_table(merged):
    out = StringIO()
    call_command("pipeline_report", stdout=out)
    assert "acme-events" in out.getvalue() and "release_train" in out.getvalue()


# --- Listing status, docs link, metadata approval wording ---------------------------------------


def test_staff_graduate_a_public_beta_listing_and_it_is_audited(
    staff_client, staff_user, integration
):
    satisfy_gate(integration, Stage.SPEC)
    Integration.objects.filter(pk=integration.pk).update(
        stage=Stage.PUBLIC, listing_status="public_beta", docs_url="https://docs.example.com/acme"
    )
    from catalog.models import MetadataRevision

    revision = MetadataRevision.objects.create(
        integration=integration, number=1, status="approved", name="Acme Events"
    )
    Integration.objects.filter(pk=integration.pk).update(live_metadata=revision)
    page = staff_client.get("/catalog/acme-events/").content.decode()
    assert "badge-beta" in page and 'href="https://docs.example.com/acme"' in page
    assert staff_client.get("/api/v1/catalog/acme-events/").json()["status"] == "public_beta"
    # when
    response = staff_client.post(f"/staff/integrations/{integration.pk}/graduate/")
    # then
    assert response.status_code == 302
    integration.refresh_from_db()
    assert integration.listing_status == "public"
    assert AuditLog.objects.get(action=Action.LISTING_GRADUATED).actor == staff_user
    from django.core.cache import cache

    cache.clear()
    assert "badge-beta" not in staff_client.get("/catalog/acme-events/").content.decode()
    # a second press changes nothing
    again = staff_client.post(f"/staff/integrations/{integration.pk}/graduate/")
    assert again.status_code == 409
    assert AuditLog.objects.filter(action=Action.LISTING_GRADUATED).count() == 1


def test_approving_metadata_before_launch_says_the_catalog_shows_it_at_launch(integration):
    from catalog.views.metadata import approval_message

    assert approval_message(integration, 2) == (
        "Revision r2 is approved; the catalog shows it at launch."
    )
