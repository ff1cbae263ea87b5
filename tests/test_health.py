"""/healthz, /readyz, and production mode: refuses to start unconfigured, passes check --deploy."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from catalog.views import health

pytestmark = pytest.mark.django_db

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k3y-" + "Zx9_Qw7-Er5_Ty3-Ui1_Op8-As6_Df4-Gh2_Jk0-Lz9_Xc7-Vb5_Nm3",
    "DJANGO_ALLOWED_HOSTS": "partners.example.com",
    "SITE_URL": "https://partners.example.com",
    "DATABASE_URL": "sqlite:////tmp/portal-deploy-check.sqlite3",
    "EMAIL_URL": "smtp://mail.example.com:587",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
}


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_checks_the_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["failed"] == []


def test_readyz_names_the_failing_part_with_503(client, monkeypatch):
    monkeypatch.setitem(health.CHECKS, "database", lambda: "unreachable")
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["database"]
    assert body["checks"]["database"] == "failed: unreachable"


def test_readyz_checks_the_cache(client, db):
    assert client.get("/readyz").json()["checks"]["cache"] == "ok"


def test_readyz_names_a_cache_that_does_not_answer_without_the_drivers_words(
    client, db, monkeypatch
):
    # given: the cache server refuses connections, with a message naming its host
    def down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to redis.internal.example:6379. Refused.")

    monkeypatch.setattr("django.core.cache.backends.locmem.LocMemCache.set", down)
    # when
    response = client.get("/readyz")
    # then
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["cache"]
    assert body["checks"]["cache"] == "failed: unreachable"
    assert "redis.internal" not in response.content.decode()


def test_readyz_names_a_cache_that_keeps_nothing(client, db, monkeypatch):
    monkeypatch.setattr("django.core.cache.backends.locmem.LocMemCache.get", lambda *a, **k: None)
    body = client.get("/readyz").json()
    assert body["failed"] == ["cache"] and "does not keep values" in body["checks"]["cache"]


@pytest.fixture
def behind_tls(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["portal.example.com"]
    settings.HEALTH_PROBE_ADDRESSES = ["10.20.0.0/16", "192.0.2.7"]


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "10.20.3.4", "192.0.2.7"])
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_a_plain_http_probe_from_a_probe_address_is_answered_not_redirected(
    client, db, behind_tls, address, path
):
    # an orchestrator probes the pod directly: plain HTTP, its own Host header
    response = client.get(path, REMOTE_ADDR=address, HTTP_HOST="10.20.3.9:8000")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.parametrize("address", ["203.0.113.9", "10.21.0.1", "not-an-address", ""])
def test_a_plain_http_probe_from_anywhere_else_goes_the_usual_way(client, db, behind_tls, address):
    response = client.get("/readyz", REMOTE_ADDR=address, HTTP_HOST="portal.example.com")
    assert response.status_code == 301
    assert response["Location"] == "https://portal.example.com/readyz"


def test_health_endpoints_refuse_posts(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405


# --- Production mode ----------------------------------------------------------------------------


def run_django(env_overrides: dict, code: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


SETUP = "import django; django.setup(); print('started')"


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("DJANGO_SECRET_KEY", "DJANGO_SECRET_KEY must be set"),
        ("DJANGO_ALLOWED_HOSTS", "DJANGO_ALLOWED_HOSTS must be set"),
        ("CACHE_URL", "Throttles need a store every web process shares"),
    ],
)
def test_production_refuses_to_start_without_its_secrets(missing, message):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = run_django(env, SETUP)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


@pytest.mark.parametrize(
    "key", ["django-insecure-embedded-default-for-local-development-only", "short"]
)
def test_production_refuses_a_weak_or_default_secret_key(key):
    result = run_django({**PRODUCTION_ENV, "DJANGO_SECRET_KEY": key}, SETUP)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_starts_with_its_variables_set():
    result = run_django(PRODUCTION_ENV, SETUP)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_check_deploy_is_clean_with_production_variables():
    result = run_django(
        PRODUCTION_ENV,
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
