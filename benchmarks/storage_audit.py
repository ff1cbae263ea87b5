"""Storage-audit benchmark: ``python -m benchmarks.storage_audit [--files 10000] [--rounds 3]``.

Against moto's standalone S3 server on loopback (started and stopped here, by pid) with a
temporary SQLite database: ``--files`` objects in the bucket, referenced by metadata revisions
(logo and mark each), one in fifty of them deleted from the bucket, and a few hundred objects
nothing references. Then, interleaved per round:

* baseline: a bare paginated ``list_objects_v2`` of the bucket (what any full pass must do);
* the full audit pass (listing + every reference + recording what it found);
* a quick pass over 200 new references, against 200 bare ``head_object`` calls.

Prints seconds (best of the rounds) and the ratios. About a minute for 10,000 files.
"""

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
BUCKET = "storage-audit-bench"
MOTO = Path(sys.executable).with_name("moto_server")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_moto(port: int) -> subprocess.Popen:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
    proc = subprocess.Popen(
        [str(MOTO), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=1).close()
            return proc
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("moto_server did not start") from None
            time.sleep(0.2)


def setup_django(tmp: Path, endpoint: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
            "AWS_STORAGE_BUCKET_NAME": BUCKET,
            "AWS_S3_ENDPOINT_URL": endpoint,
            "AWS_S3_REGION_NAME": "us-east-1",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill(client, files: int) -> list[str]:
    """``files`` objects, referenced by revisions; 1 in 50 then lost; 300 unreferenced ones."""
    from concurrent.futures import ThreadPoolExecutor

    from django.utils import timezone

    from catalog.models import Integration, MetadataRevision, Partner, ReviewStatus

    names = [f"assets/{secrets.token_hex(16)}.svg" for _ in range(files)]
    extra = [f"assets/{secrets.token_hex(16)}.png" for _ in range(300)]

    def put(name):
        client.put_object(Bucket=BUCKET, Key=name, Body=b"<svg/>")

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(put, names + extra))
    partner = Partner.objects.create(name="Bench", website="https://bench.example.com")
    integrations = Integration.objects.bulk_create(
        Integration(partner=partner, name=f"Bench {n}", slug=f"bench-{n}")
        for n in range(files // 2)
    )
    old = timezone.now() - timezone.timedelta(days=1)
    MetadataRevision.objects.bulk_create(
        MetadataRevision(
            integration=integration,
            number=1,
            status=ReviewStatus.APPROVED,
            logo=names[2 * n],
            mark=names[2 * n + 1],
            created_at=old,
        )
        for n, integration in enumerate(integrations)
    )
    lost = names[::50]
    for name in lost:
        client.delete_object(Bucket=BUCKET, Key=name)
    return names


def _head(client, name) -> bool:
    try:
        client.head_object(Bucket=BUCKET, Key=name)
    except client.exceptions.ClientError:
        return False
    return True


def bare_listing(client) -> int:
    count = 0
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        count += len(page.get("Contents", []))
    return count


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if not MOTO.exists():
        print(f"{MOTO} is missing: install requirements-dev.txt (moto[server])")
        return 1
    port = free_port()
    proc = start_moto(port)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            endpoint = f"http://127.0.0.1:{port}"
            setup_django(Path(tmp), endpoint)
            import boto3
            from botocore.config import Config

            from catalog.services import storage_audit as audit

            client = boto3.client(
                "s3",
                config=Config(max_pool_connections=16),
                endpoint_url=endpoint,
                aws_access_key_id="bench",
                aws_secret_access_key="bench",
                region_name="us-east-1",
            )
            client.create_bucket(Bucket=BUCKET)
            start = time.perf_counter()
            names = fill(client, args.files)
            print(f"filled {args.files} + 300 objects in {time.perf_counter() - start:.1f} s")
            sample = names[1:400:2]
            best = {"listing": [], "full": [], "quick": [], "sequential": []}
            for _ in range(args.rounds):
                best["listing"].append(timed(lambda: bare_listing(client)))
                best["full"].append(timed(lambda: audit.storage_audit(full=True)))
                best["quick"].append(timed(lambda: audit.absent(sample)))
                best["sequential"].append(timed(lambda: [_head(client, n) for n in sample]))
            run = audit.storage_audit(full=True)
            low = {key: min(values) for key, values in best.items()}
            print(
                f"full pass: {run.checked} names, {run.missing} missing, {run.orphans} "
                f"unreferenced (none old enough: uploaded just now)"
            )
            print(f"{'what':<40} {'seconds':>8} {'ratio':>7}")
            print(f"{'bare bucket listing (baseline)':<40} {low['listing']:>8.2f} {1:>7.2f}")
            ratio = low["full"] / low["listing"]
            print(f"{'full audit pass':<40} {low['full']:>8.2f} {ratio:>7.2f}")
            print(
                f"{'200 bare head_object calls (baseline)':<40} {low['sequential']:>8.2f} {1:>7.2f}"
            )
            ratio = low["quick"] / low["sequential"]
            print(f"{'quick pass over 200 names':<40} {low['quick']:>8.2f} {ratio:>7.2f}")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
