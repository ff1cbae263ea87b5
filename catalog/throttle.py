"""Abuse counters, in the ``throttle`` cache alias that page caching cannot evict.

Every throttle counts here. Without its store (Redis down in production) each one behaves as
written down in the README ("Abuse limits and secrets"): counters read as zero and counting is
skipped (fail-open: log-in, beta tokens), while a "once per interval" guard refuses
(fail-closed: confirmation and reset emails are not sent until the store is back).
"""

from django.core.cache import caches

from catalog.cache_backends import is_down

ALIAS = "throttle"


def _store():
    return caches[ALIAS]


def count(key: str) -> int:
    """The counter's value; 0 when it is not set (or the store is unreachable)."""
    return int(_store().get(key) or 0)


def add_one(key: str, *, seconds: int) -> None:
    """One more in the counter, which lives ``seconds`` from its first count."""
    store = _store()
    if store.add(key, 1, timeout=seconds):
        return
    try:
        store.incr(key)
    except ValueError:  # expired between add and incr, or the store is unreachable
        store.add(key, 1, timeout=seconds)


def forget(key: str) -> None:
    _store().delete(key)


def first_in(key: str, *, seconds: int) -> bool:
    """True for the first call in ``seconds`` (and never while the store is unreachable)."""
    store = _store()
    return bool(store.add(key, 1, timeout=seconds)) and not is_down(store)
