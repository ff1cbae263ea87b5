"""The degrading Redis cache against a port where nothing listens: every call answers as a miss
or a skipped write, quickly, and says the store is down; nothing raises but ``incr``'s usual
ValueError."""

import logging
import time

import pytest

from catalog import throttle
from catalog.cache_backends import DegradingRedisCache, is_down
from tests.pg_plugin import free_port


@pytest.fixture
def dead_cache():
    return DegradingRedisCache(f"redis://127.0.0.1:{free_port()}/0", {})


def test_every_call_degrades_instead_of_raising(dead_cache):
    started = time.monotonic()
    assert dead_cache.get("k", "default") == "default"
    assert dead_cache.get_many(["a", "b"]) == {}
    assert dead_cache.has_key("k") is False
    assert dead_cache.add("k", 1) is False
    assert dead_cache.set("k", 1) is None
    assert dead_cache.set_many({"a": 1}) == ["a"]
    assert dead_cache.touch("k") is False
    assert dead_cache.delete("k") is False
    assert dead_cache.delete_many(["a"]) is None
    assert dead_cache.clear() is False
    with pytest.raises(ValueError):
        dead_cache.incr("k")
    assert is_down(dead_cache)
    assert time.monotonic() - started < 10  # connection refused is answered at once


def test_an_outage_is_logged_once_not_per_call(dead_cache, caplog):
    with caplog.at_level(logging.WARNING, logger="catalog.cache_backends"):
        for _ in range(20):
            dead_cache.get("k")
    assert len([r for r in caplog.records if "cache unreachable" in r.message]) == 1


def test_an_in_process_cache_is_never_down():
    from django.core.cache import caches

    assert is_down(caches["default"]) is False


def test_throttles_without_their_store(settings):
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {
            "BACKEND": "catalog.cache_backends.DegradingRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        },
    }
    # counters fail open: nothing counted, nothing refused
    throttle.add_one("login-failures:x", seconds=60)
    assert throttle.count("login-failures:x") == 0
    # "once a minute" guards fail closed: the email is not sent while the store is away
    assert throttle.first_in("password-reset:1", seconds=60) is False
