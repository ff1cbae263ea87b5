"""Cached pages and their invalidation, in one place, wired by ``CatalogConfig.ready()``.

What is cached
- Public catalog responses for anonymous visitors (``cached_public_response``), keyed on the
  catalog version: the database's view of the public entries (count, last update, live revisions),
  read at most once a second, plus the generation below.
- The customer's beta page: the catalog entry as ``catalog/_listing.html`` renders it, once per
  integration (``beta_listing_html``), and each link's whole page (``beta_page``) keyed on every
  value it shows, all read by the token lookup itself (the link's expiry, workspace and
  confirmation; the integration's name, slug, stage, ``updated_at`` and live revision) plus the
  generation. The token is never in a key or a value (keys use its hash, pages post to ``verify/``).
- The token lookup itself (``beta_lookup``), in the process's memory for ``LOOKUP_SECONDS`` at
  most, keyed on the generations: building the ORM query costs more than the rest of an open.

Invalidation: two generation numbers in the cache, one for what a catalog entry shows
(integrations, metadata revisions, screenshots, categories) and one for beta links and their
confirmations, each moved on by every write to its models: ``post_save``/``post_delete`` and
``rows_changed``, which the models' querysets send for ``update()``, ``bulk_update()`` and
``bulk_create()`` (``catalog.models.changes``), so a bulk write is seen at the next open like a
save. A generation moves on when the transaction commits (once per transaction and key), never
inside it: a cache outage cannot roll a change back, and a page rendered from rows read before the
commit is not kept. Recording a beta open (``BetaLink.OPEN_FIELDS`` only) moves nothing. Every
cache call degrades: with Redis down (``catalog.cache_backends``) a read is a miss and a write is
skipped, so pages are rendered uncached.

With several web processes use a shared cache (``CACHE_URL=redis://…``): the generation is then
shared, and every process sees a write at once. With the per-process default, another process sees
an integration's own changes and any change to a link at once for its pages (their keys carry the
values read from the database; the lookup is kept one second), and other changes (a screenshot's
thumbnail, a category's name) when its cached copy expires.
"""

import copy
import functools
import hashlib
import time
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone, translation

from catalog.models import (
    BetaLink,
    Category,
    CustomerVerification,
    Integration,
    MetadataImage,
    MetadataRevision,
    Stage,
)
from catalog.models.changes import rows_changed

# Models whose rows a cached page or lookup shows, by the generation their writes move on.
LISTINGS_KEY = "generation-listings"
LINKS_KEY = "generation-beta-links"
WATCHED = {
    Integration: LISTINGS_KEY,
    MetadataRevision: LISTINGS_KEY,
    MetadataImage: LISTINGS_KEY,
    Category: LISTINGS_KEY,
    BetaLink: LINKS_KEY,
    CustomerVerification: LINKS_KEY,
}
PAGE_SECONDS = 300
# A cached token lookup is used for at most this long; any write in this process (or, with a
# shared cache, in any process) ends it at once.
LOOKUP_SECONDS = 1

# --- Invalidation -------------------------------------------------------------------------------


def generations() -> tuple[int, int]:
    """(listings, beta links)"""
    found = cache.get_many([LISTINGS_KEY, LINKS_KEY])
    return found.get(LISTINGS_KEY, 0), found.get(LINKS_KEY, 0)


def move_on(key: str) -> None:
    """A write to something a cached page shows: no page or lookup cached before is used again."""
    try:
        cache.incr(key)
    except ValueError:  # not set yet, or evicted
        cache.set(key, 1, None)
    if key == LISTINGS_KEY:
        cache.delete(VERSION_KEY)
    forget_lookups()


def _changed(sender, **kwargs) -> None:
    if sender is BetaLink and _only_open_fields(kwargs):
        return
    key = WATCHED[sender]
    if _scheduled(key):
        return
    # After commit only (at once outside a transaction): a cache outage or a slow cache never
    # touches the change itself, and a page rendered from rows read before the commit is not
    # kept, because the generation moves on after it.
    transaction.on_commit(functools.partial(move_on, key), robust=True)


def _scheduled(key: str) -> bool:
    """Whether this transaction already moves ``key`` on at commit (one move is enough)."""
    connection = transaction.get_connection()
    return connection.in_atomic_block and any(
        getattr(func, "func", None) is move_on and func.args == (key,)
        for _, func, _ in connection.run_on_commit
    )


def _only_open_fields(kwargs) -> bool:
    fields = kwargs.get("fields") or kwargs.get("update_fields")
    return bool(fields) and set(fields) <= BetaLink.OPEN_FIELDS


def connect() -> None:
    signals = {"saved": post_save, "deleted": post_delete, "rows": rows_changed}
    for model in WATCHED:
        for name, signal in signals.items():
            signal.connect(_changed, sender=model, dispatch_uid=f"cache-{name}-{model.__name__}")


# --- The public catalog -------------------------------------------------------------------------

VERSION_KEY = "public-catalog-version"
# The database's part of the version is read at most once a second per cache.
VERSION_SECONDS = 1
_KEPT_HEADERS = ("Content-Type", "Access-Control-Allow-Origin")


