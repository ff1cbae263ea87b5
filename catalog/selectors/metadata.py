"""Reads of the metadata area: revisions, the review queue, what the panels show, who may see a
stored file. Keyword-only; a missing revision is ``NotFound``."""

from django.db.models import Q, QuerySet

from catalog.errors import NotFound
from catalog.listing import asset_url
from catalog.models import Integration, MetadataRevision, ReviewStatus
from catalog.validation.metadata import ASSET_ROLES, REVIEW_FIELDS


def latest_revision(*, integration: Integration) -> MetadataRevision | None:
    return (
        integration.metadata_revisions.select_related("primary_category", "secondary_category")
        .prefetch_related("images")
        .order_by("-number")
        .first()
    )


def revision_for(*, integration: Integration, number) -> MetadataRevision:
    try:
        return (
            integration.metadata_revisions.select_related(
                "primary_category", "secondary_category", "created_by", "reviewed_by"
            )
            .prefetch_related("images")
            .get(number=int(number))
        )
    except (MetadataRevision.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such metadata revision.") from None


def in_review(*, integration: Integration) -> MetadataRevision | None:
    return integration.metadata_revisions.filter(status=ReviewStatus.SUBMITTED).first()


def to_review(*, integration: Integration) -> MetadataRevision | None:
    """What staff look at: the revision in review, else the latest."""
    return in_review(integration=integration) or latest_revision(integration=integration)


def revisions(*, integration: Integration, limit: int = 20) -> list[MetadataRevision]:
    """The newest revisions first, with who saved them."""
    return list(
        integration.metadata_revisions.select_related("created_by").order_by("-number")[:limit]
    )


def panel(*, integration: Integration) -> dict:
    """What the metadata panels on the integration pages show (one query)."""
    recent = list(integration.metadata_revisions.order_by("-number")[:20])
    live = integration.live_metadata
    return {
        "latest": recent[0] if recent else None,
        "in_review": next((r for r in recent if r.status == ReviewStatus.SUBMITTED), None),
        "live": live,
        "assets_ok": bool(live and (live.asset_report or {}).get("ok")),
    }


def review_queue(*, limit: int = 200) -> QuerySet[MetadataRevision]:
    """Revisions waiting for staff, oldest first."""
    return (
        MetadataRevision.objects.filter(status=ReviewStatus.SUBMITTED)
        .select_related("integration", "integration__partner")
        .order_by("submitted_at", "pk")[:limit]
    )


def asset_owner_ids(*, name: str) -> tuple[bool, set[int]]:
    """(is shown by a live catalog entry, ids of the integrations whose revisions hold it)."""
    live = Integration.objects.filter(
        Q(live_metadata__logo=name)
        | Q(live_metadata__mark=name)
        | Q(live_metadata__images__image=name)
        | Q(live_metadata__images__thumbnail=name)
    ).exists()
    if live:
        return True, set()
    owners = set(
        MetadataRevision.objects.filter(
            Q(logo=name) | Q(mark=name) | Q(images__image=name) | Q(images__thumbnail=name)
        ).values_list("integration_id", flat=True)
    )
    return False, owners


# --- The staff review's comparison ----------------------------------------------------------------


def _categories(r: MetadataRevision) -> str:
    names = [c.name for c in (r.primary_category, r.secondary_category) if c]
    return " · ".join(names + [c for c in r.extra_categories if c not in names])


def _shots(r: MetadataRevision) -> list[dict]:
    return [
        {"url": asset_url(i.image), "thumbnail_url": asset_url(i.thumbnail), "caption": i.caption}
        for i in r.images.all()
    ]


def _value(r: MetadataRevision | None, key: str):
    if r is None:
        return ""
    if key == "categories":
        return _categories(r)
    if key == "screenshots":
        return _shots(r)
    if key in ASSET_ROLES:
        return asset_url(getattr(r, key)) or getattr(r, f"{key}_external_url")
    return getattr(r, key)


def _identity(r: MetadataRevision | None, key: str):
    """What decides whether a field changed (stored names for files, not their URLs)."""
    if r is None:
        return None
    if key in ASSET_ROLES:
        return getattr(r, key).name or getattr(r, f"{key}_external_url")
    if key == "screenshots":
        return [(i.image.name, i.caption) for i in r.images.all()]
    return _value(r, key)


def _kind(key: str) -> str:
    if key in ASSET_ROLES:
        return "image"
    return {"screenshots": "images", "description": "html"}.get(key, "text")


def revision_diff(*, old: MetadataRevision | None, new: MetadataRevision) -> list[dict]:
    """Field-by-field comparison for the staff review (``old`` is the approved revision)."""
    rows = []
    for key, label in REVIEW_FIELDS:
        row = {
            "key": key,
            "label": label,
            "kind": _kind(key),
            "old": _value(old, key),
            "new": _value(new, key),
            "changed": old is None or _identity(old, key) != _identity(new, key),
        }
        if row["kind"] == "html":
            row["old_html"] = old.description_html if old else ""
            row["new_html"] = new.description_html
        rows.append(row)
    return rows
