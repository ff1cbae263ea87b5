"""Change requests for live integrations: a new spec revision and its pull request, checked
against the live spec by the rules in catalog/governance.py; staff approve or refuse.

A request that breaks a rule is refused when it is submitted (nothing is saved), and the rules
are checked again when staff approve, since the live spec or other integrations' pull requests
may have changed in between.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from catalog import governance, release_train
from catalog.audit import Action
from catalog.errors import Conflict, Invalid, NotFound
from catalog.models import ChangeRequest, Integration, PullRequest, ReviewStatus, SpecRevision, User
from catalog.notifications import Kind, notify, partner_recipients, staff_recipients
from catalog.selectors import spec as spec_selectors
from catalog.services.audit import audit_record
from catalog.services.pull_requests import canonical_url, deploy_date_for, pull_request_used_by
from catalog.services.review import record_decision, review_transition
from catalog.services.spec import (
    SpecInvalid,
    check_partner,
    check_reviewer,
    comment_paths,
    lock_integration,
    next_number,
)
from catalog.validation.spec import validate_definition
from catalog.validation.urls import check_video_url

MAX_SUMMARY = 5000


class RulesBroken(Invalid):
    """``items`` are the refused ``governance.RuleResult``s."""

    def __init__(self, refused: list[governance.RuleResult], *, prefix: str = ""):
        count = sum(len(r.problems) for r in refused)
        rules = ", ".join(f"“{r.title}”" for r in refused)
        super().__init__(
            f"{prefix}The change breaks the rules for live integrations ({rules}): "
            f"{count} problem{'s' if count != 1 else ''} to fix. Nothing was saved.",
            items=refused,
        )


class RulesNowBroken(RulesBroken, Conflict):
    """At approval: the rules held at submission, and the live spec or another integration
    changed since."""

    status = Conflict.status


@dataclass(frozen=True)
class Check:
    diff: dict
    results: list[governance.RuleResult]

    @property
    def refused(self) -> list[governance.RuleResult]:
        return governance.refusals(self.results)


def _baseline(integration: Integration) -> dict:
    live = spec_selectors.live_definition(integration=integration)
    if live is None:
        raise Conflict(
            f"{integration.name} has no approved spec on record to compare a change with. "
            "Email partner-support@segment.com.",
        )
    return live


def check_change(
    *, integration: Integration, live: dict, proposed: dict, pr_url: str, video_url: str
) -> Check:
    proposal = governance.Proposal(
        live=live,
        proposed=proposed,
        integration_name=integration.name,
        integration_slug=integration.slug,
        pr_url=pr_url,
        pr_used_by=tuple(
            pull_request_used_by(
                pr_url, exclude_integration_id=integration.pk, partner_id=integration.partner_id
            )
        ),
        video_url=video_url,
    )
    return Check(diff=governance.diff(live, proposed), results=governance.evaluate(proposal))


def _check_can_file(integration: Integration) -> None:
    if not integration.is_live:
        raise Conflict(
            f"{integration.name} isn't live yet ({integration.get_stage_display()}): change its "
            "spec directly on the spec page.",
        )
    pending = spec_selectors.pending_change_request(integration=integration)
    if pending is not None:
        raise Conflict(
            f"A change request from {pending.created_at:%Y-%m-%d} is already in review. Wait "
            "for its review before filing another.",
        )


def _clean_proposal(integration: Integration, definition, *, video_url: str, summary: str):
    """The proposed spec (a spec without a name or slug keeps the integration's; a different
    one is a rename), the video link and the summary, each checked."""
    if isinstance(definition, dict):
        definition = {
            **definition,
            "name": definition.get("name") or integration.name,
            "slug": definition.get("slug") or integration.slug,
        }
    proposed, errors = validate_definition(definition, for_submit=True)
    fields: dict[str, list[str]] = {}
    video_url = (video_url or "").strip()
    if video_url:
        problem = check_video_url(video_url)
        if problem:
            fields["video_url"] = [problem.message]
    summary = (summary or "").strip()
    if len(summary) > MAX_SUMMARY:
        fields["summary"] = [f"The summary can be at most {MAX_SUMMARY} characters."]
    return proposed, errors, video_url, summary, fields


def _refuse_all(spec_errors: list, fields: dict[str, list[str]]) -> None:
    """Every problem of the proposal at once: the spec's and the links' (nothing when none)."""
    if spec_errors:
        raise SpecInvalid(spec_errors, fields=fields)
    if len(fields) == 1:
        [(field, messages)] = fields.items()
        raise Invalid(messages[0], field=field)
    if fields:
        raise Invalid(f"{len(fields)} problems to fix; nothing was filed.", errors=fields)


def _code_pull_request(
    integration: Integration, *, url: str, summary: str, actor: User, now
) -> PullRequest:
    """The integration's code pull request with this link, recorded now if it is new."""
    pull_request = integration.pull_requests.filter(
        url__iexact=url, kind=PullRequest.Kind.CODE
    ).first()
    if pull_request is not None:
        return pull_request
    pull_request = PullRequest.objects.create(
        integration=integration,
        kind=PullRequest.Kind.CODE,
        url=url,
        description=summary,
        created_by=actor,
        created_at=now,
    )
    audit_record(
        action=Action.PULL_REQUEST_RECORDED,
        actor=actor,
        integration=integration,
        target=pull_request,
        new_value={"kind": PullRequest.Kind.CODE, "url": url, "change_request": True},
    )
    return pull_request


