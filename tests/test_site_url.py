"""`make run` links follow HOST/PORT (passed on as PORTAL_HOST/PORTAL_PORT) unless SITE_URL
says otherwise."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def site_url(**env) -> str:
    clean = {
        k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PORTAL_HOST", "PORTAL_PORT")
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="portal.settings")
    out = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SITE_URL)"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"PORTAL_PORT": "8811"}, "http://127.0.0.1:8811"),
        ({"PORTAL_HOST": "0.0.0.0", "PORTAL_PORT": "9000"}, "http://127.0.0.1:9000"),
        ({"PORTAL_HOST": "::1", "PORTAL_PORT": "9000"}, "http://[::1]:9000"),
        (
            {"PORTAL_PORT": "8811", "SITE_URL": "https://portal.example.com/"},
            "https://portal.example.com",
        ),
    ],
)
def test_links_follow_host_and_port_unless_site_url_says_otherwise(env, expected):
    if (ROOT / ".env").exists():
        pytest.skip("a local .env may set SITE_URL")
    assert site_url(**env) == expected


def test_makefile_passes_host_and_port_on():
    makefile = (ROOT / "Makefile").read_text()
    assert "export PORTAL_HOST := $(HOST)" in makefile
    assert "export PORTAL_PORT := $(PORT)" in makefile
