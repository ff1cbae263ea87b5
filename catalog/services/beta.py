"""Private-beta links: issue, revoke, extend, open, and the customer's verification.

Every way a token can fail (malformed, unknown, expired, revoked, throttled, integration not in
beta) is decided in one place, ``beta_link_resolve``, which raises one of the refusal
kinds of ``catalog.errors``; the beta-token page decorator renders it as one plain page.
"""

import functools
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connections, router, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from catalog import permissions, tokens
from catalog.audit import Action
from catalog.errors import Conflict, Forbidden, Gone, Invalid, NotFound, Throttled
from catalog.models import BetaLink, CustomerVerification, Integration, Stage, User
from catalog.notifications import Kind, notify, partner_recipients, staff_recipients
from catalog.services.audit import audit_record

MAX_DAYS = 365
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


def _check_manage(actor: User, integration: Integration) -> None:
    if not can_manage_beta_links(actor, integration):
        raise Forbidden(
            "Only the partner's owners and staff with the beta-links permission can do that."
        )


def _lock_integration(integration_id: int) -> Integration:
    try:
        return Integration.objects.select_for_update().get(pk=integration_id)
    except (Integration.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such integration.") from None


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
    integration = _lock_integration(integration_id)
    _check_manage(actor, integration)
    if integration.stage != Stage.PRIVATE_BETA:
        raise Conflict(
            f"{integration.name} is in {integration.get_stage_display()}: beta invites can be "
            "sent while it is in private beta.",
        )
    email = (email or "").strip().lower()
    if not email:
        raise Invalid("Enter the customer's email address.", field="email")
    days = _check_days(settings.BETA_LINK_DEFAULT_DAYS if days is None else days)
    workspace_name = " ".join((workspace_name or "").split())[:200]
    now = timezone.now()
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
    link.expires_at = max(old, timezone.now()) + timedelta(days=days)
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
    if (cache.get(key) or 0) >= THROTTLE_LIMIT:
        raise Throttled(
            "Too many beta links that don't work were opened from your network. "
            "Wait a few minutes, then open the link from your invitation again.",
            retry_after=retry_after,
        )


def _count_bad_token(client_ip: str) -> None:
    key, _ = _throttle_key(client_ip, time.time())
    if cache.add(key, 1, THROTTLE_WINDOW + 60):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, THROTTLE_WINDOW + 60)


# --- The token lookup and the open count, on every beta page open -------------------------------
# Both run on every open of a beta page, so their SQL is written once per process from the
# models' own table and column names (never from input) instead of being built by the ORM on each
# request: building the join below costs several times more than running it. Values go through
# the database's own converters and rows become ordinary model instances, as with the ORM.


def _column(model, name: str, alias: str = "") -> str:
    quoted = connections[model.objects.db].ops.quote_name(model._meta.get_field(name).column)
    return f"{alias}.{quoted}" if alias else quoted


def _table(model) -> str:
    return connections[model.objects.db].ops.quote_name(model._meta.db_table)


def _all_columns(model, alias: str) -> list[str]:
    return [_column(model, f.name, alias) for f in model._meta.concrete_fields]


@functools.cache
def _lookup_sql(vendor: str) -> str:
    """The ORM's ``BetaLink.objects.select_related("integration").filter(token_hash=...)``
    plus the ``is_verified`` of ``with_state()``."""
    verified = (
        f"EXISTS (SELECT 1 FROM {_table(CustomerVerification)} v "  # noqa: S608 - from _meta
        f"WHERE {_column(CustomerVerification, 'beta_link', 'v')} = {_column(BetaLink, 'id', 'l')})"
    )
    columns = [*_all_columns(BetaLink, "l"), *_all_columns(Integration, "i"), verified]
    return (
        f"SELECT {', '.join(columns)} FROM {_table(BetaLink)} l "  # noqa: S608 - from _meta
        f"INNER JOIN {_table(Integration)} i "
        f"ON {_column(Integration, 'id', 'i')} = {_column(BetaLink, 'integration', 'l')} "
        f"WHERE {_column(BetaLink, 'token_hash', 'l')} = %s"
    )


@functools.cache
def _open_sql(vendor: str) -> str:
    """The ORM's ``update(open_count=F("open_count") + 1,
    first_opened_at=Coalesce("first_opened_at", now), last_opened_at=now)``."""
    count, first, last = (
        _column(BetaLink, n) for n in ("open_count", "first_opened_at", "last_opened_at")
    )
    return (
        f"UPDATE {_table(BetaLink)} SET {count} = {count} + 1, "  # noqa: S608 - from _meta
        f"{first} = COALESCE({first}, %s), {last} = %s WHERE {_column(BetaLink, 'id')} = %s"
    )


@functools.lru_cache(maxsize=64)
def _converters(connection, model) -> list[tuple]:
    """Per column of ``model``: the column expression and the converters the ORM would apply."""
    columns = [field.get_col(model._meta.db_table) for field in model._meta.concrete_fields]
    return [
        (column, connection.ops.get_db_converters(column) + column.get_db_converters(connection))
        for column in columns
    ]


def _instance(connection, model, values):
    """A model instance from raw column values, converted as the ORM converts them."""
    converted = []
    for (column, converters), value in zip(_converters(connection, model), values, strict=True):
        for converter in converters:
            value = converter(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, _attnames(model), converted)


@functools.cache
def _attnames(model) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def _link_by_hash(token_hash: str) -> BetaLink | None:
    """The link with this token hash, its integration loaded and ``is_verified`` set, in one
    query; ``None`` when there is none."""
    connection = connections[BetaLink.objects.db]
    with connection.cursor() as cursor:
        cursor.execute(_lookup_sql(connection.vendor), [token_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(BetaLink._meta.concrete_fields)
    link = _instance(connection, BetaLink, row[:split])
    link.integration = _instance(connection, Integration, row[split:-1])
    link.is_verified = bool(row[-1])
    return link


NOT_FOUND = (
    "Check that you copied the whole link from your invitation email. If it still doesn't "
    "work, ask the person who invited you for a new one."
)


def beta_link_resolve(*, token: str, client_ip: str, now=None) -> BetaLink:
    """The one place where a token is judged. Returns a usable link or raises a refusal."""
    _check_throttle(client_ip)
    link = None
    if tokens.is_well_formed(token):
        token_hash = tokens.hash_token(token)
        link = _link_by_hash(token_hash)
        if link is not None and not tokens.hashes_match(link.token_hash, token_hash):
            link = None
    if link is None:
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
    if link.integration.stage not in (Stage.PRIVATE_BETA, Stage.PUBLIC):
        raise NotFound(
            "The integration is not open for beta testing right now. Try again later or ask "
            "the person who invited you.",
            title="This beta is paused",
        )
    return link


def beta_link_open(*, token: str, client_ip: str) -> BetaLink:
    link = beta_link_resolve(token=token, client_ip=client_ip)
    beta_link_record_open(link=link)
    return link


def beta_link_record_open(*, link: BetaLink) -> None:
    """Count an open in one UPDATE, so simultaneous opens are all counted.

    The statement is the ORM's ``update(open_count=F("open_count") + 1, first_opened_at=
    Coalesce(...), last_opened_at=now)``, written out once (see ``_link_by_hash`` for why).
    """
    connection = connections[router.db_for_write(BetaLink)]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_open_sql(connection.vendor), [now, now, link.pk])


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
