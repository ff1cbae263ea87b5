"""What the storage audit found: files that rows point to but the store lacks, and files in the
store that no row points to."""

from django.db import models
from django.utils import timezone


class StorageProblem(models.Model):
    class Kind(models.TextChoices):
        MISSING = "missing", "Referenced but missing from the store"
        ORPHAN = "orphan", "In the store but referenced by nothing"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=300)
    # For a missing file: the revision that matters most among those pointing to it (live, then
    # in review, then the newest), the field it is in, and whether it is in use.
    revision = models.ForeignKey(
        "catalog.MetadataRevision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="storage_problems",
    )
    integration = models.ForeignKey(
        "catalog.Integration",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="storage_problems",
    )
    field = models.CharField(max_length=20, blank=True)
    in_use = models.BooleanField(default=False)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-in_use", "first_seen_at", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="storage_problem_unique")
        ]
        indexes = [models.Index(fields=["resolved_at", "kind"], name="storage_problem_open")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


class StorageAuditRun(models.Model):
    """One pass of the audit: ``full`` lists the whole store; otherwise only references added
    since the last full pass, and known missing files, are checked one by one."""

    full = models.BooleanField(default=False)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    checked = models.PositiveIntegerField(default=0)
    stored = models.PositiveIntegerField(default=0)
    missing = models.PositiveIntegerField(default=0)
    orphans = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return (
            f"{'Full' if self.full else 'Quick'} storage audit at {self.started_at:%Y-%m-%d %H:%M}"
        )
