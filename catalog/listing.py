"""What a catalog entry shows, built once for the public page, the beta page and the preview.

``listing_for(integration)`` uses the approved (live) revision; ``listing_for_revision`` shows any
revision (the partner's preview). Never includes the support email. Stored files are linked
through the asset view (``/assets/<name>``), which serves them with a locked-down CSP.

For many entries at once, load the integrations with ``with_listing_data(queryset)`` so building
every listing costs no extra queries.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from catalog.models import Integration, ListingStatus, MetadataRevision, Stage

ASSET_PREFIX = "assets/"
# The sizes the catalog shows logos and marks at (CSS pixels); the preview shows the same.
MARK_SIZE = 48
LOGO_MAX_HEIGHT = 48
LOGO_MAX_WIDTH = 220


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
    # A public integration's listing status (``public_beta`` shows a "Beta" badge); "" otherwise.
    status: str = ""
    docs_url: str = ""

    @property
    def is_beta(self) -> bool:
        return self.status == ListingStatus.PUBLIC_BETA


def asset_url(f) -> str:
    """URL of a stored file: through the asset view for our own names, else the storage URL."""
    name = getattr(f, "name", "") or ""
    if not name:
        return ""
    if name.startswith(ASSET_PREFIX) and "/" not in name[len(ASSET_PREFIX) :]:
        return reverse("asset", args=[name[len(ASSET_PREFIX) :]])
    try:
        return f.url
    except ValueError:
        return ""


def _safe_website(url: str) -> str:
    """Only http(s) links are rendered (drafts and imports included)."""
    return url if url.lower().startswith(("https://", "http://")) else ""


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
            status=_status(integration),
            docs_url=_docs_url(integration),
        )
    categories = [c.name for c in (revision.primary_category, revision.secondary_category) if c]
    categories += [c for c in revision.extra_categories if c not in categories]
    return Listing(
        name=revision.name or integration.name,
        slug=integration.slug,
        description_html=revision.description_html,
        website=_safe_website(revision.website),
        categories=categories,
        logo_url=asset_url(revision.logo) or revision.logo_external_url,
        mark_url=asset_url(revision.mark) or revision.mark_external_url,
        screenshots=[
            {
                "url": asset_url(img.image),
                "thumbnail_url": asset_url(img.thumbnail),
                "caption": img.caption,
                "width": img.width,
                "height": img.height,
            }
            for img in revision.images.all()
        ],
        mode_label=integration.get_mode_display(),
        public_since=integration.public_since,
        status=_status(integration),
        docs_url=_docs_url(integration),
    )


def _docs_url(integration: Integration) -> str:
    """The docs link the data gives, else where the docs pull request puts a public
    integration's page (``DOCS_SITE_URL``)."""
    given = _safe_website(integration.docs_url)
    if given or integration.stage != Stage.PUBLIC:
        return given
    return f"{settings.DOCS_SITE_URL}/connections/destinations/catalog/{integration.slug}/"


def _status(integration: Integration) -> str:
    return integration.listing_status if integration.stage == Stage.PUBLIC else ""


def listing_for(integration: Integration) -> Listing:
    return listing_for_revision(integration, integration.live_metadata)


def with_listing_data(queryset: QuerySet[Integration]) -> QuerySet[Integration]:
    """Load what ``listing_for`` reads, for a whole list in a constant number of queries."""
    return queryset.select_related(
        "live_metadata",
        "live_metadata__primary_category",
        "live_metadata__secondary_category",
    ).prefetch_related("live_metadata__images")
