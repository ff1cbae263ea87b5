"""The stage graph as data, and the gate of each step as small functions returning checklist items.

Gate functions read *facts* annotated on the integration by ``with_gate_facts`` (one query for a
whole board); ``checklist`` re-reads them for an integration that was loaded without. Each item
says its state (missing, in review, changes requested, waiting for the deploy, passed), so a page
never tells a partner to do what already waits for staff. ``catalog.ball`` reads the same facts.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, Min, OuterRef, QuerySet, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from catalog.models import (
    AgreementAcceptance,
    AgreementVersion,
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

ORDER: list[str] = list(Stage.values)
NEXT: dict[str, str] = {a: b for a, b in zip(ORDER, ORDER[1:], strict=False)}
PREVIOUS: dict[str, str] = {b: a for a, b in NEXT.items()}


class ItemState:
    """Where a checklist item stands; only ``MISSING`` and ``CHANGES_REQUESTED`` are the
    partner's to act on."""

    PASSED = "passed"
    MISSING = "missing"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    DEPLOYING = "deploying"
    WITH_CUSTOMERS = "with_customers"

    LABELS = {
        PASSED: "Passed",
        MISSING: "Missing",
        IN_REVIEW: "In review",
        CHANGES_REQUESTED: "Changes requested",
        DEPLOYING: "Waiting for the deploy",
        WITH_CUSTOMERS: "Waiting for customers",
    }
    PARTNER_TO_ACT = {MISSING, CHANGES_REQUESTED}


@dataclass(frozen=True)
class GateItem:
    key: str
    label: str
    passed: bool
    detail: str
    fix_url: str | None = None
    state: str = ""

    def __post_init__(self):
        if not self.state:
            object.__setattr__(
                self, "state", ItemState.PASSED if self.passed else ItemState.MISSING
            )

    @property
    def state_label(self) -> str:
        return ItemState.LABELS[self.state]

    @property
    def partner_to_act(self) -> bool:
        return self.state in ItemState.PARTNER_TO_ACT


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


def _latest(queryset: QuerySet, order: str, prefix: str, fields: list[str]) -> dict:
    """One subquery per field of the first row of ``queryset`` (correlated on the integration)."""
    ordered = queryset.order_by(order, "-pk")
    return {f"{prefix}_{name}": Subquery(ordered.values(name)[:1]) for name in fields}


REVIEW_FIELDS = ["pk", "number", "status", "submitted_at", "reviewed_at"]
PR_FIELDS = ["pk", "state", "state_changed_at", "merged_at", "deploy_date", "deployed_at"]


