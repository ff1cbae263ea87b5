"""Public catalog pages: anyone may read them; they never show partner data or support emails.

The reads live here (``public_integrations`` and friends) because the HTML pages and the JSON API
(``catalog/views/api.py``) share them. Each list costs a fixed number of queries however large
the catalog: one count, one page, one for the page's screenshots.
"""

import hashlib
from datetime import timedelta
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.db.models.signals import post_delete, post_save
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from catalog.listing import listing_for, with_listing_data
from catalog.models import Category, Integration, MetadataImage, MetadataRevision, Stage
from catalog.services.beta import platform_url

PAGE_SIZE = 24
NEW_DAYS = 90
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


def public_integrations(*, search: str = "", category: Category | None = None) -> QuerySet:
    qs = with_listing_data(Integration.objects.filter(stage=Stage.PUBLIC)).order_by("name", "pk")
    if search:
        qs = qs.filter(name__icontains=search)
    if category is not None:
        # Imported entries may list more categories than two; they are kept by name in a JSON
        # list, matched here as the quoted name inside its text (works on SQLite and PostgreSQL).
        qs = qs.annotate(
            extra_categories_text=Cast("live_metadata__extra_categories", TextField())
        ).filter(
            Q(live_metadata__primary_category=category)
            | Q(live_metadata__secondary_category=category)
            | Q(extra_categories_text__contains=f'"{category.name}"')
        )
    return qs


def new_integrations(*, now=None) -> QuerySet:
    since = (now or timezone.now()) - timedelta(days=NEW_DAYS)
    return (
        public_integrations()
        .filter(public_since__gte=since)
        .order_by("-public_since", "name", "pk")
    )


def public_integration(*, slug: str) -> Integration:
    try:
        return public_integrations().get(slug=slug)
    except Integration.DoesNotExist:
        raise Http404("No public integration with that name.") from None


def category_by_slug(slug: str) -> Category | None:
    return Category.objects.filter(slug=slug).first()


def _page(request, queryset):
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    page.listings = [listing_for(integration) for integration in page.object_list]
    return page


@require_safe
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
@cached_public_response
def catalog_new(request):
    return render(
        request,
        "catalog/public/new.html",
        {"page": _page(request, new_integrations()), "days": NEW_DAYS},
    )
