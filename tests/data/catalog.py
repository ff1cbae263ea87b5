"""Builders for catalog entries and beta links, shared by the beta, public and API tests."""

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from catalog import tokens
from catalog.models import BetaLink, Category, Integration, MetadataRevision, ReviewStatus, Stage
from tests import factories

SEGMENT_FILE = Path(settings.BASE_DIR) / "catalog" / "data" / "segment-destinations.json"


def approve_metadata(
    integration: Integration,
    *,
    description: str = "Sends your events to the product.",
    support_email: str | None = None,
    categories: tuple[str, ...] = ("Analytics",),
    extra_categories: list[str] | None = None,
) -> MetadataRevision:
    """An approved revision, made live, as the metadata area would leave it."""
    cats = {c.name: c for c in Category.objects.filter(name__in=categories)}
    number = integration.metadata_revisions.count() + 1
    revision = MetadataRevision.objects.create(
        integration=integration,
        number=number,
        status=ReviewStatus.APPROVED,
        name=integration.name,
        description=description,
        description_html=f"<p>{description}</p>",
        website=f"https://{integration.slug}.example.com",
        primary_category=cats.get(categories[0]) if categories else None,
        secondary_category=cats.get(categories[1]) if len(categories) > 1 else None,
        extra_categories=extra_categories or [],
        logo_external_url=f"https://cdn.example.com/{integration.slug}-logo.svg",
        mark_external_url=f"https://cdn.example.com/{integration.slug}-mark.svg",
        asset_report={"ok": True},
        support_email=support_email or f"support@{integration.slug}.example.com",
        reviewed_at=timezone.now(),
    )
    integration.live_metadata = revision
    integration.save(update_fields=["live_metadata"])
    return revision


def public_integration(name: str, *, public_since=None, partner=None, **metadata) -> Integration:
    slug = name.lower().replace(" ", "-")
    integration = factories.IntegrationFactory(
        name=name,
        slug=slug,
        partner=partner or factories.PartnerFactory(),
        stage=Stage.PUBLIC,
        public_since=public_since or timezone.now() - timedelta(days=200),
    )
    approve_metadata(integration, **metadata)
    return integration


def many_public_integrations(count: int, *, start: int = 0) -> list[Integration]:
    """``count`` public integrations with approved metadata, in a few bulk queries."""
    analytics = Category.objects.get(name="Analytics")
    crm = Category.objects.get(name="CRM")
    now = timezone.now()
    integrations = Integration.objects.bulk_create(
        [
            Integration(
                name=f"Bulk Destination {n:04d}",
                slug=f"bulk-destination-{n:04d}",
                mode="cloud",
                stage=Stage.PUBLIC,
                public_since=now - timedelta(days=n % 120),
            )
            for n in range(start, start + count)
        ]
    )
    if integrations and integrations[0].pk is None:
        integrations = list(
            Integration.objects.filter(slug__in=[i.slug for i in integrations]).order_by("slug")
        )
    revisions = MetadataRevision.objects.bulk_create(
        [
            MetadataRevision(
                integration=i,
                number=1,
                status=ReviewStatus.APPROVED,
                name=i.name,
                description=f"Description of {i.name}.",
                description_html=f"<p>Description of {i.name}.</p>",
                website="https://example.com",
                primary_category=analytics,
                secondary_category=crm,
                logo_external_url="https://cdn.example.com/logo.svg",
                mark_external_url="https://cdn.example.com/mark.svg",
                support_email=f"help+{i.slug}@secret.example.com",
            )
            for i in integrations
        ]
    )
    if revisions and revisions[0].pk is None:
        by_integration = dict(
            MetadataRevision.objects.filter(integration__in=integrations).values_list(
                "integration_id", "pk"
            )
        )
        for r in revisions:
            r.pk = by_integration[r.integration_id]
    for i, r in zip(integrations, revisions, strict=True):
        i.live_metadata_id = r.pk
    Integration.objects.bulk_update(integrations, ["live_metadata"])
    return integrations


def in_private_beta(integration: Integration, **metadata) -> Integration:
    integration.stage = Stage.PRIVATE_BETA
    integration.save(update_fields=["stage"])
    approve_metadata(integration, **metadata)
    return integration


def beta_link(integration: Integration, *, email="customer@shop.example.com", days=30, **extra):
    """A link made directly (not through the service); returns ``(link, token)``."""
    token, token_hash = tokens.new_token()
    now = timezone.now()
    link = BetaLink.objects.create(
        integration=integration,
        email=email,
        token_hash=token_hash,
        created_at=now,
        expires_at=now + timedelta(days=days),
        **extra,
    )
    return link, token
