"""Who has the ball: which side an integration waits on, since when, until when, and what next.

``who_has_the_ball(facts, rules)`` is a pure function of an integration's facts (read once for a
whole list by ``catalog.selectors.ball``) and the rules in force (the moment, the business
calendar, the review target, the deploy time). The rules, in order:

1. **staff** when something waits for a staff decision: the latest spec or metadata revision is
   in review, the code pull request is open or approved (staff review and merge it), a change
   request is filed, or every gate item of the next step holds (a promotion). Since: when the
   oldest of those reached staff. Due: that moment plus the review target in business days.
2. **partner** when a gate item is missing or sent back. Since: the latest moment the ball came
   back from another side (stage move, a review decision, the deploy).
3. **release_train** when the code pull request is merged and waits for its Wednesday. Since: the
   merge; due: the deploy time on that Wednesday.
4. **customer** in private beta with invites out and no verification yet. Since: the first
   invitation; no due date (customers owe nothing). Every link expired or revoked: partner.

A public integration has no ball (``waiting_on`` is empty) but may still hold staff items (change
requests): the inbox lists them.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.urls import reverse

from catalog.business_days import BusinessCalendar
from catalog.models import PullRequest, ReviewStatus, Stage
from catalog.release_train import deploy_moment
from catalog.stages import GateItem, ItemState, deploy_day_label


class WaitingOn:
    STAFF = "staff"
    PARTNER = "partner"
    RELEASE_TRAIN = "release_train"
    CUSTOMER = "customer"

    LABELS = {
        STAFF: "Staff",
        PARTNER: "Partner",
        RELEASE_TRAIN: "Release train",
        CUSTOMER: "Customer",
    }
    VALUES = (STAFF, PARTNER, RELEASE_TRAIN, CUSTOMER)


@dataclass(frozen=True)
class Facts:
    """What the ball depends on, for one integration (``facts_of`` reads an annotated row)."""

    integration_id: int
    name: str
    stage: str
    stage_changed_at: datetime
    checklist: tuple[GateItem, ...] = ()
    spec_number: int | None = None
    spec_status: str | None = None
    spec_submitted_at: datetime | None = None
    spec_reviewed_at: datetime | None = None
    metadata_number: int | None = None
    metadata_status: str | None = None
    metadata_submitted_at: datetime | None = None
    metadata_reviewed_at: datetime | None = None
    pr_id: int | None = None
    pr_state: str | None = None
    pr_state_changed_at: datetime | None = None
    pr_merged_at: datetime | None = None
    pr_deploy_date: date | None = None
    pr_deployed_at: datetime | None = None
    change_id: int | None = None
    change_submitted_at: datetime | None = None
    docs_pr_at: datetime | None = None
    invited_at: datetime | None = None
    link_open_until: datetime | None = None
    verified_at: datetime | None = None


@dataclass(frozen=True)
class Rules:
    now: datetime
    calendar: BusinessCalendar
    review_days: int = 2
    deploy_time: time = time(10, 0)


@dataclass(frozen=True)
class StaffItem:
    """One thing waiting for a staff decision (an inbox row)."""

    kind: str  # spec, metadata, pull_request, change_request, promotion
    label: str
    since: datetime
    due: datetime
    overdue: bool
    url: str


@dataclass(frozen=True)
class Ball:
    waiting_on: str  # one of WaitingOn.VALUES, or "" for a public integration
    since: datetime | None
    due: datetime | None
    next_step: str
    overdue: bool = False
    staff_items: tuple[StaffItem, ...] = field(default=())

    @property
    def label(self) -> str:
        return WaitingOn.LABELS.get(self.waiting_on, "Nobody")


def _url(name: str, *args) -> str:
    return reverse(name, args=args)


def staff_items(facts: Facts, rules: Rules) -> list[StaffItem]:
    """Every item of this integration waiting on staff, oldest first."""
    found: list[tuple[str, str, datetime | None, str]] = []
    pk = facts.integration_id
    if facts.spec_status == ReviewStatus.SUBMITTED:
        found.append(
            (
                "spec",
                f"Review spec revision {facts.spec_number}",
                facts.spec_submitted_at,
                _url("staff_spec_review", pk, facts.spec_number),
            )
        )
    if facts.metadata_status == ReviewStatus.SUBMITTED:
        found.append(
            (
                "metadata",
                f"Review catalog metadata revision {facts.metadata_number}",
                facts.metadata_submitted_at,
                _url("staff_metadata_review", pk, facts.metadata_number),
            )
        )
    if facts.stage == Stage.BUILD and facts.pr_state in (
        PullRequest.State.OPEN,
        PullRequest.State.APPROVED,
    ):
        verb = "Merge" if facts.pr_state == PullRequest.State.APPROVED else "Review"
        found.append(
            (
                "pull_request",
                f"{verb} the pull request",
                facts.pr_state_changed_at,
                _url("staff_pull_requests", pk),
            )
        )
    if facts.change_id is not None:
        found.append(
            (
                "change_request",
                "Review the change request",
                facts.change_submitted_at,
                _url("staff_change_request", facts.change_id),
            )
        )
    if facts.checklist and all(item.passed for item in facts.checklist):
        found.append(
            (
                "promotion",
                "Promote: every gate item holds",
                _promotion_since(facts),
                _url("staff_integration", pk),
            )
        )
    items = []
    for kind, label, since, url in found:
        since = since or facts.stage_changed_at
        due = rules.calendar.add(since, rules.review_days)
        items.append(StaffItem(kind, label, since, due, due <= rules.now, url))
    return sorted(items, key=lambda item: item.since)


def _latest(*moments: datetime | None) -> datetime | None:
    known = [m for m in moments if m is not None]
    return max(known) if known else None


def _promotion_since(facts: Facts) -> datetime:
    """When the last gate fact came true (the ball crossed to staff then)."""
    return _latest(
        facts.stage_changed_at,
        facts.spec_reviewed_at if facts.stage == Stage.SPEC else None,
        facts.metadata_reviewed_at if facts.stage == Stage.BUILD else None,
        facts.pr_deployed_at if facts.stage == Stage.BUILD else None,
        facts.docs_pr_at if facts.stage == Stage.BUILD else None,
        facts.verified_at if facts.stage == Stage.PRIVATE_BETA else None,
    )


def _back_with_partner_since(facts: Facts) -> datetime:
    """The latest moment another side handed the ball back to the partner."""
    return _latest(
        facts.stage_changed_at,
        facts.spec_reviewed_at,
        facts.metadata_reviewed_at,
        facts.pr_state_changed_at
        if facts.pr_state == PullRequest.State.CHANGES_REQUESTED
        else None,
        facts.pr_deployed_at,
    )


def who_has_the_ball(facts: Facts, rules: Rules) -> Ball:
    items = staff_items(facts, rules)
    if facts.stage == Stage.PUBLIC:
        return Ball("", None, None, "Live in the catalog.", staff_items=tuple(items))
    if items:
        oldest = items[0]
        due = min(item.due for item in items)
        return Ball(
            WaitingOn.STAFF,
            oldest.since,
            due,
            oldest.label + ".",
            overdue=due <= rules.now,
            staff_items=tuple(items),
        )
    partner_items = [item for item in facts.checklist if item.partner_to_act]
    customers = [item for item in facts.checklist if item.state == ItemState.WITH_CUSTOMERS]
    if customers and facts.link_open_until and facts.link_open_until <= rules.now:
        since = min(facts.link_open_until, rules.now)
        return Ball(
            WaitingOn.PARTNER,
            since,
            None,
            "Every beta link has expired: invite beta customers again.",
        )
    if partner_items:
        return Ball(
            WaitingOn.PARTNER,
            min(_back_with_partner_since(facts), rules.now),
            None,
            partner_items[0].detail,
        )
    if any(item.state == ItemState.DEPLOYING for item in facts.checklist):
        day = facts.pr_deploy_date
        due = (
            deploy_moment(day, time_zone=rules.calendar.time_zone, at=rules.deploy_time)
            if day
            else None
        )
        when = f"Ships {deploy_day_label(day)}" if day else "Ships on the next release train"
        return Ball(
            WaitingOn.RELEASE_TRAIN,
            facts.pr_merged_at or facts.stage_changed_at,
            due,
            f"{when}; then the partner invites beta customers.",
        )
    if customers:
        return Ball(
            WaitingOn.CUSTOMER,
            facts.invited_at,
            None,
            "A beta customer confirms it works through their beta link.",
        )
    # Nothing recorded yet in a stage without a checklist item to name (should not happen).
    return Ball(WaitingOn.PARTNER, facts.stage_changed_at, None, "Complete the next step.")
