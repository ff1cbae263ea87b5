from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .accounts import Partner, User


class TeamInvite(models.Model):
    """An owner's invitation for one address to join the partner with a role. The link's token
    is stored only as a hash; a resend replaces it, so only the newest link works."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="invites")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=User.PartnerRole.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="team_invite_one_open_per_address",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.partner}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at
