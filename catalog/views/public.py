"""Public catalog pages: anyone may read them; they never show partner data or support emails.

The reads live here (``public_integrations`` and friends) because the HTML pages and the JSON API
(``catalog/views/api.py``) share them. Each list costs a fixed number of queries however large
the catalog: one count, one page, one for the page's screenshots.
"""

from datetime import timedelta
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from catalog.listing import listing_for
from catalog.models import Category, Integration, Stage
from catalog.services.beta import platform_url

PAGE_SIZE = 24
NEW_DAYS = 90
MAX_SEARCH = 100


def public_integrations(*, search: str = "", category: Category | None = None) -> QuerySet:
    qs = (
        Integration.objects.filter(stage=Stage.PUBLIC)
        .select_related(
            "live_metadata",
            "live_metadata__primary_category",
            "live_metadata__secondary_category",
        )
        .prefetch_related("live_metadata__images")
        .order_by("name", "pk")
    )
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
def catalog_new(request):
    return render(
        request,
        "catalog/public/new.html",
        {"page": _page(request, new_integrations()), "days": NEW_DAYS},
    )
