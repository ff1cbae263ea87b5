from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def healthz(request):
    """The process is alive; checks nothing else."""
    return JsonResponse({"status": "ok"})


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        return f"{type(exc).__name__}: {exc}"[:300]
    return None


def _check_broker() -> str | None:
    if not settings.CELERY_BROKER_URL:
        return None
    from portal.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0, timeout=2)
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}"[:300]
    return None


def _check_storage() -> str | None:
    if not settings.AWS_STORAGE_BUCKET_NAME:
        return None
    from django.core.files.storage import default_storage

    try:
        default_storage.exists("readyz-probe")
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}"[:300]
    return None


CHECKS = {"database": _check_database, "broker": _check_broker, "storage": _check_storage}


@require_GET
@never_cache
def readyz(request):
    """Each dependency in use and whether it answers; 503 naming the part that failed."""
    results = {}
    failed = []
    for name, check in CHECKS.items():
        if name == "broker" and not settings.CELERY_BROKER_URL:
            results[name] = "not configured (eager tasks)"
            continue
        if name == "storage" and not settings.AWS_STORAGE_BUCKET_NAME:
            results[name] = "local files"
            continue
        error = check()
        results[name] = "ok" if error is None else f"failed: {error}"
        if error is not None:
            failed.append(name)
    body = {"status": "ok" if not failed else "unavailable", "checks": results, "failed": failed}
    return JsonResponse(body, status=503 if failed else 200)
