"""A partner's team: invitations by email, roles, removal, ownership and leaving.

Owners manage the team; a partner always keeps at least one owner. Removing someone (or their
leaving) rotates their session token, so every session they have ends on its next request.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from catalog import stages
from catalog.audit import Action
from catalog.errors import BadRequest, Conflict, Forbidden, Gone, Invalid, NotFound
from catalog.models import Partner, TeamInvite, User
from catalog.notifications import Kind, notify
from catalog.services.accounts import _accept, _refuse_hidden_text, email_problem, normalize_email
from catalog.services.audit import audit_record
from catalog.services.quotas import within_daily_cap
from catalog.tokens import hash_token, hashes_match, is_well_formed, new_token

OWNERS_ONLY = "Only your company's owners manage the team."
KEEP_AN_OWNER = (
    "Your company needs an owner. Make someone else an owner first (or transfer ownership)."
)
INVITE_NOT_VALID = (
    "This invitation link is not valid. Check that you copied all of it, or ask the person who "
    "invited you for a new one."
)
ROLES = dict(User.PartnerRole.choices)


def _require_owner(actor: User) -> Partner:
    if not (actor.is_authenticated and actor.is_active and actor.is_partner_owner):
        raise Forbidden(OWNERS_ONLY)
    return Partner.objects.select_for_update().get(pk=actor.partner_id)


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise Invalid("Choose a role: owner or member.", field="role")
    return role


def _teammate(partner: Partner, user_id) -> User:
    try:
        return User.objects.select_for_update().get(pk=user_id, partner=partner)
    except (User.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such person in your team.") from None


def _owner_count(partner: Partner) -> int:
    return User.objects.filter(
        partner=partner, partner_role=User.PartnerRole.OWNER, is_active=True
    ).count()


def invite_url(token: str) -> str:
    return settings.SITE_URL + reverse("team_join", args=[token])


def _send_invite(invite: TeamInvite, token: str, *, event: Action) -> None:
    notify(
        event=str(event),
        kind=Kind.INVITATIONS,
        recipients=[invite.email],
        template="team_invitation",
        context={
            "invite": invite,
            "partner": invite.partner,
            "inviter": invite.invited_by,
            "role_label": ROLES[invite.role],
            "join_url": invite_url(token),
        },
    )


# --- Invitations --------------------------------------------------------------------------------


@transaction.atomic
def team_invite(*, actor: User, email: str, role: str, now=None) -> TeamInvite:
    """Invite ``email`` to the actor's partner with ``role``; the link goes out by email."""
    partner = _require_owner(actor)
    now = now or timezone.now()
    email = normalize_email(email)
    problems: dict[str, list[str]] = {}
    problem = email_problem(email)
    if problem:
        problems["email"] = [problem]
    else:
        try:
            validate_email(email)
        except ValidationError:
            problems["email"] = ["Enter an email address, like name@example.com."]
    if role not in ROLES:
        problems["role"] = ["Choose a role: owner or member."]
    if problems:
        raise Invalid(f"{len(problems)} problem(s) to fix.", errors=problems)
    if email == actor.email:
        raise Invalid("That is your own address: you are already in the team.", field="email")
    existing = User.objects.filter(email=email).first()
    if existing is not None:
        if existing.partner_id == partner.pk:
            raise Invalid(f"{email} is already in your team.", field="email")
        if existing.partner_id is not None or existing.is_staff:
            raise Invalid(
                "This address already belongs to another account, which can't join your "
                "company. Ask them to use another address.",
                field="email",
            )
    if TeamInvite.objects.filter(
        partner=partner, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).exists():
        raise Invalid(
            f"{email} is already invited. Resend or revoke that invitation below.", field="email"
        )
    within_daily_cap(
        made=TeamInvite.objects.filter(partner=partner),
        limit=settings.TEAM_INVITES_PER_DAY,
        what="team invitations",
        now=now,
    )
    token, token_hash = new_token()
    try:
        with transaction.atomic():
            invite = TeamInvite.objects.create(
                partner=partner,
                email=email,
                role=role,
                token_hash=token_hash,
                invited_by=actor,
                created_at=now,
                sent_at=now,
                expires_at=now + timedelta(days=settings.TEAM_INVITE_MAX_AGE_DAYS),
            )
    except IntegrityError:
        raise Invalid(f"{email} is already invited.", field="email") from None
    audit_record(
        action=Action.TEAM_INVITED,
        actor=actor,
        partner=partner,
        target=invite,
        new_value={"email": email, "role": role},
    )
    _send_invite(invite, token, event=Action.TEAM_INVITED)
    return invite


