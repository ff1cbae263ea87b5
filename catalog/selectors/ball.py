"""Who has the ball, for whole lists: the board, the inbox, the dashboard, ``pipeline_report``.

Every list costs a constant number of queries: the integrations with their gate facts (one
query, plus the agreements in force), and the holidays.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from catalog import stages
from catalog.ball import Ball, Facts, Rules, StaffItem, WaitingOn, who_has_the_ball
from catalog.business_days import BusinessCalendar
from catalog.models import (
    ChangeRequest,
    Holiday,
    Integration,
    Lifecycle,
    MetadataRevision,
    OutboxMessage,
    Partner,
    PullRequest,
    ReviewStatus,
    SpecRevision,
    Stage,
)


def platform_zone() -> ZoneInfo:
    """The platform's zone; a misconfigured one reads as UTC (like the pages' middleware)."""
    try:
        return ZoneInfo(settings.PLATFORM_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def business_calendar() -> BusinessCalendar:
    return BusinessCalendar.of(platform_zone(), Holiday.objects.values_list("date", flat=True))


def rules(*, now: datetime | None = None) -> Rules:
    hour, minute = (int(part) for part in settings.RELEASE_TRAIN_DEPLOY_TIME.split(":"))
    return Rules(
        now=now or timezone.now(),
        calendar=business_calendar(),
        review_days=settings.STAFF_REVIEW_BUSINESS_DAYS,
        deploy_time=time(hour, minute),
    )


def facts_of(integration: Integration) -> Facts:
    """The facts of an integration annotated by ``stages.with_gate_facts``."""
    i = integration
    return Facts(
        integration_id=i.pk,
        name=i.name,
        stage=i.stage,
        stage_changed_at=i.stage_changed_at,
        checklist=tuple(stages.checklist(i)),
        spec_number=i.fact_spec_number,
        spec_status=i.fact_spec_status,
        spec_submitted_at=i.fact_spec_submitted_at,
        spec_reviewed_at=i.fact_spec_reviewed_at,
        metadata_number=i.fact_metadata_number,
        metadata_status=i.fact_metadata_status,
        metadata_submitted_at=i.fact_metadata_submitted_at,
        metadata_reviewed_at=i.fact_metadata_reviewed_at,
        pr_id=i.fact_pr_pk,
        pr_state=i.fact_pr_state,
        pr_state_changed_at=i.fact_pr_state_changed_at,
        pr_merged_at=i.fact_pr_merged_at,
        pr_deploy_date=i.fact_pr_deploy_date,
        pr_deployed_at=i.fact_pr_deployed_at,
        change_id=i.fact_change_pk,
        change_submitted_at=i.fact_change_submitted_at,
        docs_pr_at=i.fact_docs_pr_at,
        invited_at=i.fact_invited_at,
        link_open_until=i.fact_link_open_until,
        verified_at=i.fact_verified_at,
    )


@dataclass(frozen=True)
class Row:
    """One integration with its checklist and its ball (a board card, a dashboard row)."""

    integration: Integration
    checklist: tuple[stages.GateItem, ...]
    ball: Ball

    @property
    def ready(self) -> bool:
        return bool(self.checklist) and all(item.passed for item in self.checklist)


def rows_for(queryset: QuerySet[Integration], *, now: datetime | None = None) -> list[Row]:
    """Annotate, read once, and compute the ball of every integration of ``queryset``."""
    current = rules(now=now)
    rows = []
    for integration in stages.with_gate_facts(queryset):
        facts = facts_of(integration)
        rows.append(Row(integration, facts.checklist, who_has_the_ball(facts, current)))
    return rows


def ball_for(*, integration: Integration, now: datetime | None = None) -> Ball:
    """The ball of one integration (a detail page)."""
    return rows_for(Integration.objects.filter(pk=integration.pk), now=now)[0].ball


def in_flight() -> QuerySet[Integration]:
    """Integrations partners are building (not public yet)."""
    return Integration.objects.filter(partner__isnull=False, lifecycle=Lifecycle.ACTIVE).exclude(
        stage=Stage.PUBLIC
    )


@dataclass(frozen=True)
class BoardFilters:
    search: str = ""
    waiting_on: str = ""
    stage: str = ""
    partner_id: int | None = None
    overdue: bool = False
    stalled_days: int | None = None


def board_rows(*, filters: BoardFilters, now: datetime | None = None) -> list[Row]:
    """The staff board: every integration a partner builds (public ones too, in their column),
    filtered, oldest ball first. Withdrawn and archived integrations are off the board."""
    qs = Integration.objects.filter(partner__isnull=False, lifecycle=Lifecycle.ACTIVE)
    if filters.search:
        qs = qs.filter(
            Q(name__icontains=filters.search) | Q(partner__name__icontains=filters.search)
        )
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.partner_id:
        qs = qs.filter(partner_id=filters.partner_id)
    if filters.waiting_on or filters.overdue or filters.stalled_days:
        qs = qs.exclude(stage=Stage.PUBLIC)
    rows = rows_for(qs.order_by("stage_changed_at", "pk"), now=now)
    moment = now or timezone.now()
    if filters.waiting_on:
        rows = [r for r in rows if r.ball.waiting_on == filters.waiting_on]
    if filters.overdue:
        rows = [r for r in rows if r.ball.overdue]
    if filters.stalled_days:
        limit = moment - timedelta(days=filters.stalled_days)
        rows = [r for r in rows if r.ball.since and r.ball.since <= limit]
    far = moment + timedelta(days=36500)
    return sorted(rows, key=lambda r: (r.ball.since or far, r.integration.pk))


@dataclass(frozen=True)
class InboxItem:
    integration: Integration
    item: StaffItem


def inbox(*, now: datetime | None = None) -> list[InboxItem]:
    """Every item waiting on staff, oldest first: reviews, pull requests, change requests (live
    integrations too) and promotions whose gates all hold."""
    qs = Integration.objects.filter(partner__isnull=False, lifecycle=Lifecycle.ACTIVE).filter(
        ~Q(stage=Stage.PUBLIC)
        | Q(change_requests__status=ChangeRequest.Status.SUBMITTED)
        | Q(spec_revisions__status=ReviewStatus.SUBMITTED)
        | Q(metadata_revisions__status=ReviewStatus.SUBMITTED)
    )
    items = [
        InboxItem(row.integration, item)
        for row in rows_for(qs.distinct(), now=now)
        for item in row.ball.staff_items
    ]
    return sorted(items, key=lambda entry: (entry.item.since, entry.integration.pk))


def nav_counts() -> dict[str, int]:
    """The staff navigation's counts in one query: submissions waiting for review (specs,
    metadata, change requests, pull requests of integrations in build) and failed emails."""
    waiting = {
        "spec": SpecRevision.objects.filter(status=ReviewStatus.SUBMITTED),
        "metadata": MetadataRevision.objects.filter(status=ReviewStatus.SUBMITTED),
        "change": ChangeRequest.objects.filter(status=ChangeRequest.Status.SUBMITTED),
        "pull_request": PullRequest.objects.filter(
            kind=PullRequest.Kind.CODE,
            state__in=[PullRequest.State.OPEN, PullRequest.State.APPROVED],
            integration__stage=Stage.BUILD,
        ),
        "failed": OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED),
    }
    selects, params = [], []
    for qs in waiting.values():
        sql, qs_params = qs.order_by().values("pk").query.sql_with_params()
        # The ORM compiled each part with placeholders; nothing here comes from a request.
        selects.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")  # noqa: S608
        params.extend(qs_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        counts = dict(zip(waiting, cursor.fetchone(), strict=True))
    failed = counts.pop("failed")
    return {"reviews": sum(counts.values()), "failed_emails": failed}


def report_rows(*, now: datetime | None = None) -> list[dict]:
    """``pipeline_report``: one row per integration that is not public (DESIGN.md contract)."""
    moment = now or timezone.now()
    rows = rows_for(in_flight().order_by("slug"), now=moment)
    zone = platform_zone()

    def local(value: datetime | None) -> str | None:
        return value.astimezone(zone).isoformat() if value else None

    return [
        {
            "slug": row.integration.slug,
            "stage": row.integration.stage,
            "waiting_on": row.ball.waiting_on,
            "waiting_since": local(row.ball.since),
            "due": local(row.ball.due),
            "overdue": row.ball.overdue,
            "next_step": row.ball.next_step,
        }
        for row in rows
    ]


__all__ = [
    "BoardFilters",
    "InboxItem",
    "Row",
    "WaitingOn",
    "ball_for",
    "board_rows",
    "business_calendar",
    "facts_of",
    "in_flight",
    "inbox",
    "nav_counts",
    "partners_in_flight",
    "report_rows",
    "rows_for",
    "rules",
]


def partners_in_flight() -> list[tuple[int, str]]:
    """(id, name) of every partner with an integration on the board, for the board's filter."""
    return list(
        Partner.objects.filter(integrations__isnull=False)
        .distinct()
        .order_by("name")
        .values_list("pk", "name")
    )