@transaction.atomic
def change_request_submit(
    *,
    actor: User,
    integration_id: int,
    definition,
    pr_url: str,
    video_url: str = "",
    summary: str = "",
) -> ChangeRequest:
    integration = lock_integration(integration_id)
    check_partner(actor, integration)
    _check_can_file(integration)
    proposed, spec_errors, video_url, summary, fields = _clean_proposal(
        integration, definition, video_url=video_url, summary=summary
    )
    try:
        pr_url = canonical_url(pr_url, PullRequest.Kind.CODE, field="pr_url")
    except Invalid as error:
        fields = {"pr_url": error.errors["pr_url"], **fields}
    _refuse_all(spec_errors, fields)
    check = check_change(
        integration=integration,
        live=_baseline(integration),
        proposed=proposed,
        pr_url=pr_url,
        video_url=video_url,
    )
    if check.refused:
        raise RulesBroken(check.refused)
    now = timezone.now()
    revision = SpecRevision.objects.create(
        integration=integration,
        number=next_number(integration),
        status=ReviewStatus.SUBMITTED,
        definition=proposed,
        created_by=actor,
        created_at=now,
        submitted_at=now,
    )
    change = ChangeRequest.objects.create(
        integration=integration,
        spec_revision=revision,
        pull_request=_code_pull_request(
            integration, url=pr_url, summary=summary, actor=actor, now=now
        ),
        pr_url=pr_url,
        video_url=video_url,
        summary=summary,
        rule_results=[r.as_dict() for r in check.results],
        diff=check.diff,
        created_by=actor,
        created_at=now,
        submitted_at=now,
    )
    audit_record(
        action=Action.CHANGE_REQUEST_SUBMITTED,
        actor=actor,
        integration=integration,
        target=change,
        new_value={"revision": revision.number, "pr_url": pr_url, "video_url": video_url},
        note=summary[:500],
    )
    notify(
        event=str(Action.CHANGE_REQUEST_SUBMITTED),
        kind=Kind.REVIEW_QUEUE,
        recipients=staff_recipients(),
        template="change_request_submitted",
        context={"change": change, "revision": revision, "actor": actor},
        integration=integration,
    )
    return change


def _approval_checks(integration: Integration, change: ChangeRequest, *, now) -> None:
    """At approval: the rules again (things may have changed since submission), then the date
    the change ships."""
    check = check_change(
        integration=integration,
        live=_baseline(integration),
        proposed=change.spec_revision.definition,
        pr_url=change.pr_url,
        video_url=change.video_url,
    )
    if check.refused:
        raise RulesNowBroken(
            check.refused,
            prefix="Since it was submitted, the live spec or another integration changed. ",
        )
    change.rule_results = [r.as_dict() for r in check.results]
    change.diff = check.diff
    merged = change.pull_request
    merged_at = merged.merged_at if merged and merged.state == PullRequest.State.MERGED else None
    change.deploy_date = deploy_date_for(release_train.ready_at(now, merged_at))


def _lock_change(change_request_id: int) -> tuple[Integration, ChangeRequest]:
    try:
        integration_id = ChangeRequest.objects.values_list("integration_id", flat=True).get(
            pk=change_request_id
        )
    except (ChangeRequest.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such change request.") from None
    integration = lock_integration(integration_id)
    change = (
        ChangeRequest.objects.select_for_update(of=("self",))
        .select_related("spec_revision", "pull_request")
        .get(pk=change_request_id)
    )
    return integration, change


@transaction.atomic
def change_request_review(
    *,
    actor: User,
    change_request_id: int,
    approve: bool,
    comment: str = "",
    field_comments: dict | None = None,
) -> ChangeRequest:
    """Approve a change (the rules are checked again; it gets a deploy date) or refuse it with a
    comment, on the whole or on fields of the proposed spec. Its spec revision follows."""
    check_reviewer(actor)
    integration, change = _lock_change(change_request_id)
    revision = change.spec_revision

    def on_approval(decision) -> list[str]:
        if not decision.approve:
            return []
        _approval_checks(integration, change, now=decision.at)
        return ["rule_results", "diff", "deploy_date"]

    decision = review_transition(
        change,
        actor=actor,
        approve=approve,
        comment=comment,
        field_comments=field_comments,
        fields=dict(comment_paths(revision.definition)),
        missing_message="Say why the change is refused; the partner reads it.",
        locked=True,
        on_decision=on_approval,
    )
    comment = decision.comment
    # The revision is locked with the integration row (revisions change under it only).
    revision.save(update_fields=record_decision(revision, decision, actor=actor))
    if approve:
        integration.live_spec = revision
        integration.save(update_fields=["live_spec", "updated_at"])
    audit_record(
        action=Action.CHANGE_REQUEST_APPROVED if approve else Action.CHANGE_REQUEST_REFUSED,
        actor=actor,
        integration=integration,
        target=change,
        old_value={"status": ChangeRequest.Status.SUBMITTED},
        new_value={
            "status": change.status,
            "revision": revision.number,
            "deploy_date": change.deploy_date.isoformat() if change.deploy_date else None,
        },
        note=comment,
    )
    notify(
        event=str(Action.CHANGE_REQUEST_APPROVED if approve else Action.CHANGE_REQUEST_REFUSED),
        kind=Kind.REVIEW_RESULTS,
        recipients=partner_recipients(integration),
        template="change_request_reviewed",
        context={"change": change, "approved": approve, "comment": comment},
        integration=integration,
    )
    return change
