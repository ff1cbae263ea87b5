"""integration_promote / integration_roll_back: gates, permissions, audit, notifications, races."""

import importlib
import threading
import time
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.db import connection, connections
from django.utils import timezone

from catalog.audit import Action
from catalog.errors import ApplicationError, Forbidden
from catalog.models import (
    AuditLog,
    BetaLink,
    CustomerVerification,
    Integration,
    MetadataRevision,
    OutboxMessage,
    PullRequest,
    ReviewStatus,
    SpecRevision,
    Stage,
)
from catalog.notifications import Kind
from catalog.services import integrations as service
from catalog.tokens import new_token
from tests import factories


@pytest.fixture
def reference_data(transactional_db):
    """The agreements and categories the data migration creates. A transactional test flushes
    them at its end, and serialized_rollback can't restore them once Playwright's event loop
    runs, so tests that commit put them back themselves."""
    migration = importlib.import_module("catalog.migrations.0002_reference_data")
    migration.forwards(django_apps, None)


def satisfy_gate(integration: Integration, stage: str) -> None:
    """Create the rows the gate out of ``stage`` needs."""
    if stage == Stage.SIGNUP:
        for user in integration.partner.users.all()[:1]:
            factories.accept_agreements(user)
    elif stage == Stage.SPEC:
        SpecRevision.objects.create(
            integration=integration, number=1, status=ReviewStatus.APPROVED, definition={}
        )
    elif stage == Stage.BUILD:
        PullRequest.objects.create(
            integration=integration,
            kind=PullRequest.Kind.CODE,
            url="https://github.com/segmentio/action-destinations/pull/1",
            state=PullRequest.State.MERGED,
            merged_at=timezone.now() - timedelta(days=8),
            deployed_at=timezone.now() - timedelta(days=7),
        )
        PullRequest.objects.create(
            integration=integration,
            kind=PullRequest.Kind.DOCS,
            url="https://github.com/segmentio/segment-docs/pull/2",
        )
        revision = MetadataRevision.objects.create(
            integration=integration,
            number=1,
            status=ReviewStatus.APPROVED,
            asset_report={"ok": True},
        )
        Integration.objects.filter(pk=integration.pk).update(live_metadata=revision)
    elif stage == Stage.PRIVATE_BETA:
        link = BetaLink.objects.create(
            integration=integration,
            email="customer@example.com",
            token_hash=new_token()[1],
            expires_at=timezone.now() + timedelta(days=30),
        )
        CustomerVerification.objects.create(
            integration=integration, beta_link=link, workspace_name="customer-workspace"
        )


def state(integration: Integration) -> tuple:
    integration.refresh_from_db()
    return (
        integration.stage,
        integration.stage_changed_at,
        integration.public_since,
        AuditLog.objects.count(),
        OutboxMessage.objects.count(),
    )


# --- Gates --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_step_moves_once_its_gate_holds_and_is_refused_before(
    staff_user, partner_user, partner_member, integration
):
    for old, new in [
        (Stage.SIGNUP, Stage.SPEC),
        (Stage.SPEC, Stage.BUILD),
        (Stage.BUILD, Stage.PRIVATE_BETA),
        (Stage.PRIVATE_BETA, Stage.PUBLIC),
    ]:
        before = state(integration)
        with pytest.raises(ApplicationError) as refused:
            service.integration_promote(
                integration_id=integration.pk, actor=staff_user, expected_stage=old
            )
        assert refused.value.status == 409
        assert refused.value.items and not any(i.passed for i in refused.value.items)
        assert state(integration) == before
        # when the gate holds
        satisfy_gate(integration, old)
        moved = service.integration_promote(
            integration_id=integration.pk, actor=staff_user, expected_stage=old, note="Go"
        )
        # then
        assert moved.stage == new
        entry = AuditLog.objects.filter(action=Action.INTEGRATION_PROMOTED).first()
        assert entry.old_value == {"stage": old}
        assert entry.new_value == {"stage": new}
        assert entry.actor == staff_user
        assert entry.note == "Go"
        event = OutboxMessage.objects.filter(event=Action.INTEGRATION_PROMOTED).first().event_id
        sent = OutboxMessage.objects.filter(event_id=event)
        assert {m.recipient for m in sent} == {partner_user.email, partner_member.email}
        assert {m.kind for m in sent} == {Kind.STAGE_CHANGES}
    integration.refresh_from_db()
    assert integration.public_since is not None