def with_gate_facts(queryset: QuerySet[Integration]) -> QuerySet[Integration]:
    """Annotate every fact a gate (and who has the ball) needs, so a list of integrations costs
    one query."""
    agreements = current_agreements()
    own = {"integration": OuterRef("pk")}
    code_prs = PullRequest.objects.filter(**own, kind=PullRequest.Kind.CODE)
    qs = queryset.annotate(
        fact_spec_approved=Exists(
            SpecRevision.objects.filter(integration=OuterRef("pk"), status=ReviewStatus.APPROVED)
        ),
        fact_pr_merged=Exists(code_prs.filter(state=PullRequest.State.MERGED)),
        fact_pr_deployed=Exists(
            code_prs.filter(state=PullRequest.State.MERGED, deployed_at__isnull=False)
        ),
        fact_docs_pr=Exists(
            PullRequest.objects.filter(integration=OuterRef("pk"), kind=PullRequest.Kind.DOCS)
        ),
        fact_docs_pr_at=Subquery(
            PullRequest.objects.filter(**own, kind=PullRequest.Kind.DOCS)
            .values("integration")
            .annotate(first=Min("created_at"))
            .values("first")[:1]
        ),
        fact_verified_at=Subquery(
            CustomerVerification.objects.filter(**own)
            .order_by("created_at")
            .values("created_at")[:1]
        ),
        fact_invited_at=Subquery(
            BetaLink.objects.filter(**own, revoked_at__isnull=True)
            .order_by("created_at")
            .values("created_at")[:1]
        ),
        fact_link_open_until=Subquery(
            BetaLink.objects.filter(**own, revoked_at__isnull=True)
            .order_by("-expires_at")
            .values("expires_at")[:1]
        ),
        **_latest(SpecRevision.objects.filter(**own), "-number", "fact_spec", REVIEW_FIELDS),
        **_latest(
            MetadataRevision.objects.filter(**own), "-number", "fact_metadata", REVIEW_FIELDS
        ),
        **_latest(code_prs, "-created_at", "fact_pr", PR_FIELDS),
        **_latest(
            ChangeRequest.objects.filter(**own, status=ChangeRequest.Status.SUBMITTED),
            "submitted_at",
            "fact_change",
            ["pk", "submitted_at"],
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


def _review_state(status: str | None) -> str:
    return {
        ReviewStatus.SUBMITTED: ItemState.IN_REVIEW,
        ReviewStatus.CHANGES_REQUESTED: ItemState.CHANGES_REQUESTED,
    }.get(status, ItemState.MISSING)


def _gate_spec(i: Integration) -> list[GateItem]:
    ok = i.fact_spec_approved
    state = ItemState.PASSED if ok else _review_state(i.fact_spec_status)
    detail = {
        ItemState.PASSED: "An approved spec revision exists.",
        ItemState.IN_REVIEW: f"Revision {i.fact_spec_number} waits for staff review.",
        ItemState.CHANGES_REQUESTED: f"Staff asked for changes to revision {i.fact_spec_number}: "
        "read the comments beside the fields, fix them and submit again.",
        ItemState.MISSING: "Write the spec (mode, authentication, settings, actions) and "
        "submit it.",
    }[state]
    return [
        GateItem("spec", "Spec approved by staff", ok, detail, _url("partner_spec", i.pk), state)
    ]


def _pull_request_item(i: Integration) -> GateItem:
    ok = i.fact_pr_deployed
    label = "Pull request merged and deployed"
    url = _url("partner_pull_requests", i.pk)
    if ok:
        return GateItem(
            "pull_request", label, True, "Your pull request is merged and deployed.", url
        )
    state = i.fact_pr_state
    if state == PullRequest.State.MERGED:
        day = i.fact_pr_deploy_date
        when = f"ships {deploy_day_label(day)}" if day else "ships on the next release train"
        return GateItem(
            "pull_request",
            label,
            False,
            f"Merged; it {when}. Private beta waits for the deploy.",
            url,
            ItemState.DEPLOYING,
        )
    if state in (PullRequest.State.OPEN, PullRequest.State.APPROVED):
        return GateItem(
            "pull_request",
            label,
            False,
            "Your pull request waits for staff to review and merge it.",
            url,
            ItemState.IN_REVIEW,
        )
    if state == PullRequest.State.CHANGES_REQUESTED:
        return GateItem(
            "pull_request",
            label,
            False,
            "Staff asked for changes on the pull request: push the fixes, then update its "
            "description here.",
            url,
            ItemState.CHANGES_REQUESTED,
        )
    return GateItem(
        "pull_request",
        label,
        False,
        "Record your pull request; staff review and merge it, and it ships on the next "
        "Wednesday release train.",
        url,
    )


def deploy_day_label(day: date) -> str:
    return f"{day:%A} {day.isoformat()}"


def _gate_build(i: Integration) -> list[GateItem]:
    ok = i.fact_metadata_approved
    metadata_state = ItemState.PASSED if ok else _review_state(i.fact_metadata_status)
    metadata_detail = {
        ItemState.PASSED: "The catalog shows an approved metadata revision whose files pass "
        "validation.",
        ItemState.IN_REVIEW: f"Revision {i.fact_metadata_number} waits for staff review.",
        ItemState.CHANGES_REQUESTED: f"Staff asked for changes to revision "
        f"{i.fact_metadata_number}: fix what the comments say and submit again.",
        ItemState.MISSING: "Fill in the catalog metadata (name, description, logo, mark…) and "
        "submit it for review; staff approve it.",
    }[metadata_state]
    return [
        _pull_request_item(i),
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
            ok,
            metadata_detail,
            _url("partner_metadata", i.pk),
            metadata_state,
        ),
    ]


def _gate_private_beta(i: Integration) -> list[GateItem]:
    if i.fact_verified:
        detail, state = "A customer confirmed it works in their workspace.", ItemState.PASSED
    elif i.fact_invited_at:
        detail = (
            "Customers are invited; the first one to confirm through their beta link passes it."
        )
        state = ItemState.WITH_CUSTOMERS
    else:
        detail = "Invite a beta customer; they confirm through their beta link."
        state = ItemState.MISSING
    return [
        GateItem(
            "verification",
            "At least one customer verified it works",
            i.fact_verified,
            detail,
            _url("partner_beta", i.pk),
            state,
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
