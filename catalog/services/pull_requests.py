"""Pull requests: the partner records the code and docs pull requests; staff set their state.

The expected deploy date comes from the release train (catalog/release_train.py) with the
platform's time zone and the freeze dates staff keep in the admin.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from catalog import release_train
from catalog.audit import Action
from catalog.errors import BadRequest, Conflict, Invalid, NotFound
from catalog.models import (
    ChangeRequest,
    Integration,
    MetadataRevision,
    PullRequest,
    Stage,
    User,
)
from catalog.notifications import Kind, notify, partner_recipients, staff_recipients
from catalog.selectors import spec as spec_selectors
from catalog.services.audit import audit_record
from catalog.services.spec import check_partner, check_reviewer, lock_integration
from catalog.validation.characters import hidden_text_problem
from catalog.validation.urls import parse_pull_request_url

MAX_DESCRIPTION = 5000
EARLIEST_MERGE = datetime(2015, 1, 1, tzinfo=timezone.get_fixed_timezone(0))


def repository_for(kind: str) -> str:
    return (
        settings.DOCS_REPOSITORY
        if kind == PullRequest.Kind.DOCS
        else settings.DESTINATIONS_REPOSITORY
    )


def canonical_url(url, kind: str = PullRequest.Kind.CODE, *, field: str = "url") -> str:
    """The canonical link, or a 422 naming what is wrong with it."""
    parsed = parse_pull_request_url(url, repository_for(kind))
    if not parsed.ok:
        raise Invalid(parsed.error.message, field=field)
    return parsed.url


ANOTHER_INTEGRATION = "another integration"


def pull_request_used_by(
    url: str, *, exclude_integration_id: int | None, partner_id: int | None = None
) -> list[str]:
    """Who else (other than the integration given) recorded this code pull request, as words for
    a message: “Name” for the same partner's integrations, and ``ANOTHER_INTEGRATION`` once for
    any other partner's, whose names (unlaunched products) are never shown."""
    variants = Q()
    for form in (url, url + "/"):
        variants |= Q(url__iexact=form)
    ids = set(
        PullRequest.objects.filter(variants, kind=PullRequest.Kind.CODE).values_list(
            "integration_id", flat=True
        )
    )
    ids |= set(
        ChangeRequest.objects.filter(
            Q(pr_url__iexact=url) | Q(pr_url__iexact=url + "/")
        ).values_list("integration_id", flat=True)
    )
    ids |= set(
        MetadataRevision.objects.filter(
            Q(pr_url__iexact=url) | Q(pr_url__iexact=url + "/")
        ).values_list("integration_id", flat=True)
    )
    ids.discard(exclude_integration_id)
    rows = Integration.objects.filter(pk__in=ids).order_by("name").values_list("name", "partner_id")
    own = [f"“{name}”" for name, owner in rows if partner_id is not None and owner == partner_id]
    if len(own) < len(rows):
        own.append(ANOTHER_INTEGRATION)
    return own


def deploy_date_for(ready_at: datetime) -> date:
    return release_train.deploy_date(
        ready_at,
        time_zone=settings.PLATFORM_TIME_ZONE,
        freeze_dates=spec_selectors.freeze_dates(from_day=ready_at.date()),
    )


# --- Partner actions ---------------------------------------------------------------------------


def _check_stage(integration: Integration, kind: str) -> None:
    if kind == PullRequest.Kind.CODE:
        if integration.is_live:
            raise Conflict(
                f"{integration.name} is live: a new pull request goes with a change request, so "
                "the rules for live integrations are checked.",
            )
        if integration.stage != Stage.BUILD:
            raise Conflict(
                f"{integration.name} is in {integration.get_stage_display()}: record the pull "
                "request once the spec is approved and the integration is in Build.",
            )
    elif integration.stage not in (Stage.BUILD, Stage.PRIVATE_BETA, Stage.PUBLIC):
        raise Conflict(
            f"{integration.name} is in {integration.get_stage_display()}: the documentation "
            "pull request is recorded from the Build stage on.",
        )


def _check_details(kind: str, description: str, unit_tests_added: bool, tested_end_to_end: bool):
    problem = hidden_text_problem(description, "The description", lookalikes=False, lines=True)
    if problem:
        raise Invalid(problem, field="description")
    if len(description) > MAX_DESCRIPTION:
        raise Invalid(
            f"The description can be at most {MAX_DESCRIPTION} characters.",
            field="description",
        )
    if kind != PullRequest.Kind.CODE:
        return
    if not description:
        raise Invalid(
            "Describe the changes and why you made them; it helps the code review.",
            field="description",
        )
    if not unit_tests_added:
        raise Invalid(
            "Add unit tests for the new functionality, then tick this box.",
            field="unit_tests_added",
        )
    if not tested_end_to_end:
        raise Invalid(
            "Test end-to-end with the local server (the action tester), then tick this box.",
            field="tested_end_to_end",
        )