def _catalog_facts() -> tuple[str, datetime | None]:
    """(version, newest change): the version changes whenever a public entry changes (count,
    last update, live revisions) and with every write the generation counts."""
    facts = cache.get(VERSION_KEY)
    if facts is None:
        found = Integration.objects.filter(stage=Stage.PUBLIC).aggregate(
            count=Count("pk"), updated=Max("updated_at"), live=Sum("live_metadata_id")
        )
        listings, _ = generations()
        updated = found["updated"]
        version = f"{found['count']}:{updated.isoformat() if updated else ''}:{found['live']}"
        facts = (f"{version}:{listings}", updated)
        cache.set(VERSION_KEY, facts, VERSION_SECONDS)
    return facts


def catalog_version() -> str:
    return _catalog_facts()[0]


def catalog_updated_at() -> datetime | None:
    """The newest change of a public entry (Last-Modified costs no query of its own)."""
    return _catalog_facts()[1]


def _is_plain_visit(request) -> bool:
    """No session, no messages: the page has no personal header, message or CSRF token."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


# The query parameters the public pages and API understand; a request carrying any other is
# rendered without the cache, so made-up parameters (``?flush=N``) cannot fill it.
PUBLIC_PARAMS = frozenset({"q", "category", "page", "page_size"})


def _cache_key_query(request) -> str | None:
    """The query as the cache keys it (sorted), or None when it has a parameter no public page
    understands or repeats one."""
    if set(request.GET) - PUBLIC_PARAMS:
        return None
    if any(len(values) > 1 for _, values in request.GET.lists()):
        return None
    return "&".join(f"{k}={request.GET[k]}" for k in sorted(request.GET))


def cached_public_response(view):
    """Serve the same bytes to every anonymous visitor while the catalog is unchanged. Others,
    and requests with parameters the pages do not understand, are rendered as usual."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        query = _cache_key_query(request)
        if not _is_plain_visit(request) or query is None:
            return view(request, *args, **kwargs)
        raw = f"{request.get_host()}|{request.path}?{query}|{catalog_version()}"
        key = "public-page:" + hashlib.sha256(raw.encode()).hexdigest()
        hit = cache.get(key)
        if hit is not None:
            content, headers = hit
            return HttpResponse(content, headers=headers)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            headers = {h: response[h] for h in _KEPT_HEADERS if h in response}
            cache.set(key, (response.content, headers), PAGE_SECONDS)
        return response

    return wrapper


# --- The customer's beta page -------------------------------------------------------------------


# Token lookups of this process: {(token hash, generations): (valid until, link)}. In memory,
# not in the cache: a hit costs no pickling and no round trip to a shared cache (with it, an open
# read the cache four times). At most LOOKUPS_KEPT entries; a write moving a generation on here
# forgets them all, and one elsewhere changes every key.
_LOOKUPS: dict = {}
LOOKUPS_KEPT = 10_000


def forget_lookups() -> None:
    _LOOKUPS.clear()


def beta_lookup(token_hash: str, load):
    """``load()`` (the token lookup), or its result of the last ``LOOKUP_SECONDS`` if nothing
    was written since. A missing link is not kept: bad tokens are counted by the caller. The
    link carries the generations read here, so its page is keyed without reading them again."""
    found = generations()
    key = (token_hash, found)
    now = time.monotonic()
    hit = _LOOKUPS.get(key)
    if hit is not None and hit[0] > now:
        link = copy.copy(hit[1])  # its own state per request; the integration is shared
    else:
        link = load()
        if link is None:
            return None
        if len(_LOOKUPS) >= LOOKUPS_KEPT:
            _LOOKUPS.clear()
        _LOOKUPS[key] = (now + LOOKUP_SECONDS, copy.copy(link))
    link.cache_generations = found
    return link


def _integration_key(integration, generations_read=None) -> str:
    stamp = integration.updated_at.isoformat() if integration.updated_at else ""
    listings = (generations_read or generations())[0]
    return (
        f"{integration.pk}|{stamp}|{integration.live_metadata_id}|{integration.stage}|"
        f"{integration.name}|{integration.slug}|{listings}"
    )


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def beta_listing_html(integration, render) -> str:
    """The integration's catalog entry as HTML (``render()``), kept while it is unchanged."""
    key = "beta-listing:" + _digest(_integration_key(integration))
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, PAGE_SECONDS)
    return html


def beta_page(request, link, render) -> HttpResponse:
    """The plain visit of ``link``'s page (no login, no messages, a fresh form): ``render()``
    once, then the same bytes while nothing it shows has changed."""
    if not _is_plain_visit(request):
        return render()
    raw = (
        f"{link.pk}|{link.expires_at.isoformat()}|{link.workspace_name}|{link.is_verified}|"
        f"{translation.get_language()}|{timezone.get_current_timezone_name()}|"
        f"{_integration_key(link.integration, getattr(link, 'cache_generations', None))}"
    )
    key = "beta-page:" + _digest(raw)
    content = cache.get(key)
    if content is None:
        response = render()
        if response.status_code != 200:
            return response
        content = response.content
        cache.set(key, content, PAGE_SECONDS)
    return HttpResponse(content)
