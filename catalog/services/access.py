"""Checks and locks every area's services share."""

from catalog import permissions
from catalog.errors import Conflict, Forbidden, NotFound
from catalog.models import Integration, User


def lock_integration(integration_id: int) -> Integration:
    """The integration row, locked until the transaction ends; 404 when there is none."""
    try:
        return (
            Integration.objects.select_for_update(of=("self",))
            .select_related("partner")
            .get(pk=integration_id)
        )
    except (Integration.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such integration.") from None


def is_partner_user_of(actor: User | None, integration: Integration) -> bool:
    return bool(
        actor is not None
        and actor.is_authenticated
        and actor.is_active
        and actor.partner_id is not None
        and actor.partner_id == integration.partner_id
    )


def require_partner_user(actor: User | None, integration: Integration, *, message: str) -> None:
    if not is_partner_user_of(actor, integration):
        raise Forbidden(message)


def can_review(user: User | None) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm(permissions.REVIEW_SUBMISSIONS)
    )


def require_reviewer(actor: User | None, *, message: str) -> None:
    if not can_review(actor):
        raise Forbidden(message)


def check_active(integration: Integration) -> None:
    """A withdrawn or archived integration is read-only for its partner until staff restore it."""
    if not integration.is_active:
        raise Conflict(
            f"{integration.name} is {integration.get_lifecycle_display().lower()}: nothing about "
            "it can be changed. Ask the platform team to restore it if you want to go on."
        )