@pytest.mark.django_db
def test_public_has_no_next_stage(staff_user, integration):
    Integration.objects.filter(pk=integration.pk).update(stage=Stage.PUBLIC)
    before = state(integration)
    with pytest.raises(ApplicationError, match="no next stage") as refused:
        service.integration_promote(
            integration_id=integration.pk, actor=staff_user, expected_stage=Stage.PUBLIC
        )
    assert refused.value.status == 409
    assert state(integration) == before


@pytest.mark.django_db
def test_unmerged_pull_request_and_invalid_assets_are_named_in_the_refusal(staff_user, integration):
    Integration.objects.filter(pk=integration.pk).update(stage=Stage.BUILD)
    satisfy_gate(integration, Stage.BUILD)
    PullRequest.objects.filter(kind=PullRequest.Kind.CODE).update(state=PullRequest.State.APPROVED)
    MetadataRevision.objects.update(asset_report={"ok": False})
    before = state(integration)
    # when
    with pytest.raises(ApplicationError) as refused:
        service.integration_promote(
            integration_id=integration.pk, actor=staff_user, expected_stage=Stage.BUILD
        )
    # then
    assert [i.key for i in refused.value.items] == ["pull_request", "metadata"]
    assert "Pull request merged and deployed" in refused.value.message
    assert "Catalog metadata approved, assets valid" in refused.value.message
    assert state(integration) == before


@pytest.mark.django_db
def test_a_second_press_with_the_same_expected_stage_is_refused(
    staff_user, partner_user, integration
):
    satisfy_gate(integration, Stage.SIGNUP)
    service.integration_promote(
        integration_id=integration.pk, actor=staff_user, expected_stage=Stage.SIGNUP
    )
    before = state(integration)
    with pytest.raises(ApplicationError, match="already in Spec") as refused:
        service.integration_promote(
            integration_id=integration.pk, actor=staff_user, expected_stage=Stage.SIGNUP
        )
    assert refused.value.status == 409
    assert state(integration) == before


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["partner_user", "plain_staff_user"])
def test_people_without_the_promote_permission_are_refused(request, who, partner_user, integration):
    actor = request.getfixturevalue(who)
    satisfy_gate(integration, Stage.SIGNUP)
    before = state(integration)
    for move, kwargs in [
        (service.integration_promote, {}),
        (service.integration_roll_back, {"reason": "because"}),
    ]:
        with pytest.raises(Forbidden):
            move(integration_id=integration.pk, actor=actor, expected_stage=Stage.SIGNUP, **kwargs)
    assert state(integration) == before


# --- Roll back ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_roll_back_moves_one_step_with_the_reason_recorded_and_sent(
    staff_user, partner_user, integration
):
    Integration.objects.filter(pk=integration.pk).update(stage=Stage.BUILD)
    # when
    moved = service.integration_roll_back(
        integration_id=integration.pk,
        actor=staff_user,
        expected_stage=Stage.BUILD,
        reason="The spec needs an OAuth setting.",
    )
    # then
    assert moved.stage == Stage.SPEC
    entry = AuditLog.objects.get(action=Action.INTEGRATION_ROLLED_BACK)
    assert (entry.old_value, entry.new_value) == ({"stage": "build"}, {"stage": "spec"})
    assert entry.note == "The spec needs an OAuth setting."
    message = OutboxMessage.objects.get(recipient=partner_user.email)
    assert "The spec needs an OAuth setting." in message.body_text
    assert message.event == Action.INTEGRATION_ROLLED_BACK


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "   \n "])
def test_roll_back_without_a_reason_is_refused(staff_user, integration, reason):
    Integration.objects.filter(pk=integration.pk).update(stage=Stage.BUILD)
    before = state(integration)
    with pytest.raises(ApplicationError, match="Say why") as refused:
        service.integration_roll_back(
            integration_id=integration.pk,
            actor=staff_user,
            expected_stage=Stage.BUILD,
            reason=reason,
        )
    assert refused.value.field == "reason"
    assert state(integration) == before


