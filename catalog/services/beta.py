"""Private-beta links: issue, revoke, extend, open, and the customer's verification.

Every way a token can fail (malformed, unknown, expired, revoked, throttled, integration not in
beta) is decided in one place, ``beta_link_resolve``, which raises one of the refusal
kinds of ``catalog.errors``; the beta-token page decorator renders it as one plain page.
"""

import functools
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from catalog import cache as page_cache
from catalog import permissions, throttle, tokens
from catalog.audit import Action
from catalog.errors import Conflict, Forbidden, Gone, Invalid, NotFound, Throttled
from catalog.models import BetaLink, CustomerVerification, Integration, Stage, User
from catalog.notifications import Kind, notify, partner_recipients, staff_recipients
from catalog.services.access import lock_integration
from catalog.services.audit import audit_record
from catalog.services.beta_opens import beta_link_record_open
from catalog.services.quotas import within_daily_cap
from catalog.validation.characters import hidden_text_problem

MAX_DAYS = 365
# A link lives at most this long from its issue, however often it is extended.
MAX_LIFETIME_DAYS = 365
# Bad tokens from one client address: this many per window, then 429 until the window ends.
THROTTLE_LIMIT = 10
THROTTLE_WINDOW = 10 * 60


def platform_url(integration: Integration) -> str:
    """Where a customer adds the integration in their own workspace."""
    return f"{settings.SEGMENT_APP_URL}/goto-my-workspace/destinations/catalog/{integration.slug}"


def beta_url(token: str) -> str:
    return settings.SITE_URL + reverse("beta_open", args=[token])


def can_manage_beta_links(user: User, integration: Integration) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_staff:
        return user.has_perm(permissions.MANAGE_BETA_LINKS)
    return user.is_partner_owner and user.partner_id == integration.partner_id


def can_view_beta_links(user: User, integration: Integration) -> bool:
    """Invites name customers: the integration's partner users and staff with the beta-view
    permission see them."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_staff:
        return permissions.staff_has(user, permissions.VIEW_BETA_LINKS)
    return user.partner_id is not None and user.partner_id == integration.partner_id


def _check_manage(actor: User, integration: Integration) -> None:
    if not can_manage_beta_links(actor, integration):
        raise Forbidden(
            "Only the partner's owners and staff with the beta-links permission can do that."
        )


def _lock_link(integration_id: int, link_id: int) -> BetaLink:
    try:
        return (
            BetaLink.objects.select_for_update(of=("self",))
            .select_related("integration")
            .get(pk=link_id, integration_id=integration_id)
        )
    except (BetaLink.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such beta invite.") from None


def _check_days(days: int) -> int:
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
        raise Invalid(f"Choose an expiry between 1 and {MAX_DAYS} days.", field="days")
    return days


@transaction.atomic
def beta_link_issue(
    *,
    actor: User,
    integration_id: int,
    email: str,
    workspace_name: str = "",
    days: int | None = None,
) -> tuple[BetaLink, str]:
    """Make a link for one customer. Returns ``(link, token)``: the token is never stored, so
    this is the only moment it exists outside the customer's email."""
    integration = lock_integration(integration_id)
    _check_manage(actor, integration)
    if integration.stage != Stage.PRIVATE_BETA:
        raise Conflict(
            f"{integration.name} is in {integration.get_stage_display()}: beta invites can be "
            "sent while it is in private beta.",
        )
    email = (email or "").strip().lower()
    if not email:
        raise Invalid("Enter the customer's email address.", field="email")
    problem = hidden_text_problem(email, "The address", lookalikes=False)
    if problem:
        raise Invalid(problem, field="email")
    days = _check_days(settings.BETA_LINK_DEFAULT_DAYS if days is None else days)
    workspace_name = " ".join((workspace_name or "").split())[:200]
    problem = hidden_text_problem(workspace_name, "The workspace name", lookalikes=False)
    if problem:
        raise Invalid(problem, field="workspace_name")
    now = timezone.now()
    active = (
        BetaLink.objects.filter(
            integration=integration, email=email, revoked_at__isnull=True, expires_at__gt=now
        )
        .order_by("-created_at")
        .first()
    )
    if active is not None:
        raise Conflict(
            f"{email} already has an invite that works until "
            f"{date_format(active.expires_at, 'F j, Y')}. Extend it, or revoke it to send a new "
            "link.",
            field="email",
        )
    if not actor.is_staff:
        within_daily_cap(
            made=BetaLink.objects.filter(integration=integration),
            limit=settings.BETA_INVITES_PER_DAY,
            what=f"beta invitations for {integration.name}",
            now=now,
        )
    token, token_hash = tokens.new_token()
    link = BetaLink.objects.create(
        integration=integration,
        email=email,
        workspace_name=workspace_name,
        token_hash=token_hash,
        created_by=actor,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    audit_record(
        action=Action.BETA_LINK_ISSUED,
        actor=actor,
        integration=integration,
        target=link,
        new_value={
            "email": email,
            "workspace_name": workspace_name,
            "expires_at": link.expires_at.isoformat(),
        },
    )
    notify(
        event=str(Action.BETA_LINK_ISSUED),
        kind=Kind.INVITATIONS,
        recipients=[email],
        template="beta_invitation",
        context={
            "link": link,
            "beta_url": beta_url(token),
            "platform_url": platform_url(integration),
            "inviter": actor,
        },
        integration=integration,
    )
    return link, token


@transaction.atomic
def beta_link_revoke(*, actor: User, integration_id: int, link_id: int) -> BetaLink:
    link = _lock_link(integration_id, link_id)
    _check_manage(actor, link.integration)
    if link.is_revoked:
        raise Conflict(f"The invite for {link.email} is already revoked.")
    link.revoked_at = timezone.now()
    link.revoked_by = actor
    link.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        action=Action.BETA_LINK_REVOKED,
        actor=actor,
        integration=link.integration,
        target=link,
        old_value={"revoked_at": None},
        new_value={"revoked_at": link.revoked_at.isoformat()},
    )
    return link


