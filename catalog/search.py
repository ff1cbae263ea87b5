"""Catalog search: what people type finds entries by name, categories and description.

On PostgreSQL each integration keeps a weighted ``search_document`` (name A, categories B,
description C; each in the ``english`` configuration, for stems, and ``simple``, so a prefix of a
whole word still matches), GIN-indexed (migration 0008). The query is built from the words of the
input only: letters and digits, each matched as a prefix (``word:*``), every word required.
Operators, quotes and punctuation in the input are never passed to the database as query syntax.
A substring of the name matches too, as before. Results are ranked (``ts_rank``), then by name.

SQLite (``make run``) keeps a simple fallback: every word somewhere in the name, description or
category names, ignoring case (ASCII only), ordered by name.

The document is rewritten in one statement whenever an integration, a metadata revision or a
category is saved, and by the catalog import for what it bulk-inserted.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.db.models.signals import post_save

MAX_WORDS = 8
MAX_WORD = 60
_WORD = re.compile(r"[^\W_]+")
CONFIGS = ("english", "simple")

_TABLES = {
    "integration": "catalog_integration",
    "revision": "catalog_metadatarevision",
    "category": "catalog_category",
}


def _document_sql(where: str) -> str:
    parts = []
    for weight, text in (
        ("A", "concat_ws(' ', nullif(m.name, ''), i2.name)"),
        ("B", "concat_ws(' ', pc.name, sc.name, m.extra_categories::text)"),
        ("C", "coalesce(m.description, '')"),
    ):
        for config in CONFIGS:
            parts.append(f"setweight(to_tsvector('{config}', {text}), '{weight}')")
    document = " || ".join(parts)
    # Table names come from the models' defaults, never from input.
    return (
        f"UPDATE {_TABLES['integration']} AS i SET search_document = d.doc FROM ("  # noqa: S608
        f"SELECT i2.id, {document} AS doc FROM {_TABLES['integration']} AS i2 "
        f"LEFT JOIN {_TABLES['revision']} AS m ON m.id = i2.live_metadata_id "
        f"LEFT JOIN {_TABLES['category']} AS pc ON pc.id = m.primary_category_id "
        f"LEFT JOIN {_TABLES['category']} AS sc ON sc.id = m.secondary_category_id "
        f"WHERE {where}) AS d WHERE d.id = i.id"
    )


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def refresh_documents(*, ids=None, slugs=None, everything: bool = False) -> None:
    """Rewrite the search document of the given integrations (PostgreSQL only)."""
    if not uses_full_text():
        return
    if everything:
        where, params = "TRUE", []
    elif ids:
        where, params = "i2.id = ANY(%s)", [list(ids)]
    elif slugs:
        where, params = "i2.slug = ANY(%s)", [list(slugs)]
    else:
        return
    with connection.cursor() as cursor:
        cursor.execute(_document_sql(where), params)


def words(text: str) -> list[str]:
    """The words of the input: runs of letters and digits, lower-cased, bounded."""
    return [w[:MAX_WORD] for w in _WORD.findall((text or "").lower())][:MAX_WORDS]


def _query(terms: list[str]) -> SearchQuery:
    """Every word as a prefix, in both configurations; the words themselves hold only letters
    and digits, so the raw query text can't carry operators from the input."""
    combined = None
    for term in terms:
        either = SearchQuery(f"{term}:*", search_type="raw", config="english") | SearchQuery(
            f"{term}:*", search_type="raw", config="simple"
        )
        combined = either if combined is None else combined & either
    return combined


def search(queryset: QuerySet, text: str) -> QuerySet:
    """``queryset`` (of integrations) narrowed to what matches ``text``, best first."""
    # Control and format characters (NUL, bidi overrides) never reach the database.
    text = " ".join("".join(c if c.isprintable() else " " for c in text or "").split())
    if not text:
        return queryset
    terms = words(text)
    if uses_full_text():
        if not terms:
            return queryset.filter(name__icontains=text)
        query = _query(terms)
        return (
            queryset.filter(Q(search_document=query) | Q(name__icontains=text))
            .annotate(rank=SearchRank(F("search_document"), query))
            .order_by(F("rank").desc(nulls_last=True), "name", "pk")
        )
    if not terms:
        return queryset.filter(name__icontains=text)
    queryset = queryset.annotate(
        search_extra_categories=Cast("live_metadata__extra_categories", TextField())
    )
    for term in terms:
        queryset = queryset.filter(
            Q(name__icontains=term)
            | Q(live_metadata__name__icontains=term)
            | Q(live_metadata__description__icontains=term)
            | Q(live_metadata__primary_category__name__icontains=term)
            | Q(live_metadata__secondary_category__name__icontains=term)
            | Q(search_extra_categories__icontains=term)
        )
    return queryset


# --- Keeping documents current -------------------------------------------------------------------


def _integration_saved(sender, instance, update_fields=None, raw=False, **kwargs):
    if raw:
        return
    if update_fields is not None and not {"name", "live_metadata"} & set(update_fields):
        return
    refresh_documents(ids=[instance.pk])


def _revision_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh_documents(ids=[instance.integration_id])


def _category_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh_documents(everything=True)


def connect() -> None:
    """Wired once from ``CatalogConfig.ready()``."""
    from catalog.models import Category, Integration, MetadataRevision

    post_save.connect(_integration_saved, sender=Integration, dispatch_uid="search-integration")
    post_save.connect(_revision_saved, sender=MetadataRevision, dispatch_uid="search-revision")
    post_save.connect(_category_saved, sender=Category, dispatch_uid="search-category")
