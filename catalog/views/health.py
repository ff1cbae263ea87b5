"""``/healthz`` (the process answers) and ``/readyz`` (every part the site depends on answers).

``/readyz`` names a failing part and what kind of failure it is, never the driver's own words
(they can carry host names, user names or paths); those go to the server log.
"""

import logging
import secrets

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from catalog.cache_backends import is_down

logger = logging.getLogger(__name__)

UNREACHABLE = "unreachable"


@require_GET
@never_cache
def healthz(request):
    """The process is alive; checks nothing else."""
    return JsonResponse({"status": "ok"})


def _failure(part: str, exc: Exception) -> str:
    logger.warning("readyz: %s failed: %s: %s", part, type(exc).__name__, exc)
    if isinstance(exc, TimeoutError) or "timeout" in type(exc).__name__.lower():
        return "timed out"
    return UNREACHABLE


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        return _failure("database", exc)
    return None


def _check_cache() -> str | None:
    """Each configured cache keeps a value for a moment (a cache that drops everything is as
    good as none for the throttles that use it)."""
    for alias in settings.CACHES:
        key, value = f"readyz-probe:{secrets.token_hex(8)}", secrets.token_hex(8)
        try:
            cache = caches[alias]
            cache.set(key, value, 10)
            kept = cache.get(key) == value
            cache.delete(key)
        except Exception as exc:  # noqa: BLE001
            return _failure(f"cache {alias}", exc)
        if is_down(cache):  # the degrading backend answered "miss" for an unreachable store
            logger.warning("readyz: cache %s unreachable", alias)
            return UNREACHABLE
        if not kept:
            return f"cache '{alias}' does not keep values"
    return None


def _check_broker() -> str | None:
    from portal.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0, timeout=2)
    except Exception as exc:  # noqa: BLE001
        return _failure("broker", exc)
    return None


def _check_storage() -> str | None:
    from django.core.files.storage import default_storage

    try:
        default_storage.exists("readyz-probe")
    except Exception as exc:  # noqa: BLE001
        return _failure("storage", exc)
    return None


CHECKS = {
    "database": _check_database,
    "cache": _check_cache,
    "broker": _check_broker,
    "storage": _check_storage,
}


def _not_in_use(name: str) -> str | None:
    if name == "broker" and not settings.CELERY_BROKER_URL:
        return "not configured (eager tasks)"
    if name == "storage" and not settings.AWS_STORAGE_BUCKET_NAME:
        return "local files"
    return None


@require_GET
@never_cache
def readyz(request):
    """Each dependency in use and whether it answers; 503 naming the part that failed."""
    results = {}
    failed = []
    for name, check in CHECKS.items():
        skipped = _not_in_use(name)
        if skipped:
            results[name] = skipped
            continue
        error = check()
        results[name] = "ok" if error is None else f"failed: {error}"
        if error is not None:
            failed.append(name)
    body = {"status": "ok" if not failed else "unavailable", "checks": results, "failed": failed}
    return JsonResponse(body, status=503 if failed else 200)
