"""The reads behind the staff flow page: stage moves and the times each side held the ball, over
the last 90 days, in a fixed number of queries."""

from datetime import datetime

from django.db.models import Min
from django.utils import timezone

from catalog import flow
from catalog.audit import Action
from catalog.models import (
    AuditLog,
    BetaLink,
    ChangeRequest,
    CustomerVerification,
    Integration,
    MetadataRevision,
    PullRequest,
    ReviewStatus,
    SpecRevision,
    Stage,
)


def stage_bars(*, now: datetime | None = None) -> list[flow.Bar]:
    now = now or timezone.now()
    since = now - flow.WINDOW
    moves = [
        (pk, created, Stage.SIGNUP)
        for pk, created in Integration.objects.filter(partner__isnull=False).values_list(
            "pk", "created_at"
        )
    ]
    moves += [
        (integration, created, (new or {}).get("stage"))
        for integration, created, new in AuditLog.objects.filter(
            action__in=(Action.INTEGRATION_PROMOTED, Action.INTEGRATION_ROLLED_BACK),
            integration__partner__isnull=False,
        ).values_list("integration_id", "created_at", "new_value")
    ]
    spent = flow.stage_durations([m for m in moves if m[2] in Stage.values], since=since, now=now)
    return [
        flow.bar(Stage(stage).label, spent.get(stage, []))
        for stage in Stage.values
        if stage != Stage.PUBLIC
    ]


def _spans(queryset, start: str, end: str, *, since, now) -> list[float]:
    """Seconds from ``start`` to ``end`` (now when not yet), for spans ending in the window."""
    spans = []
    for began, ended in queryset.exclude(**{f"{start}__isnull": True}).values_list(start, end):
        ended = ended or now
        if ended >= since:
            spans.append((ended - began).total_seconds())
    return spans


def side_bars(*, now: datetime | None = None) -> list[flow.Bar]:
    """How long each side kept the ball: staff deciding on a submission, the partner answering
    a review that asked for changes, the release train shipping a merge, customers confirming."""
    now = now or timezone.now()
    since = now - flow.WINDOW
    staff = []
    for model in (SpecRevision, MetadataRevision, ChangeRequest):
        staff += _spans(
            model.objects.exclude(status=ReviewStatus.DRAFT),
            "submitted_at",
            "reviewed_at",
            since=since,
            now=now,
        )
    staff += _spans(
        PullRequest.objects.filter(kind=PullRequest.Kind.CODE),
        "created_at",
        "merged_at",
        since=since,
        now=now,
    )
    partner = []
    for model in (SpecRevision, MetadataRevision):
        submitted: dict[int, list] = {}
        for integration, moment in model.objects.exclude(submitted_at__isnull=True).values_list(
            "integration_id", "submitted_at"
        ):
            submitted.setdefault(integration, []).append(moment)
        sent_back = model.objects.filter(
            status=ReviewStatus.CHANGES_REQUESTED, reviewed_at__isnull=False
        )
        for integration, reviewed in sent_back.values_list("integration_id", "reviewed_at"):
            later = [m for m in submitted.get(integration, []) if m > reviewed]
            answer = min(later) if later else now
            if answer >= since:
                partner.append((answer - reviewed).total_seconds())
    train = _spans(PullRequest.objects, "merged_at", "deployed_at", since=since, now=now)
    invited = dict(BetaLink.objects.values_list("integration_id").annotate(first=Min("created_at")))
    confirmed = dict(
        CustomerVerification.objects.values_list("integration_id").annotate(first=Min("created_at"))
    )
    customer = []
    for integration, first_invite in invited.items():
        answer = confirmed.get(integration) or now
        if answer >= since:
            customer.append((answer - first_invite).total_seconds())
    return [
        flow.bar("Staff (a decision)", staff),
        flow.bar("Partner (after changes requested)", partner),
        flow.bar("Release train (merge to deploy)", train),
        flow.bar("Customers (first invite to confirmation)", customer),
    ]
