"""Integrations, scoped to who asks: another partner's integration is a 404 by construction."""

from django.db.models import QuerySet

from catalog.errors import NotFound
from catalog.models import AuditLog, Integration, Lifecycle, User
from catalog.stages import with_gate_facts


def integrations_for(*, user: User) -> QuerySet[Integration]:
    if not user.is_authenticated:
        return Integration.objects.none()
    if user.is_staff:
        return Integration.objects.all()
    if user.partner_id is None:
        return Integration.objects.none()
    return Integration.objects.filter(partner_id=user.partner_id)


def integration_for(*, user: User, pk: int, for_update: bool = False) -> Integration:
    qs = integrations_for(user=user)
    if for_update:
        qs = qs.select_for_update()
    try:
        return qs.select_related("partner").get(pk=pk)
    except (Integration.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such integration.") from None


def partner_integrations(*, user: User) -> QuerySet[Integration]:
    """A partner's own active integrations, with every gate fact annotated (dashboard)."""
    return with_gate_facts(integrations_for(user=user).filter(lifecycle=Lifecycle.ACTIVE)).order_by(
        "name"
    )


def retired_integrations(*, user: User) -> QuerySet[Integration]:
    """Withdrawn and archived integrations the person may see (dashboard, staff list)."""
    return (
        integrations_for(user=user)
        .exclude(lifecycle=Lifecycle.ACTIVE)
        .select_related("partner")
        .order_by("-lifecycle_changed_at", "name")
    )


def pipeline(*, search: str = "") -> QuerySet[Integration]:
    """Every integration a partner is building, for the staff board (withdrawn and archived
    ones are off the board)."""
    qs = Integration.objects.filter(partner__isnull=False, lifecycle=Lifecycle.ACTIVE)
    if search:
        qs = qs.filter(name__icontains=search) | qs.filter(partner__name__icontains=search)
    return with_gate_facts(qs).order_by("stage_changed_at")


def integration_history(*, integration: Integration) -> QuerySet[AuditLog]:
    return integration.audit_entries.select_related("actor").order_by("-created_at", "-id")
