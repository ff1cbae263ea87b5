"""An integration's whole life beyond its stages: withdrawn by its owner before it is public,
archived by staff, restored by staff. The row stays, with its history, name and slug."""

from django.db import transaction
from django.utils import timezone

from catalog import permissions
from catalog.audit import Action
from catalog.errors import Conflict, Forbidden
from catalog.models import Integration, Lifecycle, Stage, User
from catalog.services.access import is_partner_user_of, lock_integration
from catalog.services.audit import audit_record


def _set(integration: Integration, *, to: str, actor: User, action: Action, note: str):
    old = integration.lifecycle
    integration.lifecycle = to
    integration.lifecycle_changed_at = timezone.now()
    integration.save(update_fields=["lifecycle", "lifecycle_changed_at", "updated_at"])
    audit_record(
        action=action,
        actor=actor,
        integration=integration,
        target=integration,
        old_value={"lifecycle": old},
        new_value={"lifecycle": to},
        note=note,
    )
    return integration


@transaction.atomic
def integration_withdraw(*, integration_id: int, actor: User, note: str = "") -> Integration:
    """The partner's owner gives up an integration that is not public yet."""
    integration = lock_integration(integration_id)
    if not is_partner_user_of(actor, integration) or not actor.is_partner_owner:
        raise Forbidden("Only your company's owners can withdraw an integration.")
    if integration.stage == Stage.PUBLIC:
        raise Conflict(
            f"{integration.name} is public. Ask the platform team to take it out of the catalog."
        )
    if not integration.is_active:
        raise Conflict(f"{integration.name} is already {integration.get_lifecycle_display()}.")
    return _set(
        integration,
        to=Lifecycle.WITHDRAWN,
        actor=actor,
        action=Action.INTEGRATION_WITHDRAWN,
        note=note.strip(),
    )


@transaction.atomic
def integration_archive(*, integration_id: int, actor: User, note: str = "") -> Integration:
    """Staff put away an integration nobody works on (not a public one)."""
    if not permissions.staff_has(actor, permissions.ARCHIVE_INTEGRATION):
        raise Forbidden("You need the permission to archive integrations.")
    integration = lock_integration(integration_id)
    if integration.stage == Stage.PUBLIC:
        raise Conflict(f"{integration.name} is public; roll it back before archiving it.")
    if integration.lifecycle == Lifecycle.ARCHIVED:
        raise Conflict(f"{integration.name} is already archived.")
    return _set(
        integration,
        to=Lifecycle.ARCHIVED,
        actor=actor,
        action=Action.INTEGRATION_ARCHIVED,
        note=note.strip(),
    )


@transaction.atomic
def integration_restore(*, integration_id: int, actor: User, note: str = "") -> Integration:
    """Back to the board and the dashboard, at the stage it had."""
    if not permissions.staff_has(actor, permissions.RESTORE_INTEGRATION):
        raise Forbidden("You need the permission to restore integrations.")
    integration = lock_integration(integration_id)
    if integration.is_active:
        raise Conflict(f"{integration.name} is not withdrawn or archived.")
    return _set(
        integration,
        to=Lifecycle.ACTIVE,
        actor=actor,
        action=Action.INTEGRATION_RESTORED,
        note=note.strip(),
    )