def _lock_open_invite(partner: Partner, invite_id) -> TeamInvite:
    try:
        invite = TeamInvite.objects.select_for_update().get(pk=invite_id, partner=partner)
    except (TeamInvite.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such invitation.") from None
    if invite.accepted_at is not None:
        raise Conflict(f"{invite.email} already accepted this invitation.")
    if invite.revoked_at is not None:
        raise Conflict(f"The invitation for {invite.email} was revoked.")
    return invite


@transaction.atomic
def team_invite_resend(*, actor: User, invite_id: int, now=None) -> TeamInvite:
    """A new link (the old one stops working) with a fresh expiry; at most one a minute."""
    partner = _require_owner(actor)
    invite = _lock_open_invite(partner, invite_id)
    now = now or timezone.now()
    if now - invite.sent_at < timedelta(seconds=60):
        raise Conflict(f"The invitation for {invite.email} was sent less than a minute ago.")
    token, invite.token_hash = new_token()
    invite.sent_at = now
    invite.expires_at = now + timedelta(days=settings.TEAM_INVITE_MAX_AGE_DAYS)
    invite.save(update_fields=["token_hash", "sent_at", "expires_at"])
    audit_record(action=Action.TEAM_INVITE_RESENT, actor=actor, partner=partner, target=invite)
    _send_invite(invite, token, event=Action.TEAM_INVITE_RESENT)
    return invite


@transaction.atomic
def team_invite_revoke(*, actor: User, invite_id: int, now=None) -> TeamInvite:
    partner = _require_owner(actor)
    invite = _lock_open_invite(partner, invite_id)
    invite.revoked_at = now or timezone.now()
    invite.save(update_fields=["revoked_at"])
    audit_record(
        action=Action.TEAM_INVITE_REVOKED,
        actor=actor,
        partner=partner,
        target=invite,
        old_value={"email": invite.email, "role": invite.role},
    )
    return invite


def invite_for_token(token: str, *, now=None, for_update: bool = False) -> TeamInvite:
    """Every way an invitation link can fail, in one place."""
    if not is_well_formed(token):
        raise BadRequest(INVITE_NOT_VALID, title="This invitation link doesn't work")
    qs = TeamInvite.objects.select_related("partner", "invited_by")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    invite = qs.filter(token_hash=hash_token(token)).first()
    if invite is None or not hashes_match(invite.token_hash, hash_token(token)):
        raise BadRequest(INVITE_NOT_VALID, title="This invitation link doesn't work")
    if invite.accepted_at is not None:
        raise Gone(
            "This invitation was already used. Log in to reach your company's pages.",
            title="This invitation link was used",
        )
    if invite.revoked_at is not None:
        raise Gone(
            "This invitation was withdrawn. Ask the person who invited you for a new one.",
            title="This invitation was withdrawn",
        )
    if invite.is_expired(now):
        raise Gone(
            "This invitation has expired. Ask the person who invited you to resend it.",
            title="This invitation has expired",
        )
    return invite


def _join(invite: TeamInvite, user: User, *, now, ip_address: str | None) -> None:
    invite.accepted_at = now
    invite.accepted_by = user
    invite.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        action=Action.TEAM_JOINED,
        actor=user,
        partner=invite.partner,
        target=user,
        new_value={"email": user.email, "role": invite.role, "invite": invite.pk},
        ip_address=ip_address,
    )


@transaction.atomic
def team_invite_accept(*, token: str, user: User, now=None, ip_address: str | None = None) -> User:
    """A logged-in person with the invited address joins the partner."""
    now = now or timezone.now()
    invite = invite_for_token(token, now=now, for_update=True)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.email != invite.email:
        raise Forbidden(
            f"This invitation is for another address. Log out, then log in as that address "
            f"(you are logged in as {user.email})."
        )
    if user.is_staff:
        raise Forbidden("Staff accounts can't join a partner's team.")
    if user.partner_id is not None:
        raise Conflict("Your account already belongs to a company; a user belongs to one.")
    user.partner = invite.partner
    user.partner_role = invite.role
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now  # the link reached this address
    user.save(update_fields=["partner", "partner_role", "email_confirmed_at"])
    _join(invite, user, now=now, ip_address=ip_address)
    return user


