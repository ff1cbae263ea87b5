"""Redis, as the cache and the throttle store, stopped while the site runs: every page and write
still works (a cache outage is a miss), and /readyz says the cache failed.

Run alone with ``.venv/bin/python -m pytest -m worker -k outage``.
"""

import pytest
from django.core.cache import caches
from django.test import Client

from catalog.models import AuditLog, Integration, MetadataRevision, Stage
from catalog.services import metadata as svc
from tests.data.catalog import beta_link, in_private_beta
from tests.test_storage_s3 import values

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BACKEND = "catalog.cache_backends.DegradingRedisCache"


@pytest.fixture
def redis_cache(settings, redis_server):
    settings.CACHES = {
        "default": {"BACKEND": BACKEND, "LOCATION": redis_server.url},
        "throttle": {"BACKEND": BACKEND, "LOCATION": redis_server.url, "KEY_PREFIX": "throttle"},
    }
    assert type(caches["default"]).__name__ == "DegradingRedisCache"
    return redis_server


def test_everything_works_with_the_cache_down_and_readyz_names_it(
    redis_cache, partner_user, staff_client, integration
):
    beta = in_private_beta(integration)
    _, token = beta_link(beta)
    public = Integration.objects.create(
        name="Public Thing", slug="public-thing", stage=Stage.PUBLIC, is_imported=True
    )
    anonymous = Client()
    # given: pages served (and cached) while Redis runs
    for path in ("/catalog/", "/api/v1/catalog/", f"/beta/{token}/", "/readyz"):
        assert anonymous.get(path).status_code == 200, path
    assert caches["default"].get("probe-before", "miss") == "miss"
    # when Redis stops
    redis_cache.stop()
    # then anonymous pages, the API and a beta link answer, uncached
    for path in ("/catalog/", f"/catalog/{public.slug}/", "/api/v1/catalog/", f"/beta/{token}/"):
        assert anonymous.get(path).status_code == 200, path
    # a draft save and a stage move succeed (invalidation after commit is skipped, not fatal)
    revision = svc.metadata_save(actor=partner_user, integration_id=beta.pk, values=values())
    assert MetadataRevision.objects.filter(pk=revision.pk).exists()
    response = staff_client.post(
        f"/staff/integrations/{beta.pk}/roll-back/",
        {"expected_stage": Stage.PRIVATE_BETA, "reason": "Cache outage drill."},
    )
    assert response.status_code == 302
    beta.refresh_from_db()
    assert beta.stage == Stage.BUILD
    assert AuditLog.objects.filter(action="catalog.integration.rolled_back").exists()
    # a log-in still works (the log-in throttle fails open)
    login = Client().post(
        "/accounts/login/", {"username": partner_user.email, "password": "wrong guess"}
    )
    assert login.status_code == 422
    # and /readyz names the cache, without the driver's words
    ready = anonymous.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["failed"] == ["cache"]
    assert ready.json()["checks"]["cache"] == "failed: unreachable"
    assert "127.0.0.1" not in ready.content.decode()
    # when Redis is back, the cache is used again
    redis_cache.start()
    assert anonymous.get("/readyz").status_code == 200
