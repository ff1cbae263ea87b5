"""A cache outage is a cache miss, never an error.

``DegradingRedisCache`` is Django's Redis cache with every operation guarded: when Redis does not
answer, a read is a miss, a write is skipped, ``incr`` behaves as for a missing key (``ValueError``,
which callers already handle by setting the key, itself skipped), and a warning is logged at most
once every ``LOG_EVERY`` seconds per process. Pages are then rendered uncached and invalidation is
skipped (nothing cached meanwhile can be served later: writes were skipped too).

``is_down()`` tells a caller that the last operation found the store unreachable, for throttles
that choose to fail closed (see README "Abuse limits and secrets").
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

LOG_EVERY = 30  # seconds


def _outage_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


def _guarded(name: str, fallback):
    """``RedisCache.<name>``, answering ``fallback(*args)`` when the store is unreachable."""
    parent = getattr(RedisCache, name)

    def method(self, *args, **kwargs):
        try:
            result = parent(self, *args, **kwargs)
        except _outage_errors() as exc:
            self._failed(name, exc)
            return fallback(*args, **kwargs)
        self._down = False
        return result

    method.__name__ = name
    return method


class DegradingRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        # Fail fast: a cache that takes seconds to say it is down is worse than no cache.
        options.setdefault("socket_connect_timeout", 0.25)
        options.setdefault("socket_timeout", 0.5)
        options.setdefault("retry_on_timeout", False)
        super().__init__(server, {**params, "OPTIONS": options})
        self._down = False
        self._logged_at = 0.0

    def is_down(self) -> bool:
        """Whether the last operation (of this thread's cache object) found no store."""
        return self._down

    def _failed(self, operation: str, exc: BaseException) -> None:
        now = time.monotonic()
        self._down = True
        if now - self._logged_at >= LOG_EVERY:
            self._logged_at = now
            logger.warning(
                "cache unreachable (%s: %s); serving uncached", operation, type(exc).__name__
            )

    get = _guarded("get", lambda key, default=None, version=None: default)
    get_many = _guarded("get_many", lambda keys, version=None: {})
    has_key = _guarded("has_key", lambda *args, **kwargs: False)
    # False is "not added": a caller counting with add-then-incr moves on to incr (skipped too).
    add = _guarded("add", lambda *args, **kwargs: False)
    set = _guarded("set", lambda *args, **kwargs: None)
    set_many = _guarded("set_many", lambda data, timeout=None, version=None: list(data))
    touch = _guarded("touch", lambda *args, **kwargs: False)
    delete = _guarded("delete", lambda *args, **kwargs: False)
    delete_many = _guarded("delete_many", lambda *args, **kwargs: None)
    clear = _guarded("clear", lambda: False)

    def incr(self, key, delta=1, version=None):
        try:
            result = super().incr(key, delta, version)
        except _outage_errors() as exc:
            self._failed("incr", exc)
            raise ValueError(f"Key '{key}' not found (cache unreachable)") from None
        self._down = False
        return result


def is_down(cache) -> bool:
    """Whether ``cache`` last found its store unreachable (never true for an in-process cache)."""
    return bool(getattr(cache, "is_down", lambda: False)())
