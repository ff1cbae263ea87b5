"""Start a throwaway PostgreSQL cluster for the test session, before Django reads its settings.

The machine's ``initdb``/``pg_ctl`` run as the ``postgres`` user when we are root (initdb refuses
root). The cluster listens on a free loopback port, trusts local connections, and is stopped by
its own pid and removed when the session ends. Set ``TEST_DATABASE_URL`` to use an existing
server instead, or ``TEST_DATABASE=sqlite`` for a quick run without PostgreSQL.
"""

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

_cluster: dict = {}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _find(binary: str) -> str:
    found = shutil.which(binary)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{binary}"), reverse=True):
        return str(candidate)
    raise RuntimeError(f"{binary} not found: install PostgreSQL (apt-get install postgresql)")


def _as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def start_cluster() -> str:
    root = Path(tempfile.mkdtemp(prefix="portal-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        for path in (root, sock):
            os.chown(path, pw.pw_uid, pw.pw_gid)
    subprocess.run(
        _as_postgres(
            [
                _find("initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-instructions",
            ]
        ),
        check=True,
        capture_output=True,
    )
    port = free_port()
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {sock} -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    subprocess.run(
        _as_postgres(
            [
                _find("pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(root / "log"),
                "-w",
                "-t",
                "60",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    pid = int((data / "postmaster.pid").read_text().split()[0])
    _cluster.update(root=root, pid=pid, port=port)
    return f"postgres://postgres@127.0.0.1:{port}/portal"


def stop_cluster() -> None:
    pid = _cluster.get("pid")
    if pid:
        try:
            os.kill(pid, signal.SIGINT)  # PostgreSQL's "fast" shutdown
            for _ in range(100):
                os.kill(pid, 0)
                time.sleep(0.1)
        except ProcessLookupError:
            pass
    if _cluster.get("root"):
        shutil.rmtree(_cluster["root"], ignore_errors=True)
    _cluster.clear()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    """Runs before pytest-django loads settings, so DATABASE_URL points at the new cluster."""
    os.environ.setdefault("DJANGO_DEBUG", "true")
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.pop("AWS_STORAGE_BUCKET_NAME", None)
    if os.environ.get("TEST_DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["TEST_DATABASE_URL"]
    elif os.environ.get("TEST_DATABASE") == "sqlite":
        os.environ["DATABASE_URL"] = "sqlite:///" + tempfile.mktemp(suffix=".sqlite3")
    elif not getattr(early_config.option, "help", False):
        os.environ["DATABASE_URL"] = start_cluster()
    return (yield)


def pytest_unconfigure(config):
    stop_cluster()
