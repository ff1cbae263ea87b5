"""Beta opens counted in a real Redis and added to the links by real Celery beat and workers.

Run alone with ``.venv/bin/python -m pytest -m worker``. N opens give a count of N, also when the
worker is killed between folds and when a fold dies after its commit.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from catalog.models import BetaLink, BetaOpenFold
from catalog.services import beta_opens as service
from tests.data.catalog import beta_link, in_private_beta
from tests.worker.conftest import wait_for

ROOT = Path(__file__).resolve().parents[2]

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


# --- Opens are sent without waiting for Redis's reply (catalog.redis_sender) ---------------------


def test_opens_sent_without_waiting_are_all_folded_by_the_same_process(
    opens_in_redis, beta_integration
):
    link, token = beta_link(beta_integration)
    _open(token, 25)
    _, sender = service._redis(opens_in_redis.url)
    assert sender._unread  # the open answered before Redis did
    assert service.beta_opens_fold() == 25
    assert not sender._unread
    assert _counts(link) == [25]


def test_a_process_killed_right_after_its_opens_loses_none(opens_in_redis, beta_integration):
    # given a process that counts 40 opens and is killed at once, no reply ever read
    link, _ = beta_link(beta_integration)
    program = (
        "import os, sys\n"
        "import django\n"
        "django.setup()\n"
        "from catalog.redis_sender import Sender\n"
        "from catalog.services.beta_opens import _COUNT_OPEN, OPENS_KEY\n"
        "sender = Sender(sys.argv[1], script=_COUNT_OPEN)\n"
        "for n in range(40):\n"
        f"    assert sender.run_script([OPENS_KEY], [{link.pk}, 1_700_000_000_000_000 + n],\n"
        "                             tag=n) == []\n"
        "os.kill(os.getpid(), 9)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings"}
    killed = subprocess.run(
        [sys.executable, "-c", program, opens_in_redis.url], cwd=ROOT, env=env, timeout=60
    )
    assert killed.returncode == -9
    # then the fold adds all 40
    assert service.beta_opens_fold() == 40
    assert _counts(link) == [40]


def test_opens_redis_refuses_are_counted_in_the_database(opens_in_redis, beta_integration):
    link, token = beta_link(beta_integration)
    client, _ = service._redis(opens_in_redis.url)
    client.set(service.OPENS_KEY, "not a hash")  # every count now gets an error reply
    _open(token, 4)
    service.beta_opens_settle()  # the last replies read; the refused opens go to the database
    assert _counts(link) == [4]
    link.refresh_from_db()
    assert link.first_opened_at and link.last_opened_at


def test_after_redis_forgets_the_script_opens_are_counted_and_it_is_loaded_again(
    opens_in_redis, beta_integration
):
    link, token = beta_link(beta_integration)
    _open(token, 2)
    service.beta_opens_settle()
    client, _ = service._redis(opens_in_redis.url)
    client.script_flush()
    _open(token, 3)  # refused (NOSCRIPT) until the refusal is read; then the script is loaded
    service.beta_opens_fold()
    assert _counts(link) == [5]
    _open(token, 1)
    assert service.beta_opens_fold() == 1  # counted in Redis again


def test_when_redis_stops_between_opens_they_are_counted_in_the_database(
    opens_in_redis, beta_integration
):
    link, token = beta_link(beta_integration)
    _open(token, 3)
    service.beta_opens_fold()
    opens_in_redis.stop()
    _open(token, 2)
    assert _counts(link) == [5]


def test_after_redis_fails_opens_skip_it_for_a_few_seconds(opens_in_redis, beta_integration):
    link, token = beta_link(beta_integration)
    _open(token, 1)
    service.beta_opens_fold()
    opens_in_redis.stop()
    _open(token, 1)  # this one finds Redis gone: counted in the database
    _, sender = service._redis(opens_in_redis.url)

    def no_connecting():
        raise AssertionError("tried Redis again within RETRY_SECONDS")

    sender._pool.make_connection = no_connecting
    _open(token, 3)  # straight to the database, no wait on a connect timeout
    assert _counts(link) == [5]
