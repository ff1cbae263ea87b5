"""What every reviewed thing has: a spec revision, a catalog-metadata revision, a change request.

``Reviewable`` carries the review columns; ``catalog.services.review.review_transition`` is the one
place they change when staff decide.
"""

from django.conf import settings
from django.db import models


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "In review"
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"


class Reviewable(models.Model):
    """A submission staff approve or send back, with a comment on the whole and per field.

    A subclass with its own status choices redeclares ``status`` and names the statuses of the
    decision in ``APPROVED`` / ``SENT_BACK``; ``SUBMITTED`` is the one status a review starts from.
    """

    SUBMITTED = ReviewStatus.SUBMITTED
    APPROVED = ReviewStatus.APPROVED
    SENT_BACK = ReviewStatus.CHANGES_REQUESTED

    status = models.CharField(
        max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)
    # Review key (a form field, or a spec path) → the reviewer's comment on it.
    field_comments = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True

    def review_label(self) -> str:
        """How a message names this submission (“Revision r3”)."""
        return f"Revision r{self.number}"
