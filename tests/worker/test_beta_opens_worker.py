"""Beta opens counted in a real Redis and added to the links by real Celery beat and workers.

Run alone with ``.venv/bin/python -m pytest -m worker``. N opens give a count of N, also when the
worker is killed between folds and when a fold dies after its commit.
"""

import pytest
from django.test import Client

from catalog.models import BetaLink, BetaOpenFold
from catalog.services import beta as service
from tests.data.catalog import beta_link, in_private_beta
from tests.worker.conftest import wait_for

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def beta_integration(integration):
    return in_private_beta(integration)


@pytest.fixture
def opens_in_redis(settings, redis_server):
    settings.BETA_OPENS_REDIS_URL = redis_server.url
    service._redis.cache_clear()
    yield redis_server
    service._redis.cache_clear()


def _open(token: str, times: int) -> None:
    client = Client()
    for _ in range(times):
        assert client.get(f"/beta/{token}/").status_code == 200


def _counts(*links) -> list[int]:
    return [BetaLink.objects.get(pk=link.pk).open_count for link in links]


def test_opens_leave_the_request_and_beat_adds_every_one(opens_in_redis, celery, beta_integration):
    link, token = beta_link(beta_integration)
    other, other_token = beta_link(beta_integration, email="b@shop.example.com")
    _open(token, 30)
    _open(other_token, 4)
    assert _counts(link, other) == [0, 0]  # nothing written in the request
    env = {"BETA_OPENS_REDIS_URL": opens_in_redis.url, "BETA_OPENS_FOLD_SECONDS": "0.3"}
    worker = celery.worker(env=env)
    celery.beat(env=env)
    wait_for(lambda: _counts(link, other) == [30, 4], what="the opens to be added")
    # a worker killed outright between folds loses nothing: the opens wait in Redis
    celery.kill_all(worker)
    _open(token, 11)
    celery.worker("worker2", env=env)
    wait_for(lambda: _counts(link, other) == [41, 4], what="the opens after a restart")
    link.refresh_from_db()
    assert link.first_opened_at is not None and link.last_opened_at >= link.first_opened_at


def test_a_fold_that_died_after_its_commit_is_not_added_twice(opens_in_redis, beta_integration):
    link, token = beta_link(beta_integration)
    _open(token, 5)
    assert service.beta_opens_fold() == 5
    _open(token, 3)
    # a fold renamed and named the batch, committed it, and died before deleting it
    client, _ = service._redis(opens_in_redis.url)
    client.rename(service.OPENS_KEY, service.FOLDING_KEY)
    client.hset(service.FOLDING_KEY, "batch", "died-after-commit")
    service._add_opens(link.pk, 3, first=link.created_at, last=link.created_at)
    BetaOpenFold.objects.create(batch="died-after-commit", opens=3)
    _open(token, 2)
    assert service.beta_opens_fold() == 0  # the batch the database holds is only deleted
    assert service.beta_opens_fold() == 2
    assert service.beta_opens_fold() == 0
    assert _counts(link) == [10]


def test_a_fold_that_died_before_its_commit_is_added_by_the_next(opens_in_redis, beta_integration):
    link, token = beta_link(beta_integration)
    _open(token, 6)
    client, _ = service._redis(opens_in_redis.url)
    client.rename(service.OPENS_KEY, service.FOLDING_KEY)  # renamed, then died
    _open(token, 1)
    assert service.beta_opens_fold() == 6
    assert service.beta_opens_fold() == 1
    assert _counts(link) == [7]


def test_without_redis_answering_an_open_is_counted_in_the_database(settings, beta_integration):
    settings.BETA_OPENS_REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens there
    service._redis.cache_clear()
    link, token = beta_link(beta_integration)
    try:
        _open(token, 3)
    finally:
        service._redis.cache_clear()
    assert _counts(link) == [3]
