from typing import Any

from catalog.audit import Action
from catalog.models import AuditLog


def audit_record(
    *,
    action: Action,
    actor=None,
    integration=None,
    partner=None,
    target=None,
    old_value: Any = None,
    new_value: Any = None,
    note: str = "",
    ip_address: str | None = None,
) -> AuditLog:
    """Append one audit row. Call inside the transaction of the change it records."""
    if partner is None and integration is not None:
        partner = integration.partner
    return AuditLog.objects.create(
        action=str(action),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=str(actor) if actor is not None else "system",
        integration=integration,
        partner=partner,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        old_value=old_value,
        new_value=new_value,
        note=note,
        ip_address=ip_address,
    )
