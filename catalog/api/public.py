"""The public catalog API: ``/api/v1/catalog/`` and ``/api/v1/catalog/<slug>/``.

Only what the public pages show: no support email, no partner, nothing about the pipeline. The
responses are the same bytes as before the move to ninja (plus ``status`` and ``docs_url``),
readable from any origin, cached like the pages and answered with 304 when unchanged.
"""

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.urls import reverse
from ninja import Router
from ninja.decorators import decorate_view

from catalog.api.schemas import CatalogEntry, CatalogPage, Error
from catalog.cache import cached_public_response
from catalog.errors import BadRequest, NotFound
from catalog.listing import listing_for
from catalog.selectors.public import category_by_slug, public_integration, public_integrations
from catalog.views.conditional import conditional_public
from catalog.views.public import MAX_SEARCH

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100

router = Router(tags=["Public catalog"])


def _json(data) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _absolute(request, url: str) -> str:
    return request.build_absolute_uri(url) if url and url.startswith("/") else url


def _entry(request, integration) -> dict:
    listing = listing_for(integration)
    return {
        "name": listing.name,
        "slug": listing.slug,
        "url": request.build_absolute_uri(reverse("catalog_detail", args=[listing.slug])),
        "description_html": listing.description_html,
        "categories": listing.categories,
        "website": listing.website,
        "logo_url": _absolute(request, listing.logo_url),
        "mark_url": _absolute(request, listing.mark_url),
        "public_since": listing.public_since.isoformat() if listing.public_since else None,
        "status": listing.status,
        "docs_url": listing.docs_url,
    }


def _positive_int(request, name: str, default: int, maximum: int | None = None) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"'{name}' must be a whole number, got '{raw[:40]}'.") from None
    if value < 1:
        raise BadRequest(f"'{name}' must be at least 1, got {value}.")
    if maximum is not None and value > maximum:
        raise BadRequest(f"'{name}' must be at most {maximum}, got {value}.")
    return value


def _query(name: str, description: str, schema: dict) -> dict:
    return {
        "in": "query",
        "name": name,
        "required": False,
        "description": description,
        "schema": schema,
    }


LIST_PARAMETERS = [
    _query("page", "Page number, from 1.", {"type": "integer", "minimum": 1, "default": 1}),
    _query(
        "page_size",
        "Entries per page.",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
    ),
    _query(
        "q",
        "Search: words found in the name, categories or description (each a prefix); ranked.",
        {"type": "string", "maxLength": MAX_SEARCH},
    ),
    _query("category", "A category slug, such as `analytics`.", {"type": "string"}),
]


@router.get(
    "",
    response={200: CatalogPage, 400: Error, 404: Error},
    summary="List public integrations",
    operation_id="catalog_list",
    url_name="api_catalog",
    openapi_extra={"parameters": LIST_PARAMETERS},
)
# ninja applies these innermost first: the cache inside, conditional GET around it.
@decorate_view(cached_public_response, conditional_public)
def api_catalog(request):
    page_number = _positive_int(request, "page", 1)
    page_size = _positive_int(request, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    search = " ".join(request.GET.get("q", "").split())
    if len(search) > MAX_SEARCH:
        raise BadRequest(f"'q' must be at most {MAX_SEARCH} characters.")
    category = None
    category_slug = request.GET.get("category", "").strip()
    if category_slug:
        category = category_by_slug(category_slug)
        if category is None:
            raise BadRequest(f"There is no category '{category_slug[:60]}'.")
    paginator = Paginator(
        public_integrations(search=search, category=category),
        page_size,
        allow_empty_first_page=True,
    )
    if page_number > paginator.num_pages:
        raise NotFound(f"Page {page_number} is past the last page ({paginator.num_pages}).")
    page = paginator.page(page_number)

    def link(number):
        params = request.GET.copy()
        params["page"] = str(number)
        params["page_size"] = str(page_size)
        return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")

    return _json(
        {
            "count": paginator.count,
            "page": page_number,
            "page_size": page_size,
            "num_pages": paginator.num_pages,
            "next": link(page_number + 1) if page.has_next() else None,
            "previous": link(page_number - 1) if page.has_previous() else None,
            "results": [_entry(request, integration) for integration in page.object_list],
        }
    )


@router.get(
    "{slug}/",
    response={200: CatalogEntry, 404: Error},
    summary="One public integration",
    operation_id="catalog_detail",
    url_name="api_catalog_detail",
)
# ninja applies these innermost first: the cache inside, conditional GET around it.
@decorate_view(cached_public_response, conditional_public)
def api_catalog_detail(request, slug: str):
    try:
        integration = public_integration(slug=slug)
    except NotFound:
        raise NotFound(f"No public integration with slug '{slug[:60]}'.") from None
    return _json(_entry(request, integration))
