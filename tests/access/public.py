"""Rows for the public catalog and its JSON API: anyone may read, nobody may write."""

from catalog.models import Stage
from tests import factories
from tests.access import Row, anyone
from tests.data.catalog import approve_metadata


def setup(world):
    world.public_integration = factories.IntegrationFactory(
        partner=world.other_partner_user.partner,
        name="Globex Public",
        slug="globex-public",
        stage=Stage.PUBLIC,
    )
    approve_metadata(world.public_integration)


ROWS = [
    Row("catalog_index", lambda w: "/catalog/", anyone(200)),
    Row("catalog_index-category", lambda w: "/catalog/?category=analytics&q=glo", anyone(200)),
    Row("catalog_new", lambda w: "/catalog/new/", anyone(200)),
    Row("catalog_detail", lambda w: "/catalog/globex-public/", anyone(200)),
    Row("catalog_detail-not-public", lambda w: "/catalog/acme-events/", anyone(404)),
    Row("api_catalog", lambda w: "/api/v1/catalog/", anyone(200)),
    Row("api_catalog-bad-page", lambda w: "/api/v1/catalog/?page=x", anyone(400)),
    Row("api_catalog_detail", lambda w: "/api/v1/catalog/globex-public/", anyone(200)),
    Row("api_catalog-post", lambda w: "/api/v1/catalog/", anyone(405), method="post"),
]
