"""Reads of the partner API and the API tokens page, scoped to who asks."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from catalog.errors import NotFound
from catalog.models import (
    ApiToken,
    Integration,
    MetadataRevision,
    PullRequest,
    ReviewStatus,
    SpecRevision,
    User,
)
from catalog.selectors.integrations import integrations_for
from catalog.stages import with_gate_facts


def _with_review_facts(queryset: QuerySet[Integration]) -> QuerySet[Integration]:
    """``fact_in_review``: a spec, metadata revision or pull request waits for a staff decision."""
    return queryset.annotate(
        fact_in_review=Exists(
            SpecRevision.objects.filter(integration=OuterRef("pk"), status=ReviewStatus.SUBMITTED)
        )
        | Exists(
            MetadataRevision.objects.filter(
                integration=OuterRef("pk"), status=ReviewStatus.SUBMITTED
            )
        )
        | Exists(
            PullRequest.objects.filter(
                Q(state=PullRequest.State.OPEN) | Q(state=PullRequest.State.APPROVED),
                integration=OuterRef("pk"),
                kind=PullRequest.Kind.CODE,
            )
        )
    )


def api_integrations(*, user: User) -> QuerySet[Integration]:
    """The partner's integrations with every fact the checklist and the ball need: one query."""
    return _with_review_facts(with_gate_facts(integrations_for(user=user))).order_by("name", "pk")


def api_integration(*, user: User, pk: int) -> Integration:
    try:
        return api_integrations(user=user).get(pk=pk)
    except (Integration.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such integration.") from None


def api_tokens(*, user: User) -> QuerySet[ApiToken]:
    """The tokens of the user's partner (every owner sees every token of the company)."""
    if not user.is_authenticated or user.partner_id is None:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(partner_id=user.partner_id).select_related(
        "created_by", "revoked_by"
    )
