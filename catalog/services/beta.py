"""Private-beta links: issue, revoke, extend, open, and the customer's verification.

Every way a token can fail (malformed, unknown, expired, revoked, throttled, integration not in
beta) is decided in one place, ``beta_link_resolve``, which raises one of the refusal
kinds of ``catalog.errors``; the beta-token page decorator renders it as one plain page.
"""

import functools
import logging
import time
import uuid
from datetime import UTC, datetime, timedelta

import redis
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Value
from django.db.models.functions import Coalesce, Greatest, Least
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from catalog import cache as page_cache
from catalog import permissions, throttle, tokens
from catalog.audit import Action
from catalog.errors import Conflict, Forbidden, Gone, Invalid, NotFound, Throttled
from catalog.models import BetaLink, BetaOpenFold, CustomerVerification, Integration, Stage, User
from catalog.notifications import Kind, notify, partner_recipients, staff_recipients
from catalog.redis_sender import Sender
from catalog.services.access import lock_integration
from catalog.services.audit import audit_record
from catalog.services.quotas import within_daily_cap
from catalog.validation.characters import hidden_text_problem

logger = logging.getLogger(__name__)

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


def beta_link_record_open(*, link: BetaLink) -> None:
    """Count an open: in Redis when ``BETA_OPENS_REDIS_URL`` is set (``beta_opens_fold`` adds it
    to the link later), else, or when Redis fails, in one UPDATE, so simultaneous opens are all
    counted."""
    now = timezone.now()
    if settings.BETA_OPENS_REDIS_URL:
        # Sent without waiting for Redis's reply (``catalog.redis_sender``); opens Redis refused
        # or that could not be sent come back, this one included, and are counted here.
        _, sender = _redis(settings.BETA_OPENS_REDIS_URL)
        open_ = (link.pk, _micros(now))
        for link_id, micros in sender.run_script([OPENS_KEY], list(open_), tag=open_):
            moment = _moment(micros)
            _add_opens(link_id, 1, first=moment, last=moment)
        return
    BetaLink.objects.filter(pk=link.pk).update(
        open_count=F("open_count") + 1,
        first_opened_at=Coalesce("first_opened_at", Value(now)),
        last_opened_at=Value(now),
    )


def _add_opens(link_id: int, count: int, *, first, last) -> None:
    """``count`` opens between ``first`` and ``last`` (a fold may bring them after later ones)."""
    BetaLink.objects.filter(pk=link_id).update(
        open_count=F("open_count") + count,
        first_opened_at=Least(Coalesce("first_opened_at", Value(first)), Value(first)),
        last_opened_at=Greatest(Coalesce("last_opened_at", Value(last)), Value(last)),
    )


# --- Opens counted in Redis ---------------------------------------------------------------------
# Each open adds to one hash, ``<link id>:n`` (count), ``:first`` and ``:last`` (microseconds since
# the epoch). The fold renames the hash (new opens start a new one), names the batch, adds it to
# the links and records the batch in one transaction, then deletes it. A fold that dies before its
# commit leaves the batch to the next fold; one that dies after it leaves a batch the database
# already holds, which the next fold deletes without adding it again.

OPENS_KEY = "beta-opens"
FOLDING_KEY = "beta-opens:folding"
_BATCH = "batch"
_COUNT_OPEN = """
local n, first, last = ARGV[1] .. ':n', ARGV[1] .. ':first', ARGV[1] .. ':last'
local now = tonumber(ARGV[2])
redis.call('HINCRBY', KEYS[1], n, 1)
local seen = redis.call('HGET', KEYS[1], first)
if not seen or tonumber(seen) > now then redis.call('HSET', KEYS[1], first, ARGV[2]) end
seen = redis.call('HGET', KEYS[1], last)
if not seen or tonumber(seen) < now then redis.call('HSET', KEYS[1], last, ARGV[2]) end
"""
FOLDS_KEPT = timedelta(days=7)


@functools.cache
def _redis(url: str) -> tuple[redis.Redis, Sender]:
    """A client for the fold, and the sender of opens (one connection per process)."""
    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return client, Sender(url, script=_COUNT_OPEN)


def _micros(moment) -> int:
    return int(moment.timestamp() * 1_000_000)


def _moment(micros: bytes | int):
    return datetime.fromtimestamp(int(micros) / 1_000_000, tz=UTC)


def beta_opens_settle() -> None:
    """Wait until Redis has run every open this process sent; count those it refused here.
    (Other processes' opens in flight join the next fold.)"""
    _, sender = _redis(settings.BETA_OPENS_REDIS_URL)
    for link_id, micros in sender.wait_for_replies():
        _add_opens(link_id, 1, first=_moment(micros), last=_moment(micros))


def beta_opens_fold() -> int:
    """Add the opens counted in Redis to the links; returns how many were added."""
    if not settings.BETA_OPENS_REDIS_URL:
        return 0
    beta_opens_settle()
    client, _ = _redis(settings.BETA_OPENS_REDIS_URL)
    # a batch left by a fold that died goes first; else the opens so far become the batch
    if not client.exists(FOLDING_KEY):
        try:
            client.renamenx(OPENS_KEY, FOLDING_KEY)
        except redis.ResponseError:  # no opens since the last fold
            return 0
    client.hsetnx(FOLDING_KEY, _BATCH, uuid.uuid4().hex)
    fields = {k.decode(): v for k, v in client.hgetall(FOLDING_KEY).items()}
    batch = fields.pop(_BATCH).decode()
    opens: dict[int, dict[str, bytes]] = {}
    for name, value in fields.items():
        link_id, part = name.split(":")
        opens.setdefault(int(link_id), {})[part] = value
    total = sum(int(values["n"]) for values in opens.values())
    with transaction.atomic():
        _, new = BetaOpenFold.objects.get_or_create(batch=batch, defaults={"opens": total})
        if new:
            for link_id, values in sorted(opens.items()):
                _add_opens(
                    link_id,
                    int(values["n"]),
                    first=_moment(values["first"]),
                    last=_moment(values["last"]),
                )
            BetaOpenFold.objects.filter(folded_at__lt=timezone.now() - FOLDS_KEPT).delete()
    client.delete(FOLDING_KEY)
    return total if new else 0


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
