"""The storage audit, run by beat: a quick pass often, a full pass seldom (see
``catalog.services.storage_audit``)."""

from celery import shared_task

__all__ = ["audit_storage"]


@shared_task(ignore_result=True, acks_late=True)
def audit_storage(full: bool = False) -> int:
    from catalog.services.storage_audit import storage_audit

    return storage_audit(full=full).missing
