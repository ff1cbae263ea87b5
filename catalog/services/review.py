"""The one review transition: staff approve a submission or send it back, with comments.

Spec revisions, metadata revisions and change requests are all ``Reviewable``. Each area's
review service locks the rows it needs, then calls ``review_transition``, which checks the
reviewer, the status (only a submission in review is decided), cleans the comments with the
same strict rules everywhere, and records the decision. What approval means (the live spec or
catalog entry, the deploy date), the audit entry and the notification stay in the area's service.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from catalog.errors import BadRequest, Conflict, Invalid
from catalog.models import User
from catalog.models.review import Reviewable
from catalog.services.access import require_reviewer
from catalog.validation.characters import hidden_text_problem

MAX_COMMENT = 4000
# The review columns the transition writes (``Reviewable``).
DECISION_FIELDS = ["status", "reviewed_by", "reviewed_at", "review_comment", "field_comments"]


@dataclass(frozen=True)
class Decision:
    approve: bool
    comment: str
    field_comments: dict[str, str]
    at: datetime


def _clean_text(text: str, *, what: str, field: str) -> str:
    if len(text) > MAX_COMMENT:
        raise Invalid(f"{what} can be at most {MAX_COMMENT} characters.", field=field)
    problem = hidden_text_problem(text, what, lookalikes=False, lines=True)
    if problem:
        raise Invalid(problem, field=field)
    return text


def clean_review_comments(
    comment: str | None,
    field_comments,
    *,
    fields: Mapping[str, str],
    required: bool,
    missing_message: str,
) -> tuple[str, dict[str, str]]:
    """The comment on the whole and the comments per field (``fields``: key → label), stripped,
    bounded, and free of hidden characters (bidi controls, zero-width, control characters).
    An empty field comment is dropped; a comment is ``required`` unless one is given per field.
    A refusal names the field it is about (``comment``, or the field's key)."""
    if field_comments and not isinstance(field_comments, Mapping):
        raise BadRequest("Field comments must be a mapping.")
    cleaned: dict[str, str] = {}
    for key, text in (field_comments or {}).items():
        text = text.strip() if isinstance(text, str) else ""
        if not text:
            continue
        if key not in fields:
            raise BadRequest(f"“{str(key)[:80]}” isn't a field of this submission.")
        cleaned[key] = _clean_text(text, what=f"The comment on “{fields[key]}”", field=key)
    comment = _clean_text((comment or "").strip(), what="The comment", field="comment")
    if required and not comment and not cleaned:
        raise Invalid(missing_message, field="comment")
    return comment, cleaned


def record_decision(item: Reviewable, decision: Decision, *, actor: User) -> list[str]:
    """Write ``decision`` onto ``item`` (not saved); returns the fields to save."""
    item.status = item.APPROVED if decision.approve else item.SENT_BACK
    item.reviewed_by = actor
    item.reviewed_at = decision.at
    item.review_comment = decision.comment
    item.field_comments = decision.field_comments
    return list(DECISION_FIELDS)


@transaction.atomic
def review_transition(
    item: Reviewable,
    *,
    actor: User,
    approve: bool,
    comment: str = "",
    field_comments=None,
    fields: Mapping[str, str] | Callable[[Reviewable], Mapping[str, str]],
    missing_message: str,
    forbidden_message: str = "Only staff with the review permission can do that.",
    locked: bool = False,
    on_decision: Callable[[Decision], Iterable[str] | None] | None = None,
) -> Decision:
    """Decide ``item``: approve it, or send it back (a comment is then required).

    ``locked``: the caller holds the row lock already; otherwise the row is locked and read
    again here. ``fields`` (or a function of the locked item giving them) are the keys a field
    comment may name, with their labels. ``on_decision`` runs once everything is checked and
    before the save: it may refuse (raise), and returns further fields it set on ``item``."""
    require_reviewer(actor, message=forbidden_message)
    if not locked:
        item.refresh_from_db(from_queryset=type(item).objects.select_for_update(of=("self",)))
    if item.status != item.SUBMITTED:
        raise Conflict(
            f"{item.review_label()} is {item.get_status_display().lower()}, not in review; "
            "nothing was changed."
        )
    comment, comments = clean_review_comments(
        comment,
        field_comments,
        fields=fields(item) if callable(fields) else fields,
        required=not approve,
        missing_message=missing_message,
    )
    decision = Decision(
        approve=approve, comment=comment, field_comments=comments, at=timezone.now()
    )
    extra = list((on_decision(decision) if on_decision else None) or [])
    item.save(update_fields=record_decision(item, decision, actor=actor) + extra)
    return decision
