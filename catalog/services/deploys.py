"""Deploys: a merged code pull request ships on its release-train Wednesday.

``pull_requests_deploy_due`` (run by beat) marks every merged pull request whose train has left
as deployed *at the train's time*, so a late run records the real deploy moment, and a second run
finds nothing left to do. The deploy date is read again from the freeze dates in force, so a
freeze added after the merge moves it. Staff may record an emergency deploy with a reason.
Either way the partner is told, with the next step (invite beta customers).
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog import permissions, release_train
from catalog.audit import Action
from catalog.errors import Conflict, Forbidden, Invalid
from catalog.models import PullRequest, User
from catalog.notifications import Kind, notify, partner_recipients
from catalog.selectors import ball as ball_reads
from catalog.services.access import lock_integration
from catalog.services.audit import audit_record
from catalog.services.pull_requests import _lock_pull_request, deploy_date_for
from catalog.validation.characters import hidden_text_problem

MAX_REASON = 2000


@dataclass(frozen=True)
class DeployRun:
    deployed: list[int]
    rescheduled: list[int]


def _to_deploy():
    return PullRequest.objects.filter(
        kind=PullRequest.Kind.CODE, state=PullRequest.State.MERGED, deployed_at__isnull=True
    )


def pull_requests_deploy_due(*, now: datetime | None = None) -> DeployRun:
    """Mark deployed every merged pull request whose train has left; keep deploy dates current."""
    now = now or timezone.now()
    deploy_time = ball_reads.rules(now=now).deploy_time
    deployed, rescheduled = [], []
    for pk in list(_to_deploy().values_list("pk", flat=True)):
        with transaction.atomic():
            integration_id = PullRequest.objects.values_list("integration_id", flat=True).get(pk=pk)
            integration = lock_integration(integration_id)
            pull_request = _to_deploy().select_for_update().filter(pk=pk).first()
            if pull_request is None:  # another run got there first
                continue
            ready = release_train.ready_at(pull_request.merged_at, pull_request.approved_at)
            day = deploy_date_for(ready or now)
            if day != pull_request.deploy_date:
                pull_request.deploy_date = day
                pull_request.save(update_fields=["deploy_date", "updated_at"])
                rescheduled.append(pk)
            moment = release_train.deploy_moment(
                day, time_zone=settings.PLATFORM_TIME_ZONE, at=deploy_time
            )
            if moment > now:
                continue
            _mark_deployed(pull_request, integration, at=moment, actor=None, reason="")
            deployed.append(pk)
    return DeployRun(deployed, rescheduled)


@transaction.atomic
def pull_request_emergency_deploy(*, actor: User, pull_request_id: int, reason: str) -> PullRequest:
    """Staff record that a merged pull request was deployed outside the train, and why."""
    if not permissions.staff_has(actor, permissions.RECORD_EMERGENCY_DEPLOY):
        raise Forbidden("Only staff with the emergency-deploy permission can record a deploy.")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("Say why this pull request was deployed outside the train.", field="reason")
    if len(reason) > MAX_REASON:
        raise Invalid(f"Keep the reason under {MAX_REASON} characters.", field="reason")
    problem = hidden_text_problem(reason, "The reason", lookalikes=False, lines=True)
    if problem:
        raise Invalid(problem, field="reason")
    integration, pull_request = _lock_pull_request(pull_request_id)
    if pull_request.kind != PullRequest.Kind.CODE or pull_request.state != PullRequest.State.MERGED:
        raise Conflict("Only a merged code pull request can be deployed; mark it merged first.")
    if pull_request.deployed_at is not None:
        raise Conflict(
            f"This pull request was already deployed on {pull_request.deployed_at:%Y-%m-%d}; "
            "nothing was changed."
        )
    _mark_deployed(pull_request, integration, at=timezone.now(), actor=actor, reason=reason)
    return pull_request


def _mark_deployed(pull_request, integration, *, at: datetime, actor, reason: str) -> None:
    pull_request.deployed_at = at
    pull_request.deployed_by = actor
    pull_request.emergency_deploy_reason = reason
    pull_request.save(
        update_fields=["deployed_at", "deployed_by", "emergency_deploy_reason", "updated_at"]
    )
    action = Action.PULL_REQUEST_EMERGENCY_DEPLOYED if reason else Action.PULL_REQUEST_DEPLOYED
    audit_record(
        action=action,
        actor=actor,
        integration=integration,
        target=pull_request,
        new_value={
            "deployed_at": at.isoformat(),
            "deploy_date": pull_request.deploy_date.isoformat()
            if pull_request.deploy_date
            else None,
        },
        note=reason,
    )
    notify(
        event=str(action),
        kind=Kind.STAGE_CHANGES,
        recipients=partner_recipients(integration),
        template="pull_request_deployed",
        context={"pull_request": pull_request, "emergency": bool(reason)},
        integration=integration,
    )