@pytest.mark.django_db
def test_roll_back_from_signup_is_refused(staff_user, integration):
    before = state(integration)
    with pytest.raises(ApplicationError, match="first stage") as refused:
        service.integration_roll_back(
            integration_id=integration.pk,
            actor=staff_user,
            expected_stage=Stage.SIGNUP,
            reason="Nope",
        )
    assert refused.value.status == 409
    assert state(integration) == before


# --- Two staff at the same moment ---------------------------------------------------------------


def _waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_two_staff_promoting_at_the_same_moment_make_one_move(monkeypatch, reference_data):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    # given an integration whose gate holds, and two staff users
    partner_user = factories.PartnerUserFactory()
    integration = factories.IntegrationFactory(partner=partner_user.partner)
    satisfy_gate(integration, Stage.SIGNUP)
    first, second = factories.StaffUserFactory(), factories.StaffUserFactory()
    # The first thread to hold the row lock keeps it until the other one is seen waiting for it
    # in pg_stat_activity, so the two transactions really overlap.
    original_lock = service.lock_integration
    holder_ready, release = threading.Event(), threading.Event()
    claimed = threading.Lock()
    holders: list[str] = []

    def lock_and_hold(integration_id):
        row = original_lock(integration_id)
        with claimed:
            holders.append(threading.current_thread().name)
            is_first = len(holders) == 1
        if is_first:
            holder_ready.set()
            release.wait(timeout=20)
        return row

    monkeypatch.setattr(service, "lock_integration", lock_and_hold)
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def press(actor):
        try:
            barrier.wait(timeout=20)
            service.integration_promote(
                integration_id=integration.pk, actor=actor, expected_stage=Stage.SIGNUP
            )
            results[threading.current_thread().name] = "moved"
        except ApplicationError as error:
            results[threading.current_thread().name] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=press, args=(actor,), name=name)
        for name, actor in (("first", first), ("second", second))
    ]
    # when
    for thread in threads:
        thread.start()
    assert holder_ready.wait(timeout=20)
    saw_waiter = False
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not saw_waiter:
        saw_waiter = _waiting_on_a_lock() >= 1
        if not saw_waiter:
            time.sleep(0.02)
    release.set()
    for thread in threads:
        thread.join(timeout=30)
    # then
    assert saw_waiter, "the second promote never waited for the row lock"
    outcomes = sorted(results.values(), key=lambda r: r != "moved")
    assert outcomes[0] == "moved"
    assert isinstance(outcomes[1], ApplicationError) and outcomes[1].status == 409
    integration.refresh_from_db()
    assert integration.stage == Stage.SPEC
    assert AuditLog.objects.filter(action=Action.INTEGRATION_PROMOTED).count() == 1
    assert OutboxMessage.objects.filter(event=Action.INTEGRATION_PROMOTED).count() == 1


def test_a_roll_back_reason_with_hidden_characters_is_refused(staff_user, integration):
    from catalog.errors import ApplicationError
    from catalog.services.integrations import integration_roll_back

    Integration.objects.filter(pk=integration.pk).update(stage=Stage.BUILD)
    with pytest.raises(ApplicationError) as refused:
        integration_roll_back(
            integration_id=integration.pk,
            actor=staff_user,
            expected_stage=Stage.BUILD,
            reason="Docs\u200b withdrawn",
        )
    assert refused.value.status == 422
    integration.refresh_from_db()
    assert integration.stage == Stage.BUILD