@transaction.atomic
def team_invite_sign_up(
    *,
    token: str,
    full_name: str,
    password: str,
    accepted_kinds: list[str],
    now=None,
    ip_address: str | None = None,
) -> User:
    """An invitee without an account signs up through the link: the link confirms the address,
    and the agreements are accepted as on the partner sign-up."""
    now = now or timezone.now()
    invite = invite_for_token(token, now=now, for_update=True)
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise Invalid("Give your full name.", field="full_name")
    _refuse_hidden_text(full_name=(full_name, "Your name"))
    current = stages.current_agreements()
    for kind, label in current.items():
        if kind not in accepted_kinds:
            raise Invalid(f"Accept the {label.title} to continue.", field=f"accept_{kind}")
    probe = User(email=invite.email, full_name=full_name)
    try:
        password_validation.validate_password(password, probe)
    except ValidationError as error:
        raise Invalid("Choose another password.", errors={"password": error.messages}) from None
    if User.objects.filter(email=invite.email).exists():
        raise Conflict("An account with this address exists now. Log in, then open the link again.")
    user = User.objects.create_user(
        email=invite.email,
        password=password,
        full_name=full_name,
        partner=invite.partner,
        partner_role=invite.role,
        email_confirmed_at=now,
    )
    _join(invite, user, now=now, ip_address=ip_address)
    _accept(user=user, versions=list(current.values()), ip_address=ip_address)
    return user


# --- Members ------------------------------------------------------------------------------------


def _end_membership(user: User) -> None:
    user.partner = None
    user.partner_role = User.PartnerRole.MEMBER
    user.rotate_session_token()
    user.save(update_fields=["partner", "partner_role", "session_token"])


@transaction.atomic
def team_role_change(*, actor: User, user_id: int, role: str) -> User:
    partner = _require_owner(actor)
    role = _check_role(role)
    member = _teammate(partner, user_id)
    old = member.partner_role
    if old == role:
        return member
    if old == User.PartnerRole.OWNER and _owner_count(partner) <= 1:
        raise Conflict(KEEP_AN_OWNER)
    member.partner_role = role
    member.save(update_fields=["partner_role"])
    audit_record(
        action=Action.TEAM_ROLE_CHANGED,
        actor=actor,
        partner=partner,
        target=member,
        old_value={"email": member.email, "role": old},
        new_value={"email": member.email, "role": role},
    )
    return member


@transaction.atomic
def team_member_remove(*, actor: User, user_id: int) -> User:
    """The person leaves the partner and every session of theirs ends at once."""
    partner = _require_owner(actor)
    member = _teammate(partner, user_id)
    if member.pk == actor.pk:
        raise Conflict("To leave the company yourself, use “Leave this company”.")
    if member.partner_role == User.PartnerRole.OWNER and _owner_count(partner) <= 1:
        raise Conflict(KEEP_AN_OWNER)
    old_role = member.partner_role
    _end_membership(member)
    audit_record(
        action=Action.TEAM_MEMBER_REMOVED,
        actor=actor,
        partner=partner,
        target=member,
        old_value={"email": member.email, "role": old_role},
    )
    return member


@transaction.atomic
def team_ownership_transfer(*, actor: User, user_id: int) -> User:
    """``user_id`` becomes an owner and the actor a member, in one step."""
    partner = _require_owner(actor)
    member = _teammate(partner, user_id)
    if member.pk == actor.pk:
        raise Conflict("Choose someone else to hand the company over to.")
    if not member.is_active:
        raise Conflict(f"{member.email}'s account is disabled; choose someone else.")
    me = User.objects.select_for_update().get(pk=actor.pk)
    member.partner_role = User.PartnerRole.OWNER
    member.save(update_fields=["partner_role"])
    me.partner_role = User.PartnerRole.MEMBER
    me.save(update_fields=["partner_role"])
    actor.partner_role = me.partner_role
    audit_record(
        action=Action.TEAM_OWNERSHIP_TRANSFERRED,
        actor=actor,
        partner=partner,
        target=member,
        old_value={"owner": me.email},
        new_value={"owner": member.email},
    )
    return member


@transaction.atomic
def team_leave(*, actor: User) -> None:
    if not (actor.is_authenticated and actor.is_partner):
        raise Forbidden("You are not in a company's team.")
    partner = Partner.objects.select_for_update().get(pk=actor.partner_id)
    me = User.objects.select_for_update().get(pk=actor.pk)
    if me.partner_role == User.PartnerRole.OWNER and _owner_count(partner) <= 1:
        raise Conflict(
            "You are the company's only owner. Transfer ownership to a colleague before leaving."
        )
    old_role = me.partner_role
    _end_membership(me)
    audit_record(
        action=Action.TEAM_MEMBER_LEFT,
        actor=me,
        partner=partner,
        target=me,
        old_value={"email": me.email, "role": old_role},
    )
