"""The public catalog: what anyone may read, shared by the HTML pages and the JSON API.

Each list costs a fixed number of queries however large the catalog: one count, one page, one
for the page's screenshots.
"""

from datetime import timedelta

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from catalog import search as catalog_search
from catalog.errors import NotFound
from catalog.listing import with_listing_data
from catalog.models import Category, Integration, Stage

NEW_DAYS = 90


def public_integrations(*, search: str = "", category: Category | None = None) -> QuerySet:
    qs = with_listing_data(Integration.objects.filter(stage=Stage.PUBLIC)).order_by("name", "pk")
    if search:
        # Same search for the page and the API: full text on PostgreSQL (catalog/search.py).
        qs = catalog_search.search(qs, search)
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
        raise NotFound("No public integration with that name.") from None


def category_by_slug(slug: str) -> Category | None:
    if not slug.isprintable():  # a NUL byte would be a database error, not "no such category"
        return None
    return Category.objects.filter(slug=slug).first()
