"""Spec revisions: partners save and submit, staff approve or request changes.

Every save is a new revision (numbered per integration, under a lock on the integration row).
A live integration's spec changes only through a change request (services/change_requests.py).
"""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from catalog.audit import Action
from catalog.errors import Conflict, Invalid, NotFound
from catalog.models import Integration, ReviewStatus, SpecRevision, User
from catalog.notifications import Kind, notify, partner_recipients, staff_recipients
from catalog.services.access import (
    lock_integration,
    require_partner_user,
    require_reviewer,
)
from catalog.services.audit import audit_record
from catalog.services.review import review_transition
from catalog.spec_comments import comment_paths, comment_rows
from catalog.validation.spec import SpecError, validate_definition


class SpecInvalid(Invalid):
    """The definition breaks the schema or a sense rule; ``items`` are ``SpecError``s."""

    def __init__(
        self,
        errors: list[SpecError],
        message: str | None = None,
        *,
        fields: dict[str, list[str]] | None = None,
    ):
        """``fields``: problems of the form's other fields found in the same pass (a change
        request's links), shown with the spec's."""
        count = len(errors)
        message = (
            message
            or f"The spec has {count} problem{'s' if count != 1 else ''}; nothing was saved."
        )
        super().__init__(message, items=errors, errors={"definition": [message], **(fields or {})})
        self.field = "definition"


# --- Shared checks -----------------------------------------------------------------------------


def check_partner(actor: User, integration: Integration) -> None:
    """Any active user of the integration's partner may work on its spec and pull requests."""
    require_partner_user(
        actor,
        integration,
        message="Only the integration's partner users can change its spec, pull requests and docs.",
    )


def check_reviewer(actor: User) -> None:
    require_reviewer(actor, message="Only staff with the review permission can do that.")


def next_number(integration: Integration) -> int:
    """Call with the integration row locked."""
    top = integration.spec_revisions.aggregate(top=Max("number"))["top"]
    return (top or 0) + 1


def _in_review(integration: Integration) -> SpecRevision | None:
    return (
        integration.spec_revisions.filter(
            status=ReviewStatus.SUBMITTED, change_request__isnull=True
        )
        .order_by("-number")
        .first()
    )


def _checked(integration: Integration, definition, *, for_submit: bool) -> dict:
    data = dict(definition) if isinstance(definition, dict) else definition
    if isinstance(data, dict):
        # The name and slug belong to the integration; the spec carries them as they are now.
        data["name"] = integration.name
        data["slug"] = integration.slug
    checked, errors = validate_definition(data, for_submit=for_submit)
    if errors:
        raise SpecInvalid(errors)
    return checked


def _notify_submitted(integration: Integration, revision: SpecRevision, actor: User) -> None:
    notify(
        event=str(Action.SPEC_SUBMITTED),
        kind=Kind.REVIEW_QUEUE,
        recipients=staff_recipients(),
        template="spec_submitted",
        context={"revision": revision, "actor": actor},
        integration=integration,
    )


def _refuse_if_live(integration: Integration) -> None:
    if integration.is_live:
        raise Conflict(
            f"{integration.name} is live ({integration.get_stage_display()}): its spec changes "
            "through a change request, so existing customers are protected.",
        )


def _refuse_if_in_review(integration: Integration) -> None:
    pending = _in_review(integration)
    if pending is not None:
        raise Conflict(
            f"Revision {pending.number} is already in review. Wait for the review before "
            "submitting another one (you can keep saving drafts).",
        )


# --- Partner actions ---------------------------------------------------------------------------


