"""Tokens never reach a log line: Django's request and error logs, the development server's
request lines, and gunicorn's access and error logs (``portal/gunicorn.conf.py``)."""

import io
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from catalog.log_filters import SCRUBBED, scrub
from catalog.services import beta as beta_service

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "Qm9sdC1zZWNyZXQtdG9rZW4tdGhhdC1tdXN0LW5ldmVyLWxlYWs"


@pytest.mark.parametrize(
    "line",
    [
        f"Internal Server Error: /beta/{TOKEN}/",
        f'"GET /beta/{TOKEN}/verify/ HTTP/1.1" 500 145',
        f"GET /accounts/confirm/{TOKEN}/",
        f"POST /accounts/password/reset/Mg/{TOKEN}/",
        f"GET /somewhere/?token={TOKEN}&page=2",
        f"https://portal.example.com/beta/{TOKEN}",
    ],
)
def test_every_kind_of_secret_link_is_scrubbed(line):
    assert TOKEN not in scrub(line)
    assert SCRUBBED in scrub(line)


def test_ordinary_paths_are_left_alone():
    for line in ("GET /catalog/braze/ 200", "GET /accounts/confirm/resend/ 200", "/partner/"):
        assert scrub(line) == line


@pytest.fixture
def django_log():
    """What the handlers of Django's loggers print, captured."""
    stream = io.StringIO()
    handlers = {
        *logging.getLogger("django").handlers,
        *logging.getLogger("django.server").handlers,
        *logging.getLogger().handlers,
    }
    streams = [h for h in handlers if isinstance(h, logging.StreamHandler)]
    old = [h.setStream(stream) for h in streams]
    yield stream
    for handler, previous in zip(streams, old, strict=True):
        handler.setStream(previous)


@pytest.mark.django_db
def test_a_forced_error_on_a_beta_url_logs_no_token(client, monkeypatch, django_log):
    # given: opening a link fails with an exception that even names the token
    def broken(*, token, client_ip):
        raise RuntimeError(f"lookup failed for {f'/beta/{token}/'}")

    monkeypatch.setattr(beta_service, "beta_link_open", broken)
    client.raise_request_exception = False
    # when
    response = client.get(f"/beta/{TOKEN}/")
    # then
    assert response.status_code == 500
    output = django_log.getvalue()
    assert "Internal Server Error" in output and "RuntimeError" in output
    assert TOKEN not in output
    assert f"/beta/{SCRUBBED}/" in output


def test_the_development_server_request_line_is_scrubbed(django_log):
    logging.getLogger("django.server").info('"GET /beta/%s/ HTTP/1.1" 200 512', TOKEN)
    output = django_log.getvalue()
    assert TOKEN not in output and f"/beta/{SCRUBBED}/" in output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_gunicorn_access_log_carries_no_token(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_DEBUG": "true",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    out, err = tmp_path / "out.log", tmp_path / "err.log"
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [gunicorn, "-c", "portal/gunicorn.conf.py", "portal.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=stdout,
            stderr=stderr,
        )
        try:
            status = None
            deadline = time.monotonic() + 30
            while status is None and time.monotonic() < deadline:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/beta/{TOKEN}/", timeout=5)
                except urllib.error.HTTPError as error:
                    status = error.code
                except OSError:
                    time.sleep(0.2)
            time.sleep(0.5)
        finally:
            process.terminate()
            process.wait(timeout=20)
    logs = out.read_text() + err.read_text()
    assert status in (404, 500)
    assert f"GET /beta/{SCRUBBED}/ HTTP/1.1" in logs  # the request was logged ...
    assert TOKEN not in logs  # ... without its token
