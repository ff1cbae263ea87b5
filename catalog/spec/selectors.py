"""Reads of the spec area. Callers pass an integration already scoped to the person asking
(``catalog.selectors.integration_for``), so another partner's rows are never reached."""

from datetime import timedelta

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from catalog.docs_skeleton import DocsInput
from catalog.models import (
    ChangeRequest,
    FreezeDate,
    Integration,
    MetadataRevision,
    PullRequest,
    ReviewStatus,
    SpecRevision,
)
from catalog.services.change_requests import live_definition
from catalog.services.pull_requests import forecast_for
from catalog.validation.spec import empty_definition


def revisions(integration: Integration) -> QuerySet[SpecRevision]:
    return integration.spec_revisions.select_related(
        "created_by", "reviewed_by", "change_request"
    ).order_by("-number")


def plan_revisions(integration: Integration) -> QuerySet[SpecRevision]:
    """Revisions of the plan itself (not those filed with a change request)."""
    return revisions(integration).filter(change_request__isnull=True)


def latest_revision(integration: Integration) -> SpecRevision | None:
    return plan_revisions(integration).first()


def revision(integration: Integration, number: int) -> SpecRevision:
    try:
        return revisions(integration).get(number=number)
    except SpecRevision.DoesNotExist:
        raise Http404("No such spec revision.") from None


def editor_definition(integration: Integration, *, from_number: int | None = None) -> dict:
    """What the editor starts with: a chosen revision, the newest one, or an empty spec."""
    source = None
    if from_number is not None:
        source = revisions(integration).filter(number=from_number).first()
    if source is None:
        source = latest_revision(integration)
    definition = dict(source.definition) if source else {}
    base = empty_definition(name=integration.name, slug=integration.slug, mode=integration.mode)
    return {**base, **definition, "name": integration.name, "slug": integration.slug}


def last_review(integration: Integration) -> SpecRevision | None:
    """The newest reviewed plan revision, whose comments the editor shows."""
    return plan_revisions(integration).filter(reviewed_at__isnull=False).first()


def previous_approved(integration: Integration, before: SpecRevision) -> SpecRevision | None:
    return (
        integration.spec_revisions.filter(status=ReviewStatus.APPROVED, number__lt=before.number)
        .order_by("-number")
        .first()
    )


def pull_requests(integration: Integration, kind: str | None = None) -> QuerySet[PullRequest]:
    qs = integration.pull_requests.select_related("created_by")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-id")


def pull_request(integration: Integration, pk: int) -> PullRequest:
    try:
        return integration.pull_requests.get(pk=pk)
    except (PullRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such pull request.") from None


def with_forecasts(items, *, now=None) -> list[dict]:
    now = now or timezone.now()
    return [{"pull_request": pr, "forecast": forecast_for(pr, now=now)} for pr in items]


def upcoming_freezes(*, weeks: int = 26) -> QuerySet[FreezeDate]:
    today = timezone.localdate()
    return FreezeDate.objects.filter(date__gte=today, date__lte=today + timedelta(weeks=weeks))


def _metadata(integration: Integration) -> MetadataRevision | None:
    if integration.live_metadata_id:
        return integration.live_metadata
    return integration.metadata_revisions.order_by("-number").first()


def docs_input(integration: Integration) -> DocsInput:
    """The data the documentation skeleton is built from. Never the support email."""
    metadata = _metadata(integration)
    spec = live_definition(integration)
    if spec is None:
        latest = latest_revision(integration)
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


def change_requests(integration: Integration) -> QuerySet[ChangeRequest]:
    return integration.change_requests.select_related(
        "spec_revision", "created_by", "reviewed_by", "pull_request"
    ).order_by("-created_at", "-id")


def change_request(integration: Integration, pk: int) -> ChangeRequest:
    try:
        return change_requests(integration).get(pk=pk)
    except (ChangeRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such change request.") from None


def change_request_for_staff(pk: int) -> ChangeRequest:
    try:
        return ChangeRequest.objects.select_related(
            "integration__partner", "spec_revision", "created_by", "reviewed_by", "pull_request"
        ).get(pk=pk)
    except (ChangeRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such change request.") from None


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


def panel(integration: Integration) -> dict:
    """What the integration pages' spec panels show."""
    latest = latest_revision(integration)
    code = list(pull_requests(integration, PullRequest.Kind.CODE)[:5])
    docs = pull_requests(integration, PullRequest.Kind.DOCS).first()
    pending_change = (
        integration.change_requests.filter(status=ChangeRequest.Status.SUBMITTED)
        .select_related("spec_revision")
        .first()
    )
    return {
        "latest": latest,
        "in_review": plan_revisions(integration).filter(status=ReviewStatus.SUBMITTED).first(),
        "live_spec": integration.live_spec,
        "code_prs": with_forecasts(code),
        "docs_pr": docs,
        "pending_change": pending_change,
        "last_change": change_requests(integration).first(),
    }
