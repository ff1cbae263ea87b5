"""Public catalog pages: anyone may read them; they never show partner data or support emails.

The reads are in ``catalog/selectors/public.py``, shared with the JSON API
(``catalog/api/public.py``); anonymous responses are cached by ``catalog.cache``.
"""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from catalog.cache import cached_public_response
from catalog.listing import listing_for
from catalog.models import Category
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


def page_number(raw: str | None, num_pages: int) -> int:
    """The asked page, clamped: garbage, 0 and negatives are the first page, past the end the
    last (Django's ``get_page`` shows the last page for 0)."""
    try:
        number = int(raw or 1)
    except (TypeError, ValueError):
        number = 1
    return min(max(number, 1), max(num_pages, 1))


def _page(request, queryset):
    paginator = Paginator(queryset, PAGE_SIZE)
    page = paginator.page(page_number(request.GET.get("page"), paginator.num_pages))
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
