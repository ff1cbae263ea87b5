"""The staff outbox page's reads."""

from django.db.models import Count, Q, QuerySet

from catalog.models import OutboxMessage


def outbox_messages(
    *, status: str = "", integration_id: int | None = None, search: str = ""
) -> QuerySet[OutboxMessage]:
    qs = OutboxMessage.objects.select_related("integration").order_by("-created_at", "-id")
    if status:
        qs = qs.filter(status=status)
    if integration_id:
        qs = qs.filter(integration_id=integration_id)
    if search:
        qs = qs.filter(Q(recipient__icontains=search) | Q(subject__icontains=search))
    return qs


def outbox_counts() -> dict[str, int]:
    rows = OutboxMessage.objects.values("status").annotate(n=Count("id")).order_by()
    counts = {status: 0 for status in OutboxMessage.Status.values}
    counts.update({row["status"]: row["n"] for row in rows})
    counts["all"] = sum(counts.values())
    return counts
