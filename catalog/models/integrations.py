from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from .accounts import Partner
from .changes import ChangeSignallingQuerySet


class Stage(models.TextChoices):
    SIGNUP = "signup", "Sign-up"
    SPEC = "spec", "Spec"
    BUILD = "build", "Build"
    PRIVATE_BETA = "private_beta", "Private beta"
    PUBLIC = "public", "Public"


class DestinationMode(models.TextChoices):
    CLOUD = "cloud", "Cloud-mode"
    DEVICE = "device", "Device-mode (web)"


class ListingStatus(models.TextChoices):
    """How a public integration is listed: new ones start in public beta; staff graduate them."""

    PUBLIC_BETA = "public_beta", "Public beta"
    PUBLIC = "public", "Public"


class Lifecycle(models.TextChoices):
    """Whether an integration is still being worked on. Withdrawn (by its owner, before public)
    and archived (by staff) integrations leave the board and the dashboard's active list; their
    history, name and slug stay, and staff may restore them."""

    ACTIVE = "active", "Active"
    WITHDRAWN = "withdrawn", "Withdrawn"
    ARCHIVED = "archived", "Archived"


class Category(models.Model):
    """One of the catalog categories from the partner program guide, kept as data."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = ChangeSignallingQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Integration(models.Model):
    """A destination a partner builds; it sits in exactly one stage."""

    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="integrations"
    )
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    mode = models.CharField(max_length=10, choices=DestinationMode.choices)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.SIGNUP)
    stage_changed_at = models.DateTimeField(default=timezone.now)
    public_since = models.DateTimeField(null=True, blank=True)
    listing_status = models.CharField(
        max_length=20, choices=ListingStatus.choices, default=ListingStatus.PUBLIC_BETA
    )
    docs_url = models.URLField(max_length=500, blank=True)
    # The catalog and beta pages show this revision; a new revision in review leaves it alone.
    live_metadata = models.ForeignKey(
        "catalog.MetadataRevision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    live_spec = models.ForeignKey(
        "catalog.SpecRevision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Imported entries that break today's rules are kept as they are and marked.
    is_imported = models.BooleanField(default=False)
    external_id = models.CharField(max_length=64, blank=True)
    grandfathered = models.BooleanField(default=False)
    grandfathered_reasons = models.JSONField(default=list, blank=True)
    lifecycle = models.CharField(
        max_length=10, choices=Lifecycle.choices, default=Lifecycle.ACTIVE, db_index=True
    )
    lifecycle_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Catalog search on PostgreSQL: name and live name (A), categories (B), description (C),
    # kept by catalog.search; GIN-indexed by migration 0008 (SQLite leaves it empty).
    search_document = SearchVectorField(null=True, editable=False)

    objects = ChangeSignallingQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="integration_name_ci_unique"),
        ]
        indexes = [
            models.Index(fields=["stage", "name"]),
            models.Index(fields=["stage", "-public_since"]),
        ]
        permissions = [
            ("promote_integration", "Can promote or roll back an integration's stage"),
            ("review_submissions", "Can review specs, metadata, pull requests and changes"),
            ("manage_beta_links", "Can issue and revoke beta links for any integration"),
            ("record_emergency_deploy", "Can record an emergency deploy of a pull request"),
            ("graduate_listing", "Can graduate a public-beta listing to public"),
            ("archive_integration", "Can archive an integration nobody works on"),
            ("restore_integration", "Can restore a withdrawn or archived integration"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def stage_index(self) -> int:
        return list(Stage.values).index(self.stage)

    @property
    def is_active(self) -> bool:
        return self.lifecycle == Lifecycle.ACTIVE

    def can_withdraw(self) -> bool:
        """Owners withdraw an active integration that is not public yet."""
        return self.is_active and self.stage != Stage.PUBLIC

    @property
    def is_live(self) -> bool:
        return self.stage in (Stage.PRIVATE_BETA, Stage.PUBLIC)

    @property
    def identity_frozen(self) -> bool:
        """Name and slug are frozen once the integration reaches private beta."""
        return self.is_live
