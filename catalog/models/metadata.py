from django.conf import settings
from django.db import models
from django.utils import timezone

from .changes import ChangeSignallingQuerySet
from .review import Reviewable


def asset_upload_to(instance, filename: str) -> str:
    """Stored names are random; the upload's own name is never used."""
    import secrets

    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    if suffix not in {"svg", "png", "jpg", "jpeg", "webp"}:
        suffix = "bin"
    return f"assets/{secrets.token_hex(16)}.{suffix}"


class MetadataRevision(Reviewable):
    """One saved version of an integration's catalog entry."""

    integration = models.ForeignKey(
        "catalog.Integration", on_delete=models.CASCADE, related_name="metadata_revisions"
    )
    number = models.PositiveIntegerField()
    name = models.CharField(max_length=120, blank=True)
    pr_url = models.URLField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    description_html = models.TextField(blank=True)
    website = models.URLField(max_length=500, blank=True)
    primary_category = models.ForeignKey(
        "catalog.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    secondary_category = models.ForeignKey(
        "catalog.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Imported (grandfathered) entries may carry more categories, kept by name as given.
    extra_categories = models.JSONField(default=list, blank=True)
    # Indexed: the asset view finds the revision (and so who may see it) by stored name.
    logo = models.FileField(upload_to=asset_upload_to, blank=True, max_length=200, db_index=True)
    mark = models.FileField(upload_to=asset_upload_to, blank=True, max_length=200, db_index=True)
    logo_external_url = models.URLField(max_length=500, blank=True)
    mark_external_url = models.URLField(max_length=500, blank=True)
    asset_report = models.JSONField(default=dict, blank=True)
    support_email = models.EmailField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ChangeSignallingQuerySet.as_manager()

    class Meta:
        ordering = ["integration", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "number"], name="metadata_revision_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.integration} metadata r{self.number} ({self.status})"


class MetadataImage(models.Model):
    """A screenshot (PNG or JPEG) stored without EXIF; thumbnails are made by a task."""

    revision = models.ForeignKey(MetadataRevision, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField(default=0)
    image = models.FileField(upload_to=asset_upload_to, max_length=200, db_index=True)
    thumbnail = models.FileField(
        upload_to=asset_upload_to, blank=True, max_length=200, db_index=True
    )
    caption = models.CharField(max_length=200, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)

    objects = ChangeSignallingQuerySet.as_manager()

    class Meta:
        ordering = ["revision", "position"]

    def __str__(self) -> str:
        return f"Screenshot {self.position + 1} of {self.revision}"
