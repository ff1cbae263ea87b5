"""A partner's team as its owners see it."""

from django.db.models import QuerySet
from django.utils import timezone

from catalog.models import TeamInvite, User


def team_members(*, partner_id: int) -> QuerySet[User]:
    return User.objects.filter(partner_id=partner_id, is_active=True).order_by(
        "-partner_role", "email"
    )


def open_invites(*, partner_id: int) -> list[TeamInvite]:
    now = timezone.now()
    invites = list(
        TeamInvite.objects.filter(
            partner_id=partner_id, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .select_related("invited_by")
        .order_by("-created_at")
    )
    for invite in invites:
        invite.expired = invite.is_expired(now)
    return invites