@transaction.atomic
def beta_link_extend(*, actor: User, integration_id: int, link_id: int, days: int) -> BetaLink:
    """Push the expiry ``days`` past the later of now and the current expiry."""
    days = _check_days(days)
    link = _lock_link(integration_id, link_id)
    _check_manage(actor, link.integration)
    if link.is_revoked:
        raise Conflict(f"The invite for {link.email} is revoked; issue a new one instead.")
    old = link.expires_at
    limit = link.created_at + timedelta(days=MAX_LIFETIME_DAYS)
    wanted = max(old, timezone.now()) + timedelta(days=days)
    if wanted > limit:
        if old >= limit:
            raise Conflict(
                f"The invite for {link.email} already runs the longest a beta link may live "
                f"({MAX_LIFETIME_DAYS} days from its issue). Issue a new one if it still needs "
                "access then.",
            )
        raise Invalid(
            f"A beta link lives at most {MAX_LIFETIME_DAYS} days from its issue: this one can be "
            f"extended until {date_format(limit, 'F j, Y')}, "
            f"{max(1, (limit - max(old, timezone.now())).days)} days at most.",
            field="days",
        )
    link.expires_at = wanted
    link.save(update_fields=["expires_at"])
    audit_record(
        action=Action.BETA_LINK_EXTENDED,
        actor=actor,
        integration=link.integration,
        target=link,
        old_value={"expires_at": old.isoformat()},
        new_value={"expires_at": link.expires_at.isoformat()},
    )
    return link


# --- The customer's side ------------------------------------------------------------------------


