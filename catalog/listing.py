"""What a catalog entry shows, built once for the public page, the beta page and the preview.

``listing_for(integration)`` uses the approved (live) revision; ``listing_for_revision`` shows any
revision (the partner's preview). Never includes the support email.
"""

from dataclasses import dataclass, field

from catalog.models import Integration, MetadataRevision


@dataclass
class Listing:
    name: str
    slug: str
    description_html: str
    website: str
    categories: list[str]
    logo_url: str
    mark_url: str
    screenshots: list[dict] = field(default_factory=list)
    mode_label: str = ""
    public_since: object = None


def _file_url(f) -> str:
    try:
        return f.url if f else ""
    except ValueError:
        return ""


def listing_for_revision(integration: Integration, revision: MetadataRevision | None) -> Listing:
    if revision is None:
        return Listing(
            name=integration.name,
            slug=integration.slug,
            description_html="",
            website="",
            categories=[],
            logo_url="",
            mark_url="",
            mode_label=integration.get_mode_display(),
            public_since=integration.public_since,
        )
    categories = [c.name for c in (revision.primary_category, revision.secondary_category) if c]
    categories += [c for c in revision.extra_categories if c not in categories]
    return Listing(
        name=revision.name or integration.name,
        slug=integration.slug,
        description_html=revision.description_html,
        website=revision.website,
        categories=categories,
        logo_url=_file_url(revision.logo) or revision.logo_external_url,
        mark_url=_file_url(revision.mark) or revision.mark_external_url,
        screenshots=[
            {
                "url": _file_url(img.image),
                "thumbnail_url": _file_url(img.thumbnail),
                "caption": img.caption,
                "width": img.width,
                "height": img.height,
            }
            for img in revision.images.all()
        ],
        mode_label=integration.get_mode_display(),
        public_since=integration.public_since,
    )


def listing_for(integration: Integration) -> Listing:
    return listing_for_revision(integration, integration.live_metadata)
