"""Reads of the spec area: spec revisions, pull requests and their release-train forecasts, the
docs skeleton's input, change requests, the staff queue and the integration pages' spec panels.

Callers pass an integration already scoped to the person asking (``integration_for``), so another
partner's rows are never reached. A missing row is ``NotFound``. Services may import these reads;
this module imports no service.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from catalog import release_train
from catalog.docs_skeleton import DocsInput
from catalog.errors import NotFound
from catalog.models import (
    ChangeRequest,
    FreezeDate,
    Integration,
    MetadataRevision,
    PullRequest,
    ReviewStatus,
    SpecRevision,
)
from catalog.validation.spec import empty_definition

# --- Spec revisions ------------------------------------------------------------------------------


def revisions(*, integration: Integration) -> QuerySet[SpecRevision]:
    return integration.spec_revisions.select_related(
        "created_by", "reviewed_by", "change_request"
    ).order_by("-number")


def plan_revisions(*, integration: Integration) -> QuerySet[SpecRevision]:
    """Revisions of the plan itself (not those filed with a change request)."""
    return revisions(integration=integration).filter(change_request__isnull=True)


def latest_revision(*, integration: Integration) -> SpecRevision | None:
    return plan_revisions(integration=integration).first()


def revision(*, integration: Integration, number: int) -> SpecRevision:
    try:
        return revisions(integration=integration).get(number=number)
    except (SpecRevision.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such spec revision.") from None


def editor_definition(*, integration: Integration, from_number: int | None = None) -> dict:
    """What the editor starts with: a chosen revision, the newest one, or an empty spec."""
    source = None
    if from_number is not None:
        source = revisions(integration=integration).filter(number=from_number).first()
    if source is None:
        source = latest_revision(integration=integration)
    definition = dict(source.definition) if source else {}
    base = empty_definition(name=integration.name, slug=integration.slug, mode=integration.mode)
    return {**base, **definition, "name": integration.name, "slug": integration.slug}


def last_review(*, integration: Integration) -> SpecRevision | None:
    """The newest reviewed plan revision, whose comments the editor shows."""
    return plan_revisions(integration=integration).filter(reviewed_at__isnull=False).first()


def previous_approved(*, integration: Integration, before: SpecRevision) -> SpecRevision | None:
    return (
        integration.spec_revisions.filter(status=ReviewStatus.APPROVED, number__lt=before.number)
        .order_by("-number")
        .first()
    )


def previous_reviewed(*, integration: Integration, before: SpecRevision) -> SpecRevision | None:
    """The last plan revision before ``before`` that staff decided on (approved or sent back):
    what a re-review compares with, and whose comments it shows again."""
    return (
        plan_revisions(integration=integration)
        .filter(
            number__lt=before.number,
            status__in=(ReviewStatus.APPROVED, ReviewStatus.CHANGES_REQUESTED),
        )
        .first()
    )


def live_definition(*, integration: Integration) -> dict | None:
    """What customers run today: the live spec, or the newest approved revision."""
    if integration.live_spec_id:
        return integration.live_spec.definition
    latest = (
        integration.spec_revisions.filter(status=ReviewStatus.APPROVED).order_by("-number").first()
    )
    return latest.definition if latest else None


# --- Pull requests and the release train ---------------------------------------------------------


def pull_requests(*, integration: Integration, kind: str | None = None) -> QuerySet[PullRequest]:
    qs = integration.pull_requests.select_related("created_by", "deployed_by")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-id")


def pull_request(*, integration: Integration, pk: int) -> PullRequest:
    try:
        return integration.pull_requests.get(pk=pk)
    except (PullRequest.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such pull request.") from None


def pull_request_for_staff(*, pk: int) -> PullRequest:
    try:
        return PullRequest.objects.select_related("integration").get(pk=pk)
    except (PullRequest.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such pull request.") from None


def freeze_dates(*, from_day: date | None = None) -> set[date]:
    qs = FreezeDate.objects.all()
    if from_day is not None:
        qs = qs.filter(date__gte=from_day - timedelta(days=1))
    return set(qs.values_list("date", flat=True))


def forecast_for(
    *, pull_request: PullRequest, now: datetime | None = None
) -> release_train.Forecast:
    now = now or timezone.now()
    merged = pull_request.merged_at if pull_request.state == PullRequest.State.MERGED else None
    return release_train.forecast(
        now=now,
        merged_at=merged,
        approved_at=pull_request.approved_at if merged else None,
        time_zone=settings.PLATFORM_TIME_ZONE,
        freeze_dates=freeze_dates(from_day=(merged or now).date()),
    )


def forecast_if_merged_now(*, now: datetime | None = None) -> release_train.Forecast:
    now = now or timezone.now()
    return release_train.forecast(
        now=now,
        merged_at=None,
        time_zone=settings.PLATFORM_TIME_ZONE,
        freeze_dates=freeze_dates(from_day=now.date()),
    )


def with_forecasts(*, pull_requests, now: datetime | None = None) -> list[dict]:
    now = now or timezone.now()
    return [
        {"pull_request": pr, "forecast": forecast_for(pull_request=pr, now=now)}
        for pr in pull_requests
    ]


def upcoming_freezes(*, weeks: int = 26) -> QuerySet[FreezeDate]:
    today = timezone.localdate()
    return FreezeDate.objects.filter(date__gte=today, date__lte=today + timedelta(weeks=weeks))


# --- Docs ----------------------------------------------------------------------------------------


def _metadata(integration: Integration) -> MetadataRevision | None:
    if integration.live_metadata_id:
        return integration.live_metadata
    return integration.metadata_revisions.order_by("-number").first()


def docs_input(*, integration: Integration) -> DocsInput:
    """The data the documentation skeleton is built from. Never the support email."""
    metadata = _metadata(integration)
    spec = live_definition(integration=integration)
    if spec is None:
        latest = latest_revision(integration=integration)
        spec = latest.definition if latest else {}
    return DocsInput(
        name=(metadata.name if metadata and metadata.name else integration.name),
        slug=integration.slug,
        mode=integration.mode,
        website=metadata.website if metadata else "",
        description=metadata.description if metadata else "",
        partner_name=integration.partner.name if integration.partner_id else "",
        settings=list(spec.get("settings", [])),
        actions=list(spec.get("actions", [])),
    )


# --- Change requests -----------------------------------------------------------------------------


def change_requests(*, integration: Integration) -> QuerySet[ChangeRequest]:
    return integration.change_requests.select_related(
        "spec_revision", "created_by", "reviewed_by", "pull_request"
    ).order_by("-created_at", "-id")


def change_request(*, integration: Integration, pk: int) -> ChangeRequest:
    try:
        return change_requests(integration=integration).get(pk=pk)
    except (ChangeRequest.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such change request.") from None


def change_request_for_staff(*, pk: int) -> ChangeRequest:
    try:
        return ChangeRequest.objects.select_related(
            "integration__partner", "spec_revision", "created_by", "reviewed_by", "pull_request"
        ).get(pk=pk)
    except (ChangeRequest.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such change request.") from None


def pending_change_request(*, integration: Integration) -> ChangeRequest | None:
    """The change request in review, if any (one at a time per integration)."""
    return (
        integration.change_requests.filter(status=ChangeRequest.Status.SUBMITTED)
        .select_related("spec_revision")
        .first()
    )


# --- Staff queue and the integration pages' panels -----------------------------------------------


def review_queue() -> dict:
    """Everything of this area waiting for staff, oldest first."""
    return {
        "specs": SpecRevision.objects.filter(
            status=ReviewStatus.SUBMITTED, change_request__isnull=True
        )
        .select_related("integration__partner", "created_by")
        .order_by("submitted_at", "id"),
        "pull_requests": PullRequest.objects.exclude(state=PullRequest.State.MERGED)
        .select_related("integration__partner", "created_by")
        .order_by("created_at", "id"),
        "change_requests": ChangeRequest.objects.filter(status=ChangeRequest.Status.SUBMITTED)
        .select_related("integration__partner", "spec_revision", "created_by")
        .order_by("created_at", "id"),
    }


def panel(*, integration: Integration) -> dict:
    """What the integration pages' spec panels show (``spec_panel`` in their context)."""
    code = list(pull_requests(integration=integration, kind=PullRequest.Kind.CODE)[:5])
    return {
        "latest": latest_revision(integration=integration),
        "in_review": plan_revisions(integration=integration)
        .filter(status=ReviewStatus.SUBMITTED)
        .first(),
        "live_spec": integration.live_spec,
        "code_prs": with_forecasts(pull_requests=code),
        "docs_pr": pull_requests(integration=integration, kind=PullRequest.Kind.DOCS).first(),
        "pending_change": pending_change_request(integration=integration),
        "last_change": change_requests(integration=integration).first(),
    }