@transaction.atomic
def pull_request_record(
    *,
    actor: User,
    integration_id: int,
    url: str,
    kind: str = PullRequest.Kind.CODE,
    description: str = "",
    unit_tests_added: bool = False,
    tested_end_to_end: bool = False,
) -> PullRequest:
    if kind not in PullRequest.Kind.values:
        raise BadRequest("Unknown kind of pull request.")
    integration = lock_integration(integration_id)
    check_partner(actor, integration)
    _check_stage(integration, kind)
    url = canonical_url(url, kind)
    description = (description or "").strip()
    _check_details(kind, description, bool(unit_tests_added), bool(tested_end_to_end))
    if integration.pull_requests.filter(Q(url__iexact=url) | Q(url__iexact=url + "/")).exists():
        raise Conflict("This pull request is already recorded for this integration.", field="url")
    if kind == PullRequest.Kind.CODE:
        others = pull_request_used_by(
            url, exclude_integration_id=integration.pk, partner_id=integration.partner_id
        )
        if others:
            raise Conflict(
                "One integration per pull request: this pull request is already used by "
                + " and ".join(others[:3])
                + ". Open a separate pull request for each integration.",
                field="url",
            )
    pull_request = PullRequest.objects.create(
        integration=integration,
        kind=kind,
        url=url,
        description=description,
        unit_tests_added=bool(unit_tests_added),
        tested_end_to_end=bool(tested_end_to_end),
        created_by=actor,
    )
    audit_record(
        action=Action.PULL_REQUEST_RECORDED,
        actor=actor,
        integration=integration,
        target=pull_request,
        new_value={
            "kind": kind,
            "url": url,
            "unit_tests_added": pull_request.unit_tests_added,
            "tested_end_to_end": pull_request.tested_end_to_end,
        },
    )
    notify(
        event=str(Action.PULL_REQUEST_RECORDED),
        kind=Kind.REVIEW_QUEUE,
        recipients=staff_recipients(),
        template="pull_request_recorded",
        context={"pull_request": pull_request, "actor": actor},
        integration=integration,
    )
    return pull_request


