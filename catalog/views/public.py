"""Public catalog pages: anyone may read them; they never show partner data or support emails.

The reads are in ``catalog/selectors/public.py``, shared with the JSON API
(``catalog/api/public.py``).
"""

import hashlib
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from catalog.listing import listing_for
from catalog.models import Category, Integration, MetadataImage, MetadataRevision, Stage
from catalog.selectors.public import (
    NEW_DAYS,
    category_by_slug,
    new_integrations,
    public_integration,
    public_integrations,
)
from catalog.services.beta import platform_url
from catalog.views.conditional import conditional_public

PAGE_SIZE = 24
MAX_SEARCH = 100
# Rendered public responses are reused for this long at most; any change to a public
# integration (stage, approved metadata, import) changes the version and so the key at once.
CACHE_SECONDS = 300
_KEPT_HEADERS = ("Content-Type", "Access-Control-Allow-Origin")
# The table name comes from the model, never from input.
_VERSION_SQL = (
    "SELECT COUNT(*), MAX(updated_at), SUM(live_metadata_id) "  # noqa: S608
    f"FROM {Integration._meta.db_table} WHERE stage = %s"
)


VERSION_KEY = "public-catalog-version"
# The version is read from the database at most once a second per cache; any save of an
# integration, revision, screenshot or category in this process forgets it at once.
VERSION_SECONDS = 1


def catalog_version() -> str:
    """Changes whenever a public entry changes (count, last update, live revisions)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        # Raw SQL: building the ORM aggregate costs more than running it.
        with connection.cursor() as cursor:
            cursor.execute(_VERSION_SQL, [Stage.PUBLIC])
            version = ":".join(map(str, cursor.fetchone()))
        cache.set(VERSION_KEY, version, VERSION_SECONDS)
    return version


def forget_catalog_version(**kwargs) -> None:
    cache.delete(VERSION_KEY)


for _model in (Integration, MetadataRevision, MetadataImage, Category):
    for _signal in (post_save, post_delete):
        _signal.connect(
            forget_catalog_version,
            sender=_model,
            dispatch_uid=f"public-catalog-version-{_signal is post_save}-{_model.__name__}",
        )


def cached_public_response(view):
    """Serve the same bytes to every anonymous visitor for a while.

    Only requests without a session or messages cookie use the cache: their page has no
    personal header, message or CSRF token in it. Others are rendered as usual.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        cookies = request.COOKIES
        if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
            return view(request, *args, **kwargs)
        raw = f"{request.get_host()}|{request.get_full_path()}|{catalog_version()}"
        key = "public-page:" + hashlib.sha256(raw.encode()).hexdigest()
        hit = cache.get(key)
        if hit is not None:
            content, headers = hit
            return HttpResponse(content, headers=headers)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            headers = {h: response[h] for h in _KEPT_HEADERS if h in response}
            cache.set(key, (response.content, headers), CACHE_SECONDS)
        return response

    return wrapper


def _page(request, queryset):
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    page.listings = [listing_for(integration) for integration in page.object_list]
    return page


@require_safe
@conditional_public
@cached_public_response
def catalog_index(request):
    search = " ".join(request.GET.get("q", "").split())[:MAX_SEARCH]
    category_slug = request.GET.get("category", "").strip()
    category = category_by_slug(category_slug) if category_slug else None
    status = 200
    if category_slug and category is None:
        status = 404
        page = None
    else:
        page = _page(request, public_integrations(search=search, category=category))
    return render(
        request,
        "catalog/public/index.html",
        {
            "page": page,
            "search": search,
            "category": category,
            "unknown_category": category_slug if status == 404 else "",
            "filter_query": urlencode(
                {k: v for k, v in (("q", search), ("category", category_slug)) if v}
            ),
            "categories": Category.objects.all(),
        },
        status=status,
    )


@require_safe
@conditional_public
@cached_public_response
def catalog_detail(request, slug: str):
    integration = public_integration(slug=slug)
    return render(
        request,
        "catalog/public/detail.html",
        {
            "integration": integration,
            "listing": listing_for(integration),
            "platform_url": platform_url(integration),
        },
    )


@require_safe
@conditional_public
@cached_public_response
def catalog_new(request):
    return render(
        request,
        "catalog/public/new.html",
        {"page": _page(request, new_integrations()), "days": NEW_DAYS},
    )