@transaction.atomic
def spec_save(
    *, actor: User, integration_id: int, definition, submit: bool = False
) -> SpecRevision:
    """Save the definition as a new revision; with ``submit`` it goes to staff for review."""
    integration = lock_integration(integration_id)
    check_partner(actor, integration)
    _refuse_if_live(integration)
    checked = _checked(integration, definition, for_submit=submit)
    if submit:
        _refuse_if_in_review(integration)
    now = timezone.now()
    revision = SpecRevision.objects.create(
        integration=integration,
        number=next_number(integration),
        status=ReviewStatus.SUBMITTED if submit else ReviewStatus.DRAFT,
        definition=checked,
        created_by=actor,
        created_at=now,
        submitted_at=now if submit else None,
    )
    audit_record(
        action=Action.SPEC_SAVED,
        actor=actor,
        integration=integration,
        target=revision,
        new_value={"number": revision.number, "status": revision.status},
    )
    if submit:
        audit_record(
            action=Action.SPEC_SUBMITTED,
            actor=actor,
            integration=integration,
            target=revision,
            new_value={"number": revision.number},
        )
        _notify_submitted(integration, revision, actor)
    return revision


@transaction.atomic
def spec_submit(*, actor: User, integration_id: int, number: int) -> SpecRevision:
    """Send an existing draft for review."""
    integration = lock_integration(integration_id)
    check_partner(actor, integration)
    _refuse_if_live(integration)
    try:
        revision = integration.spec_revisions.select_for_update(of=("self",)).get(
            number=number, change_request__isnull=True
        )
    except (SpecRevision.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such spec revision.") from None
    if revision.status != ReviewStatus.DRAFT:
        raise Conflict(
            f"Revision {revision.number} is {revision.get_status_display().lower()}; only a "
            "draft can be submitted.",
        )
    checked = _checked(integration, revision.definition, for_submit=True)
    _refuse_if_in_review(integration)
    revision.definition = checked
    revision.status = ReviewStatus.SUBMITTED
    revision.submitted_at = timezone.now()
    revision.save(update_fields=["definition", "status", "submitted_at"])
    audit_record(
        action=Action.SPEC_SUBMITTED,
        actor=actor,
        integration=integration,
        target=revision,
        old_value={"status": ReviewStatus.DRAFT},
        new_value={"number": revision.number, "status": revision.status},
    )
    _notify_submitted(integration, revision, actor)
    return revision


# --- Staff review ------------------------------------------------------------------------------


@transaction.atomic
def spec_review(
    *,
    actor: User,
    revision_id: int,
    approve: bool,
    comment: str = "",
    field_comments: dict | None = None,
) -> SpecRevision:
    """Approve a submitted revision, or send it back with comments (on the whole or per field)."""
    check_reviewer(actor)
    try:
        integration_id = SpecRevision.objects.values_list("integration_id", flat=True).get(
            pk=revision_id
        )
    except (SpecRevision.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such spec revision.") from None
    integration = lock_integration(integration_id)
    revision = SpecRevision.objects.select_for_update().get(pk=revision_id)
    if hasattr(revision, "change_request"):
        raise Conflict(
            "This revision belongs to a change request; review it on the change request page.",
        )
    old_status = revision.status
    decision = review_transition(
        revision,
        actor=actor,
        approve=approve,
        comment=comment,
        field_comments=field_comments,
        fields=dict(comment_paths(revision.definition)),
        missing_message=(
            "Say what needs to change: write a comment, on the whole spec or on a field."
        ),
        locked=True,
    )
    comment, comments = decision.comment, decision.field_comments
    if approve:
        integration.live_spec = revision
        integration.save(update_fields=["live_spec", "updated_at"])
    audit_record(
        action=Action.SPEC_APPROVED if approve else Action.SPEC_CHANGES_REQUESTED,
        actor=actor,
        integration=integration,
        target=revision,
        old_value={"status": old_status},
        new_value={"number": revision.number, "status": revision.status, "comments": comments},
        note=comment,
    )
    notify(
        event=str(Action.SPEC_APPROVED if approve else Action.SPEC_CHANGES_REQUESTED),
        kind=Kind.REVIEW_RESULTS,
        recipients=partner_recipients(integration),
        template="spec_reviewed",
        context={
            "revision": revision,
            "approved": approve,
            "comment": comment,
            "field_comments": comment_rows(revision),
        },
        integration=integration,
    )
    return revision
