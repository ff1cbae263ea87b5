"""Real Redis, real Celery workers and beat, as subprocesses, for the ``worker`` test group.

``redis_server`` starts Debian's ``redis-server`` on a free loopback port (no persistence).
``celery`` starts ``celery -A portal worker`` / ``beat`` with the environment pointing at the
test PostgreSQL database (the test's own database, read from ``connection.settings_dict``, so
these tests use ``transactional_db``: what they commit is what the worker sees) and at an email
folder the test reads back. The test process itself publishes to the same Redis. Everything
started here is stopped by its pid (process group) when the test ends.
"""

import email
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from tests.pg_plugin import free_port

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")
WAIT = 45  # seconds; generous for a 2-core machine under load, never part of an assertion


def wait_for(predicate, *, timeout: float = WAIT, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(interval)


def _stop(proc: subprocess.Popen, *, group: bool, sig=signal.SIGTERM, grace: float = 10) -> None:
    if proc.poll() is not None:
        return
    try:
        if group:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
        proc.wait(timeout=grace)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        if group:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
        proc.wait(timeout=grace)


def _kill_group_leftovers(pid: int) -> None:
    """Pool children outlive a SIGKILLed parent; they share its process group."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@dataclass
class RedisServer:
    folder: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not os.path.exists(binary):
            pytest.fail("redis-server is missing: run `make test` (it installs it)")
        log = open(self.folder / f"redis-{self.port}.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        wait_for(self.answers, timeout=15, what="redis-server to answer")

    def answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.proc is not None:
            _stop(self.proc, group=False)
            self.proc = None


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(folder=tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def publish_to(settings):
    """Point this test process's Celery app (and /readyz) at a real broker; eager again after."""
    from kombu import pools

    from portal.celery import app

    def _reset():
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.__dict__.get("amqp") and setattr(app.amqp, "_producer_pool", None)
        pools.reset()

    def _point(url: str) -> None:
        _reset()
        settings.CELERY_BROKER_URL = url
        app.conf.broker_url = url
        app.conf.task_always_eager = False

    yield _point
    _reset()
    app.conf.broker_url = None
    app.conf.task_always_eager = True


def database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{quote(db['NAME'], safe='')}"


class Mailbox:
    """The folder the worker's email backend writes to, and its control files."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def messages(self) -> list[email.message.Message]:
        return [
            email.message_from_bytes(path.read_bytes())
            for path in sorted(self.folder.glob("*.eml"))
        ]

    def sending_markers(self) -> list[tuple[int, int]]:
        """(pid, outbox id) of sends currently held by the ``slow`` switch."""
        found = []
        for path in self.folder.glob("sending-*"):
            _, pid, outbox_id = path.name.split("-", 2)
            found.append((int(pid), int(outbox_id)))
        return found

    def set(self, switch: str, on: bool = True) -> None:
        path = self.folder / switch
        if on:
            path.touch()
        else:
            path.unlink(missing_ok=True)


class Celery:
    """Starts worker and beat subprocesses; remembers them so teardown stops each by pid."""

    def __init__(self, folder: Path, env: dict[str, str]):
        self.folder = folder
        self.env = env
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def _spawn(self, name: str, args: list[str], extra_env: dict | None) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "ab")  # noqa: SIM115
        proc = subprocess.Popen(
            [str(CELERY), "-A", "portal", *args],
            cwd=ROOT,
            env={**self.env, **(extra_env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: pool children are stopped with it
        )
        log.close()
        self.procs.append((name, proc))
        return proc

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def worker(self, name: str = "worker", *, concurrency: int = 2, env: dict | None = None):
        proc = self._spawn(
            name,
            [
                "worker",
                "--pool=prefork",
                "-c",
                str(concurrency),
                "--loglevel=INFO",
                "-n",
                f"{name}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            env,
        )
        wait_for(
            lambda: " ready." in self.log(name) or proc.poll() is not None,
            what=f"{name} to be ready",
        )
        assert proc.poll() is None, self.log(name)[-3000:]
        return proc

    def beat(self, name: str = "beat", *, env: dict | None = None):
        proc = self._spawn(
            name,
            [
                "beat",
                "--loglevel=INFO",
                "--schedule",
                str(self.folder / f"{name}-schedule"),
                "--pidfile",
                str(self.folder / f"{name}.pid"),
            ],
            env,
        )
        wait_for(
            lambda: "beat: Starting" in self.log(name) or proc.poll() is not None,
            what=f"{name} to start",
        )
        assert proc.poll() is None, self.log(name)[-3000:]
        return proc

    def kill_all(self, proc: subprocess.Popen) -> None:
        """SIGKILL a worker and its pool children at once, as an OOM killer or a lost host."""
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop(self) -> None:
        for name, proc in reversed(self.procs):
            # Cold shutdown for workers (SIGQUIT: nothing left to finish), SIGTERM for beat.
            _stop(proc, group=True, sig=signal.SIGTERM if name == "beat" else signal.SIGQUIT)
            _kill_group_leftovers(proc.pid)
        self.procs.clear()


@pytest.fixture
def mailbox(tmp_path):
    return Mailbox(tmp_path / "mail")


@pytest.fixture
def celery(transactional_db, redis_server, mailbox, tmp_path, publish_to):
    """Real workers and beat against the test database and ``redis_server``."""
    publish_to(redis_server.url)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DJANGO_DEBUG="true",
        PYTHONPATH=str(ROOT),
        DATABASE_URL=database_url(),
        DATABASE_CONN_MAX_AGE="0",
        CELERY_BROKER_URL=redis_server.url,
        # django-environ drops one leading slash: filemail:////abs/path is /abs/path.
        EMAIL_URL=f"filemail:///{mailbox.folder.as_posix()}",
        EMAIL_BACKEND="tests.worker.email_backend.EmailBackend",
        LOG_LEVEL="INFO",
        OUTBOX_RETRY_BASE_SECONDS="0.5",
        OUTBOX_SWEEP_INTERVAL="0.5",
        OUTBOX_SWEEP_GRACE="1",
        OUTBOX_REQUEUE_AFTER="5",
    )
    runner = Celery(tmp_path, env)
    yield runner
    runner.stop()
