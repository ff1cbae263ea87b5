"""Staff review of a submitted catalog entry: approve it (it goes live at once, in the same
transaction as the decision) or request changes, with comments on the whole or per field."""

from django.db import IntegrityError, transaction

from catalog.audit import Action
from catalog.errors import Conflict, NotFound
from catalog.models import MetadataRevision, ReviewStatus, User
from catalog.notifications import Kind, notify, partner_recipients
from catalog.services.access import lock_integration, require_reviewer
from catalog.services.audit import audit_record
from catalog.services.integrations import unique_slug
from catalog.services.metadata.checks import identity_problems, revision_problems
from catalog.services.review import review_transition
from catalog.validation.metadata import REVIEW_FIELDS

NOT_A_REVIEWER = "Only staff with the review permission can review metadata."


@transaction.atomic
def metadata_review(
    *,
    actor: User,
    integration_id: int,
    number: int,
    approve: bool,
    comment: str = "",
    field_comments: dict | None = None,
) -> MetadataRevision:
    """Approve a submitted revision (it goes live at once) or send it back with comments."""
    require_reviewer(actor, message=NOT_A_REVIEWER)
    integration = lock_integration(integration_id)
    try:
        revision = integration.metadata_revisions.select_for_update().get(number=number)
    except (MetadataRevision.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such metadata revision.") from None
    old = {
        "status": ReviewStatus.SUBMITTED,
        "live_metadata": integration.live_metadata_id,
        "name": integration.name,
        "slug": integration.slug,
    }

    def still_passes(decision) -> None:
        if decision.approve:
            _check_approvable(integration, revision)

    decision = review_transition(
        revision,
        actor=actor,
        approve=approve,
        comment=comment,
        field_comments=field_comments,
        fields=dict(REVIEW_FIELDS),
        missing_message=(
            "Say what needs to change: write a comment on the whole entry or on a field."
        ),
        forbidden_message=NOT_A_REVIEWER,
        locked=True,
        on_decision=still_passes,
    )
    if approve:
        _go_live(integration, revision)
    _announce(actor, integration, revision, decision, old=old)
    return revision


def _check_approvable(integration, revision: MetadataRevision) -> None:
    """The revision still passes today's rules and its files passed their checks."""
    errors, _ = revision_problems(revision)
    errors["name"] = errors.get("name", []) + identity_problems(integration, revision.name)
    failing = [p for items in errors.values() for p in items]
    if failing or not (revision.asset_report or {}).get("ok"):
        raise Conflict(
            f"Revision r{revision.number} no longer passes the checks, so it can't be approved: "
            + "; ".join(p.message for p in failing[:3])
            + (" Request changes instead." if failing else " Its files failed validation."),
            items=failing,
        )


def _go_live(integration, revision: MetadataRevision) -> None:
    """The catalog shows ``revision`` from now on; an unfrozen integration takes its name."""
    fields = ["live_metadata", "updated_at"]
    integration.live_metadata = revision
    if not integration.identity_frozen and revision.name and revision.name != integration.name:
        integration.name = revision.name
        integration.slug = unique_slug(revision.name, exclude_pk=integration.pk)
        fields += ["name", "slug"]
    try:
        with transaction.atomic():
            integration.save(update_fields=fields)
    except IntegrityError:
        raise Conflict(
            f"Another integration took the name “{revision.name}” meanwhile. Request changes "
            "so the partner picks another name.",
        ) from None


def _announce(actor, integration, revision: MetadataRevision, decision, *, old: dict) -> None:
    action = Action.METADATA_APPROVED if decision.approve else Action.METADATA_CHANGES_REQUESTED
    comments = decision.field_comments
    audit_record(
        action=action,
        actor=actor,
        integration=integration,
        target=revision,
        old_value=old,
        new_value={
            "number": revision.number,
            "status": revision.status,
            "live_metadata": integration.live_metadata_id,
            "name": integration.name,
            "slug": integration.slug,
            "comments": comments,
        },
        note=decision.comment,
    )
    labels = dict(REVIEW_FIELDS)
    notify(
        event=str(action),
        kind=Kind.REVIEW_RESULTS,
        recipients=partner_recipients(integration),
        template="metadata_approved" if decision.approve else "metadata_changes_requested",
        context={
            "revision": revision,
            "comment": decision.comment,
            "field_comments": [(labels[k], v) for k, v in comments.items()],
            "actor": actor,
        },
        integration=integration,
    )
