"""The stage graph as data, and the gate of each step as small functions returning checklist items.

Gate functions read *facts* annotated on the integration by ``with_gate_facts`` (one query for a
whole board); ``checklist`` re-reads them for an integration that was loaded without.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from catalog.models import (
    AgreementAcceptance,
    AgreementVersion,
    CustomerVerification,
    Integration,
    MetadataRevision,
    PullRequest,
    ReviewStatus,
    SpecRevision,
    Stage,
)

ORDER: list[str] = list(Stage.values)
NEXT: dict[str, str] = {a: b for a, b in zip(ORDER, ORDER[1:], strict=False)}
PREVIOUS: dict[str, str] = {b: a for a, b in NEXT.items()}


@dataclass(frozen=True)
class GateItem:
    key: str
    label: str
    passed: bool
    detail: str
    fix_url: str | None = None


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def current_agreements(now=None) -> dict[str, AgreementVersion]:
    """The version in force of each agreement kind (latest effective on or before now)."""
    now = now or timezone.now()
    current: dict[str, AgreementVersion] = {}
    for version in AgreementVersion.objects.filter(effective_at__lte=now).order_by(
        "kind", "-effective_at", "-id"
    ):
        current.setdefault(version.kind, version)
    return current


def with_gate_facts(queryset: QuerySet[Integration]) -> QuerySet[Integration]:
    """Annotate every fact a gate needs, so a list of integrations costs one query."""
    agreements = current_agreements()
    qs = queryset.annotate(
        fact_spec_approved=Exists(
            SpecRevision.objects.filter(integration=OuterRef("pk"), status=ReviewStatus.APPROVED)
        ),
        fact_pr_merged=Exists(
            PullRequest.objects.filter(
                integration=OuterRef("pk"),
                kind=PullRequest.Kind.CODE,
                state=PullRequest.State.MERGED,
            )
        ),
        fact_docs_pr=Exists(
            PullRequest.objects.filter(integration=OuterRef("pk"), kind=PullRequest.Kind.DOCS)
        ),
        # The revision the catalog shows (live_metadata) is approved and its files pass.
        fact_metadata_approved=Exists(
            MetadataRevision.objects.filter(
                pk=OuterRef("live_metadata"),
                integration=OuterRef("pk"),
                status=ReviewStatus.APPROVED,
                asset_report__ok=True,
            )
        ),
        fact_verified=Exists(CustomerVerification.objects.filter(integration=OuterRef("pk"))),
    )
    for kind in AgreementVersion.Kind.values:
        version = agreements.get(kind)
        subquery = (
            Exists(
                AgreementAcceptance.objects.filter(partner=OuterRef("partner"), agreement=version)
            )
            if version is not None
            else Exists(AgreementAcceptance.objects.none())
        )
        qs = qs.annotate(**{f"fact_accepted_{kind}": subquery})
    return qs.select_related("partner")


def _facts(integration: Integration) -> Integration:
    if hasattr(integration, "fact_spec_approved"):
        return integration
    return with_gate_facts(Integration.objects.filter(pk=integration.pk)).get()


def _gate_signup(i: Integration) -> list[GateItem]:
    partner = i.partner
    accepted = all(getattr(i, f"fact_accepted_{k}") for k in AgreementVersion.Kind.values)
    return [
        GateItem(
            "agreements",
            "Partner Program Agreement and Privacy Policy accepted",
            accepted,
            "A partner user accepted the current versions."
            if accepted
            else "Accept the current Partner Program Agreement and Privacy Policy.",
            _url("partner_profile"),
        ),
        GateItem(
            "profile",
            "Company profile has a name and a website",
            bool(partner and partner.profile_complete),
            "Company name and website are filled in."
            if partner and partner.profile_complete
            else "Add your company name and website to the profile.",
            _url("partner_profile"),
        ),
    ]


def _gate_spec(i: Integration) -> list[GateItem]:
    ok = i.fact_spec_approved
    return [
        GateItem(
            "spec",
            "Spec approved by staff",
            ok,
            "An approved spec revision exists."
            if ok
            else "Write the spec (mode, authentication, settings, actions) and submit it.",
            _url("partner_spec", i.pk),
        )
    ]


def _gate_build(i: Integration) -> list[GateItem]:
    return [
        GateItem(
            "pull_request",
            "Pull request merged on the destinations repository",
            i.fact_pr_merged,
            "Your pull request is merged."
            if i.fact_pr_merged
            else "Record your pull request; staff mark it merged after review.",
            _url("partner_pull_requests", i.pk),
        ),
        GateItem(
            "docs",
            "Documentation pull request recorded",
            i.fact_docs_pr,
            "The docs pull request is recorded."
            if i.fact_docs_pr
            else "Generate the docs skeleton, open the docs pull request and record its link.",
            _url("partner_docs", i.pk),
        ),
        GateItem(
            "metadata",
            "Catalog metadata approved, assets valid",
            i.fact_metadata_approved,
            "The catalog shows an approved metadata revision whose files pass validation."
            if i.fact_metadata_approved
            else "Fill in the catalog metadata (name, description, logo, mark…) and submit it "
            "for review; staff approve it.",
            _url("partner_metadata", i.pk),
        ),
    ]


def _gate_private_beta(i: Integration) -> list[GateItem]:
    return [
        GateItem(
            "verification",
            "At least one customer verified it works",
            i.fact_verified,
            "A customer confirmed it works in their workspace."
            if i.fact_verified
            else "Invite a beta customer; they confirm through their beta link.",
            _url("partner_beta", i.pk),
        )
    ]


GATES = {
    Stage.SIGNUP: _gate_signup,
    Stage.SPEC: _gate_spec,
    Stage.BUILD: _gate_build,
    Stage.PRIVATE_BETA: _gate_private_beta,
}


def checklist(integration: Integration) -> list[GateItem]:
    """Items of the gate from the integration's current stage to the next ([] when public)."""
    gate = GATES.get(integration.stage)
    return gate(_facts(integration)) if gate else []


def gate_holds(integration: Integration) -> bool:
    items = checklist(integration)
    return bool(items) and all(item.passed for item in items)


def progress(integration: Integration) -> list[dict]:
    """The five steps for a progress bar: done, current or upcoming."""
    current = ORDER.index(integration.stage)
    return [
        {
            "value": value,
            "label": Stage(value).label,
            "state": "done" if n < current else "current" if n == current else "upcoming",
        }
        for n, value in enumerate(ORDER)
    ]