def _throttle_key(client_ip: str, now: float) -> tuple[str, int]:
    window = int(now // THROTTLE_WINDOW)
    retry_after = max(1, int((window + 1) * THROTTLE_WINDOW - now))
    return f"beta-bad-token:{client_ip}:{window}", retry_after


def _check_throttle(client_ip: str) -> None:
    key, retry_after = _throttle_key(client_ip, time.time())
    if throttle.count(key) >= THROTTLE_LIMIT:
        raise Throttled(
            "Too many beta links that don't work were opened from your network. "
            "Wait a few minutes, then open the link from your invitation again.",
            retry_after=retry_after,
        )


def _count_bad_token(client_ip: str) -> None:
    key, _ = _throttle_key(client_ip, time.time())
    throttle.add_one(key, seconds=THROTTLE_WINDOW + 60)


# --- The token lookup and the open count, on every beta page open -------------------------------

# The link, its integration and whether it is confirmed, in one query; ``_lookup`` adds the token.
_LINKS = BetaLink.objects.select_related("integration").annotate(
    is_verified=Exists(CustomerVerification.objects.filter(beta_link=OuterRef("pk")))
)


def _lookup(token_hash: str) -> BetaLink | None:
    try:
        return _LINKS.get(token_hash=token_hash)
    except BetaLink.DoesNotExist:
        return None


NOT_FOUND = (
    "Check that you copied the whole link from your invitation email. If it still doesn't "
    "work, ask the person who invited you for a new one."
)


def beta_link_resolve(*, token: str, client_ip: str, now=None, cached: bool = False) -> BetaLink:
    """The one place where a token is judged. Returns a usable link or raises a refusal.

    The token is looked up before the throttle is consulted, so a valid link always opens, even
    from an address that sent many bad ones; only bad tokens are throttled. A throttled address
    gets the same 429 for every bad token, malformed or well-formed, so throttling still caps how
    many guesses it can tell apart; a malformed one costs no query.

    ``cached``: the lookup may come from ``catalog.cache.beta_lookup`` (opening the page);
    confirming always reads the database.
    """
    link = None
    if tokens.is_well_formed(token):
        token_hash = tokens.hash_token(token)
        if cached:
            link = page_cache.beta_lookup(token_hash, functools.partial(_lookup, token_hash))
        else:
            link = _lookup(token_hash)
        if link is not None and not tokens.hashes_match(link.token_hash, token_hash):
            link = None
    if link is None:
        _check_throttle(client_ip)
        _count_bad_token(client_ip)
        raise NotFound(NOT_FOUND, title="This beta link doesn't work")
    if link.is_revoked:
        raise Gone(
            "The invitation was revoked. Ask the person who invited you for a new link.",
            title="This beta link was withdrawn",
        )
    if link.is_expired(now):
        raise Gone(
            f"The invitation ended on {date_format(link.expires_at, 'F j, Y')}. "
            "Ask the person who invited you to extend it.",
            title="This beta link has expired",
        )
    if link.integration.stage not in (Stage.PRIVATE_BETA, Stage.PUBLIC) or not (
        link.integration.is_active
    ):
        raise NotFound(
            "The integration is not open for beta testing right now. Try again later or ask "
            "the person who invited you.",
            title="This beta is paused",
        )
    return link


def beta_link_open(*, token: str, client_ip: str) -> BetaLink:
    link = beta_link_resolve(token=token, client_ip=client_ip, cached=True)
    beta_link_record_open(link=link)
    return link


@transaction.atomic
def customer_verify(
    *, token: str, client_ip: str, workspace_name: str, note: str = ""
) -> tuple[CustomerVerification, bool]:
    """Record that the integration works in the customer's workspace.

    One verification per link: a second submission returns the first one and ``created=False``.
    """
    link = beta_link_resolve(token=token, client_ip=client_ip)
    link = (
        BetaLink.objects.select_for_update(of=("self",))
        .select_related("integration")
        .get(pk=link.pk)
    )
    workspace_name = " ".join((workspace_name or "").split())
    note = (note or "").strip()
    for field, value, what, lines in (
        ("workspace_name", workspace_name, "The workspace name", False),
        ("note", note, "The note", True),
    ):
        problem = hidden_text_problem(value, what, lookalikes=False, lines=lines)
        if problem:
            raise Invalid(problem, field=field)
    if not workspace_name:
        raise Invalid(
            "Enter the name of the workspace where you tried it.",
            field="workspace_name",
        )
    if len(workspace_name) > 200:
        raise Invalid("Keep the workspace name under 200 characters.", field="workspace_name")
    if len(note) > 2000:
        raise Invalid("Keep the note under 2,000 characters.", field="note")
    existing = link.verifications.first()
    if existing is not None:
        return existing, False
    integration = link.integration
    try:
        with transaction.atomic():
            verification = CustomerVerification.objects.create(
                integration=integration,
                beta_link=link,
                workspace_name=workspace_name,
                note=note,
                ip_address=client_ip or None,
            )
    except IntegrityError:
        return link.verifications.get(), False
    audit_record(
        action=Action.CUSTOMER_VERIFIED,
        actor=f"beta customer {link.email}",
        integration=integration,
        target=verification,
        new_value={"workspace_name": workspace_name, "email": link.email},
        note=note,
        ip_address=client_ip or None,
    )
    notify(
        event=str(Action.CUSTOMER_VERIFIED),
        kind=Kind.VERIFICATIONS,
        recipients=[*partner_recipients(integration), *staff_recipients()],
        template="verification_recorded",
        context={"verification": verification, "link": link},
        integration=integration,
    )
    return verification, True
