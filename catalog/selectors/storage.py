"""The storage page's reads."""

from django.db.models import QuerySet

from catalog.models import StorageAuditRun, StorageProblem


def open_problems(*, kind: str) -> QuerySet[StorageProblem]:
    """Unresolved problems of one kind, files in use first, then the oldest."""
    return StorageProblem.objects.filter(kind=kind, resolved_at__isnull=True).select_related(
        "integration", "revision"
    )


def last_runs(*, limit: int = 5) -> list[StorageAuditRun]:
    return list(StorageAuditRun.objects.order_by("-started_at")[:limit])


def last_full_run() -> StorageAuditRun | None:
    return (
        StorageAuditRun.objects.filter(full=True, finished_at__isnull=False)
        .order_by("-started_at")
        .first()
    )
