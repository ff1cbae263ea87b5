"""Daily caps on what sends email to addresses a partner types: team invitations per partner and
beta invitations per integration. A partner account cannot be used to mail strangers in bulk.

Counted from the rows themselves (``created_at`` in the last 24 hours), not from the throttle
store: the cap holds across restarts and store outages, and costs one COUNT when an invitation is
made. Staff issuing beta links are not capped.
"""

from datetime import timedelta

from django.db.models import QuerySet

from catalog.errors import Throttled

WINDOW = timedelta(days=1)


def within_daily_cap(*, made: QuerySet, limit: int, what: str, now) -> None:
    """Refuse (429, with when the next one can go) once ``made`` holds ``limit`` rows created in
    the last 24 hours."""
    recent = made.filter(created_at__gt=now - WINDOW)
    if recent.count() < limit:
        return
    oldest = recent.order_by("created_at").values_list("created_at", flat=True).first()
    wait = max(60, int((oldest + WINDOW - now).total_seconds()))
    hours, minutes = divmod(-(-wait // 60), 60)
    later = f"{hours} h {minutes} min" if hours else f"{minutes} min"
    raise Throttled(
        f"{limit} {what} in 24 hours is the most that can be sent. The next one can go in "
        f"{later}. If you need more, write to partner-support@segment.com.",
        retry_after=wait,
    )
