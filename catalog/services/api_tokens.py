"""Partner API tokens: owners create and revoke them; every request presents one.

A token is ``ppat_`` followed by ``secrets.token_urlsafe(32)``; it is shown once and only its
SHA-256 is stored. A token acts as the owner who made it, for as long as that person is an active
owner of the same partner. Every way a token can fail (malformed, unknown, expired, revoked, its
owner gone) is refused in one place, ``api_token_authenticate``, with one message.
"""

import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog import throttle, tokens
from catalog.audit import Action
from catalog.errors import Forbidden, Invalid, NotFound, Throttled, Unauthorized
from catalog.models import ApiToken, User
from catalog.services.audit import audit_record
from catalog.validation.characters import unsafe_in_text

PREFIX = "ppat_"
SHOWN_PREFIX = 10  # "ppat_" and the first five random characters, to tell tokens apart
MAX_NAME = 100
MAX_DAYS = 366
# last_used_at is written at most this often per token, so a busy CI run costs no write per call.
LAST_USED_PRECISION = timedelta(minutes=1)
REFUSED = (
    "This API token is missing, expired or revoked. An owner of your company can create a new "
    "one on the API tokens page."
)
OWNERS_ONLY = "Only an owner of your company can create or revoke API tokens."


def _require_owner(actor: User) -> None:
    if not (actor and actor.is_authenticated and actor.is_active and actor.is_partner_owner):
        raise Forbidden(OWNERS_ONLY)


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise Invalid(
            "Name the token after where it is used, such as “GitHub Actions”.", field="name"
        )
    if len(name) > MAX_NAME:
        raise Invalid(f"The name can be at most {MAX_NAME} characters.", field="name")
    problem = unsafe_in_text(name)
    if problem:
        raise Invalid(f"The name contains {problem}; remove it.", field="name")
    return name


def _clean_days(days) -> int | None:
    if days in (None, ""):
        return None
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise Invalid("Enter the number of days as a whole number.", field="days") from None
    if not 1 <= days <= MAX_DAYS:
        raise Invalid(f"A token can last from 1 to {MAX_DAYS} days.", field="days")
    return days


@transaction.atomic
def api_token_create(
    *, actor: User, name: str, days: int | None = None, now: datetime | None = None
) -> tuple[ApiToken, str]:
    """Make a token for the actor's partner. Returns the row and the token, to show once."""
    _require_owner(actor)
    name = _clean_name(name)
    days = _clean_days(days)
    now = now or timezone.now()
    secret, _ = tokens.new_token()
    raw = PREFIX + secret
    token = ApiToken.objects.create(
        partner_id=actor.partner_id,
        created_by=actor,
        name=name,
        token_hash=tokens.hash_token(raw),
        prefix=raw[:SHOWN_PREFIX],
        created_at=now,
        expires_at=now + timedelta(days=days) if days else None,
    )
    audit_record(
        action=Action.API_TOKEN_CREATED,
        actor=actor,
        partner=actor.partner,
        target=token,
        new_value={
            "name": name,
            "prefix": token.prefix,
            "expires_at": token.expires_at.isoformat() if token.expires_at else None,
        },
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: User, token_id: int, now: datetime | None = None) -> ApiToken:
    _require_owner(actor)
    try:
        token = ApiToken.objects.select_for_update().get(pk=token_id, partner_id=actor.partner_id)
    except (ApiToken.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such API token.") from None
    if token.revoked_at is not None:
        return token
    token.revoked_at = now or timezone.now()
    token.revoked_by = actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        action=Action.API_TOKEN_REVOKED,
        actor=actor,
        partner=actor.partner,
        target=token,
        old_value={"revoked_at": None},
        new_value={"name": token.name, "prefix": token.prefix},
    )
    return token


def _well_formed(raw: str) -> bool:
    return raw.startswith(PREFIX) and tokens.is_well_formed(raw[len(PREFIX) :])


def api_token_authenticate(*, raw: str, client_ip: str = "", now: datetime | None = None):
    """The token's row (with ``created_by`` loaded) for a presented token, counted against the
    token's throttle; ``Unauthorized`` for every kind of bad token, ``Throttled`` past a limit.
    Bad tokens are counted per address, so guessing is slow; a good token is never refused
    because of someone else's bad ones."""
    raw = (raw or "").strip()
    bad_key = f"api-bad-token:{client_ip}"
    token = None
    if _well_formed(raw):
        token = (
            ApiToken.objects.select_related("created_by", "partner")
            .filter(token_hash=tokens.hash_token(raw))
            .first()
        )
    now = now or timezone.now()
    if token is None or not tokens.hashes_match(token.token_hash, tokens.hash_token(raw)):
        _count_bad(bad_key)
        raise Unauthorized(REFUSED)
    owner = token.created_by
    if (
        not token.is_usable(now)
        or not owner.is_active
        or owner.partner_id != token.partner_id
        or not owner.is_partner_owner
    ):
        _count_bad(bad_key)
        raise Unauthorized(REFUSED)
    _spend(
        f"api-token:{token.pk}",
        limit=settings.API_TOKEN_RATE,
        message=(
            f"This token made more than {settings.API_TOKEN_RATE} requests in "
            f"{settings.API_TOKEN_RATE_WINDOW} seconds. Wait, then try again."
        ),
    )
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def _count_bad(key: str) -> None:
    _spend(
        key,
        limit=settings.API_BAD_TOKEN_LIMIT,
        message="Too many requests with API tokens that don't work. Wait, then try again.",
    )


def _spend(name: str, *, limit: int, message: str) -> None:
    """Count one request in the current fixed window of ``name``; past ``limit``, refuse it."""
    window = settings.API_TOKEN_RATE_WINDOW
    now = time.time()
    number = int(now // window)
    key = f"{name}:{window}:{number}"
    if throttle.count(key) >= limit:
        raise Throttled(message, retry_after=max(1, int((number + 1) * window - now)))
    throttle.add_one(key, seconds=window + 5)