def _lock_pull_request(pull_request_id: int) -> tuple[Integration, PullRequest]:
    try:
        integration_id = PullRequest.objects.values_list("integration_id", flat=True).get(
            pk=pull_request_id
        )
    except (PullRequest.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such pull request.") from None
    integration = lock_integration(integration_id)
    return integration, PullRequest.objects.select_for_update().get(pk=pull_request_id)


@transaction.atomic
def pull_request_update(
    *,
    actor: User,
    pull_request_id: int,
    description: str,
    unit_tests_added: bool,
    tested_end_to_end: bool,
) -> PullRequest:
    """The partner edits the description and the testing checklist until it is merged."""
    integration, pull_request = _lock_pull_request(pull_request_id)
    check_partner(actor, integration)
    if pull_request.state == PullRequest.State.MERGED:
        raise Conflict("This pull request is merged; it can't be edited.")
    description = (description or "").strip()
    _check_details(pull_request.kind, description, bool(unit_tests_added), bool(tested_end_to_end))
    old = {
        "description": pull_request.description,
        "unit_tests_added": pull_request.unit_tests_added,
        "tested_end_to_end": pull_request.tested_end_to_end,
    }
    new = {
        "description": description,
        "unit_tests_added": bool(unit_tests_added),
        "tested_end_to_end": bool(tested_end_to_end),
    }
    # Saving a pull request that staff sent back hands it to staff again.
    reopened = pull_request.state == PullRequest.State.CHANGES_REQUESTED
    if old == new and not reopened:
        return pull_request
    fields = [*new, "updated_at"]
    if reopened:
        old["state"], new["state"] = pull_request.state, PullRequest.State.OPEN
        pull_request.state_changed_at = timezone.now()
        fields += ["state", "state_changed_at"]
    for attr, value in new.items():
        setattr(pull_request, attr, value)
    pull_request.save(update_fields=fields)
    audit_record(
        action=Action.PULL_REQUEST_UPDATED,
        actor=actor,
        integration=integration,
        target=pull_request,
        old_value=old,
        new_value=new,
    )
    return pull_request


# --- Staff -------------------------------------------------------------------------------------


@transaction.atomic
def pull_request_set_state(
    *,
    actor: User,
    pull_request_id: int,
    state: str,
    merged_at: datetime | None = None,
    note: str = "",
) -> PullRequest:
    """Staff record the review state; a merge needs its time (the release train reads it)."""
    check_reviewer(actor)
    if state not in PullRequest.State.values:
        raise Invalid("Choose open, changes requested, approved or merged.", field="state")
    integration, pull_request = _lock_pull_request(pull_request_id)
    now = timezone.now()
    if pull_request.deployed_at is not None:
        raise Conflict(
            f"This pull request was deployed on {pull_request.deployed_at:%Y-%m-%d}; its state "
            "and merge time can no longer change.",
        )
    merged_at = _merge_time(pull_request, state=state, merged_at=merged_at, now=now)
    if state == pull_request.state and merged_at == pull_request.merged_at:
        raise Conflict(
            f"The pull request is already {pull_request.get_state_display().lower()}; nothing "
            "was changed.",
        )
    old = {
        "state": pull_request.state,
        "merged_at": pull_request.merged_at.isoformat() if pull_request.merged_at else None,
    }
    _apply_state(pull_request, state=state, merged_at=merged_at, now=now)
    forecast = spec_selectors.forecast_for(pull_request=pull_request, now=now)
    _update_change_request_dates(pull_request, now=now)
    audit_record(
        action=Action.PULL_REQUEST_STATE_CHANGED,
        actor=actor,
        integration=integration,
        target=pull_request,
        old_value=old,
        new_value={
            "state": state,
            "merged_at": merged_at.isoformat() if merged_at else None,
            "deploy_date": forecast.deploy_date.isoformat() if merged_at else None,
        },
        note=(note or "").strip()[:2000],
    )
    notify(
        event=str(Action.PULL_REQUEST_STATE_CHANGED),
        kind=Kind.REVIEW_RESULTS,
        recipients=partner_recipients(integration),
        template="pull_request_state_changed",
        context={"pull_request": pull_request, "forecast": forecast, "note": (note or "").strip()},
        integration=integration,
    )
    return pull_request


def _merge_time(pull_request: PullRequest, *, state: str, merged_at, now) -> datetime | None:
    """The merge time to record: none unless merged; an empty one keeps the recorded merge
    (saving another field never moves it), else now; never naive, future or absurdly old."""
    if state != PullRequest.State.MERGED:
        return None
    if merged_at is None and pull_request.state == PullRequest.State.MERGED:
        merged_at = pull_request.merged_at
    merged_at = merged_at or now
    if timezone.is_naive(merged_at):
        raise Invalid("The merge time needs a time zone.", field="merged_at")
    if merged_at > now + timedelta(minutes=1):
        raise Invalid(
            "The merge time is in the future. Enter when it was merged.", field="merged_at"
        )
    if merged_at < EARLIEST_MERGE:
        raise Invalid("The merge time is too far in the past.", field="merged_at")
    return merged_at


def _apply_state(pull_request: PullRequest, *, state: str, merged_at, now) -> None:
    """Save the new state with its times and the release-train deploy date it implies."""
    if state != pull_request.state:
        pull_request.state_changed_at = now
    pull_request.state = state
    pull_request.merged_at = merged_at
    if state == PullRequest.State.APPROVED:
        pull_request.approved_at = pull_request.approved_at or now
    elif state == PullRequest.State.MERGED:
        pull_request.approved_at = pull_request.approved_at or merged_at
    else:
        pull_request.approved_at = None
    pull_request.deploy_date = (
        deploy_date_for(release_train.ready_at(merged_at, pull_request.approved_at))
        if merged_at and pull_request.kind == PullRequest.Kind.CODE
        else None
    )
    pull_request.save(
        update_fields=[
            "state",
            "merged_at",
            "approved_at",
            "state_changed_at",
            "deploy_date",
            "updated_at",
        ]
    )


def _update_change_request_dates(pull_request: PullRequest, *, now: datetime) -> None:
    """An approved change ships with its pull request: re-read the train when the merge moves."""
    for change in ChangeRequest.objects.select_for_update().filter(
        pull_request=pull_request, status=ChangeRequest.Status.APPROVED
    ):
        ready = release_train.ready_at(change.reviewed_at, pull_request.merged_at) or now
        day = deploy_date_for(ready)
        if day != change.deploy_date:
            change.deploy_date = day
            change.save(update_fields=["deploy_date"])
