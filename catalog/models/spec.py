from django.conf import settings
from django.db import models
from django.utils import timezone

from .review import Reviewable, ReviewStatus

__all__ = ["ChangeRequest", "FreezeDate", "Holiday", "PullRequest", "ReviewStatus", "SpecRevision"]


class SpecRevision(Reviewable):
    """A version of the integration's plan, shaped like a destination definition (JSON)."""

    integration = models.ForeignKey(
        "catalog.Integration", on_delete=models.CASCADE, related_name="spec_revisions"
    )
    number = models.PositiveIntegerField()
    definition = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["integration", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["integration", "number"], name="spec_revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.integration} spec r{self.number} ({self.status})"

    def review_label(self) -> str:
        return f"Revision {self.number}"


class PullRequest(models.Model):
    """A pull request the partner recorded: code on the destinations repository, or docs."""

    class Kind(models.TextChoices):
        CODE = "code", "Destinations pull request"
        DOCS = "docs", "Documentation pull request"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"
        MERGED = "merged", "Merged"

    integration = models.ForeignKey(
        "catalog.Integration", on_delete=models.CASCADE, related_name="pull_requests"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CODE)
    url = models.URLField(max_length=500)
    description = models.TextField(blank=True)
    unit_tests_added = models.BooleanField(default=False)
    tested_end_to_end = models.BooleanField(default=False)
    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN)
    approved_at = models.DateTimeField(null=True, blank=True)
    merged_at = models.DateTimeField(null=True, blank=True)
    # When the review state last changed (who has the ball reads it); the merge time never moves
    # because another field is saved.
    state_changed_at = models.DateTimeField(default=timezone.now)
    # The release-train Wednesday a merged change ships on, and when it did ship: the deploy task
    # marks it at the train's time, or staff record an emergency deploy with a reason.
    deploy_date = models.DateField(null=True, blank=True)
    deployed_at = models.DateTimeField(null=True, blank=True)
    emergency_deploy_reason = models.TextField(blank=True)
    deployed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["url"]),
            models.Index(fields=["state", "deployed_at"], name="pull_request_to_deploy"),
        ]

    def __str__(self) -> str:
        return self.url


class ChangeRequest(Reviewable):
    """A change to a live integration: a new spec revision with its pull request. It is filed
    in review (``submitted_at`` is when); staff approve or refuse it."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "In review"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"

    SUBMITTED = Status.SUBMITTED
    APPROVED = Status.APPROVED
    SENT_BACK = Status.REFUSED

    integration = models.ForeignKey(
        "catalog.Integration", on_delete=models.CASCADE, related_name="change_requests"
    )
    spec_revision = models.OneToOneField(
        SpecRevision, on_delete=models.PROTECT, related_name="change_request"
    )
    pull_request = models.ForeignKey(
        PullRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pr_url = models.URLField(max_length=500)
    video_url = models.URLField(max_length=500, blank=True)
    summary = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    rule_results = models.JSONField(default=list, blank=True)
    diff = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    deploy_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Change to {self.integration} ({self.status})"

    def review_label(self) -> str:
        return "This change request"


class FreezeDate(models.Model):
    """A date on which no deploy happens (a Wednesday in a freeze skips to the next one)."""

    date = models.DateField(unique=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.reason}".strip()


class Holiday(models.Model):
    """A day without staff decisions: review due dates skip it like a weekend."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}".strip()
