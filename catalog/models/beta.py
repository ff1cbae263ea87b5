from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .changes import ChangeSignallingQuerySet


class BetaLinkState(models.TextChoices):
    ACTIVE = "active", "Active"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"
    VERIFIED = "verified", "Verified"


class BetaLinkQuerySet(ChangeSignallingQuerySet):
    def with_state(self):
        """Annotate ``is_verified`` so listing many links costs one query (no per-row lookups)."""
        return self.annotate(
            is_verified=Exists(CustomerVerification.objects.filter(beta_link=OuterRef("pk")))
        ).select_related("created_by", "revoked_by")


class BetaLink(models.Model):
    """A private-beta invitation for one customer. Only a hash of the token is stored."""

    integration = models.ForeignKey(
        "catalog.Integration", on_delete=models.CASCADE, related_name="beta_links"
    )
    email = models.EmailField()
    workspace_name = models.CharField(max_length=200, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    open_count = models.PositiveIntegerField(default=0)
    first_opened_at = models.DateTimeField(null=True, blank=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)

    objects = BetaLinkQuerySet.as_manager()

    # What recording an open writes; no page shows these, so writing them leaves caches alone.
    OPEN_FIELDS = frozenset({"open_count", "first_opened_at", "last_opened_at"})

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Beta link for {self.email} to {self.integration}"

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def state_at(self, now=None) -> str:
        """Revoked wins over verified, verified over expired: the most useful fact first."""
        if self.is_revoked:
            return BetaLinkState.REVOKED
        verified = getattr(self, "is_verified", None)
        if verified is None:
            verified = self.verifications.exists()
        if verified:
            return BetaLinkState.VERIFIED
        if self.is_expired(now):
            return BetaLinkState.EXPIRED
        return BetaLinkState.ACTIVE

    @property
    def state(self) -> str:
        return self.state_at()

    @property
    def state_label(self) -> str:
        return BetaLinkState(self.state).label

    @property
    def can_change(self) -> bool:
        """Revoke and extend make sense for any link that is not revoked."""
        return not self.is_revoked


class CustomerVerification(models.Model):
    """A customer confirmed through a beta link that the integration works in their workspace."""

    integration = models.ForeignKey(
        "catalog.Integration", on_delete=models.CASCADE, related_name="verifications"
    )
    beta_link = models.ForeignKey(BetaLink, on_delete=models.PROTECT, related_name="verifications")
    workspace_name = models.CharField(max_length=200)
    note = models.TextField(blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ChangeSignallingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One confirmation per invited customer; a second press of the button changes nothing.
            models.UniqueConstraint(fields=["beta_link"], name="one_verification_per_beta_link")
        ]

    def __str__(self) -> str:
        return f"{self.workspace_name} verified {self.integration}"


class BetaOpenFold(models.Model):
    """One batch of beta opens counted in Redis and added to the links (``beta_opens_fold``).

    Written in the transaction that adds the batch, so a fold that died after its commit is not
    added twice when the batch is found again in Redis.
    """

    batch = models.CharField(max_length=64, unique=True)
    opens = models.PositiveIntegerField(default=0)
    folded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.opens} beta opens folded ({self.batch})"
