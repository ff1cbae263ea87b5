"""The S3 storage path, against moto's standalone S3 server on loopback (started here).

Uploads go through Django's ``STORAGES`` to django-storages' S3 backend; the asset view serves
them from the bucket; a failure half-way through a submission leaves nothing in the bucket.
"""

import io
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from catalog.errors import ApplicationError
from catalog.models import MetadataRevision
from catalog.services import metadata as svc
from tests.pg_plugin import free_port
from tests.validation import samples

pytestmark = pytest.mark.s3

BUCKET = "partner-portal-assets"
MOTO = Path(sys.executable).with_name("moto_server")


@pytest.fixture(scope="module")
def moto_url():
    if not MOTO.exists():
        pytest.fail(f"{MOTO} is missing: install requirements-dev.txt (moto[server])")
    port = free_port()
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    proc = subprocess.Popen(
        [str(MOTO), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/moto-api/", timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("moto_server did not start")
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture
def s3(moto_url, settings):
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=moto_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": moto_url,
                "access_key": "testing",
                "secret_key": "testing",
                "region_name": "us-east-1",
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    assert default_storage.__class__.__name__ == "S3Storage"
    yield client
    # cleanup: empty and remove the bucket so every test starts from nothing
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client) -> set[str]:
    return {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def values(**overrides) -> svc.MetadataInput:
    data = svc.MetadataInput(
        name="Acme Events",
        pr_url="https://github.com/segmentio/action-destinations/pull/77",
        description="Send events to Acme.",
        website="https://acme.example.com",
        primary_category="analytics",
        support_email="support@acme.example.com",
        logo=samples.LOGO_SVG,
        mark=samples.MARK_SVG,
        screenshots=[
            svc.ScreenshotInput(
                content=samples.jpeg(1600, 1000, exif=samples.gps_exif()), caption="Home"
            ),
            svc.ScreenshotInput(),
        ],
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


def test_upload_goes_to_the_bucket_under_random_names(
    s3, partner_user, integration, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        revision = svc.metadata_save(
            actor=partner_user, integration_id=integration.pk, values=values()
        )
    image = revision.images.get()
    expected = {revision.logo.name, revision.mark.name, image.image.name, image.thumbnail.name}
    assert keys(s3) == expected
    assert all(
        k.startswith("assets/") and len(k.split("/")[1].split(".")[0]) == 32 for k in expected
    )
    logo = s3.get_object(Bucket=BUCKET, Key=revision.logo.name)
    assert logo["Body"].read() == samples.LOGO_SVG
    stored = s3.get_object(Bucket=BUCKET, Key=image.image.name)["Body"].read()
    assert b"Exif" not in stored and b"SpyCam" not in stored


def test_assets_are_served_from_the_bucket_with_locked_down_headers(
    s3, client, partner_user, staff_user, integration
):
    svc.metadata_save(
        actor=partner_user, integration_id=integration.pk, values=values(), submit=True
    )
    revision = svc.metadata_review(
        actor=staff_user, integration_id=integration.pk, number=1, approve=True
    )
    response = client.get("/" + revision.logo.name)
    assert response.status_code == 200
    assert response.content == samples.LOGO_SVG
    assert response["Content-Type"] == "image/svg+xml"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    shot = client.get("/" + revision.images.get().image.name)
    assert shot.status_code == 200 and shot["Content-Type"] == "image/jpeg"


def test_failure_half_way_leaves_nothing_in_the_bucket(s3, partner_user, integration, monkeypatch):
    backend = default_storage._wrapped.__class__
    real_save, calls = backend._save, {"n": 0}

    def flaky(self, name, content):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("connection reset by S3")
        return real_save(self, name, content)

    monkeypatch.setattr(backend, "_save", flaky)
    with pytest.raises(ApplicationError) as caught:
        svc.metadata_save(
            actor=partner_user, integration_id=integration.pk, values=values(), submit=True
        )
    assert caught.value.status == 503
    assert calls["n"] == 3  # two files were written before the failure…
    assert keys(s3) == set()  # …and removed again
    assert MetadataRevision.objects.count() == 0


def test_unreachable_bucket_is_a_clear_error(s3, partner_user, integration, settings):
    settings.STORAGES["default"]["OPTIONS"] = {
        **settings.STORAGES["default"]["OPTIONS"],
        "bucket_name": "no-such-bucket",
    }
    settings.STORAGES = dict(settings.STORAGES)
    with pytest.raises(ApplicationError) as caught:
        svc.metadata_save(actor=partner_user, integration_id=integration.pk, values=values())
    assert caught.value.status == 503
    assert MetadataRevision.objects.count() == 0


def test_serving_a_missing_object_is_a_404(s3, client, partner_user, integration):
    revision = svc.metadata_save(actor=partner_user, integration_id=integration.pk, values=values())
    s3.delete_object(Bucket=BUCKET, Key=revision.logo.name)
    client.force_login(partner_user)
    assert client.get("/" + revision.logo.name).status_code == 404


def test_storage_read_back(s3):
    name = default_storage.save(
        "assets/0123456789abcdef0123456789abcdef.png", io.BytesIO(samples.png())
    )
    with default_storage.open(name) as fh:
        assert fh.read() == samples.png()
    default_storage.delete(name)
    assert keys(s3) == set()


def test_the_storage_audit_finds_every_file_of_an_emptied_bucket(
    s3, client, partner_user, staff_user, integration, django_capture_on_commit_callbacks
):
    from catalog.models import Stage, StorageProblem
    from catalog.services import storage_audit as audit

    # given: a live revision (files and thumbnail in the bucket) on a public integration
    with django_capture_on_commit_callbacks(execute=True):
        svc.metadata_save(
            actor=partner_user, integration_id=integration.pk, values=values(), submit=True
        )
        revision = svc.metadata_review(
            actor=staff_user, integration_id=integration.pk, number=1, approve=True
        )
    integration.refresh_from_db()
    integration.stage = Stage.PUBLIC
    integration.save(update_fields=["stage"])
    referenced = set(audit.references())
    assert referenced == keys(s3) and len(referenced) == 4
    assert audit.storage_audit(full=True).missing == 0
    # when the store loses every object
    for key in keys(s3):
        s3.delete_object(Bucket=BUCKET, Key=key)
    quick = audit.storage_audit(full=False)
    full = audit.storage_audit(full=True)
    # then the quick pass, which asks only about files added since the full pass, finds
    # nothing; the full pass finds every file, all in use; the pages stay up
    assert quick.missing == 0 and full.missing == 4
    missing = StorageProblem.objects.filter(kind="missing", resolved_at__isnull=True)
    assert {p.name for p in missing} == referenced and all(p.in_use for p in missing)
    assert client.get(f"/catalog/{integration.slug}/").status_code == 200
    assert client.get("/" + revision.logo.name).status_code == 404


def test_the_full_audit_lists_the_bucket_and_finds_unreferenced_objects(s3, db):
    from catalog.services import storage_audit as audit

    s3.put_object(Bucket=BUCKET, Key="assets/" + "c" * 32 + ".png", Body=samples.png())
    listed = audit.stored_files()
    assert set(listed) == {"assets/" + "c" * 32 + ".png"}
    assert all(modified is not None for modified in listed.values())
    # just uploaded: within the grace period, not an orphan yet
    assert audit.storage_audit(full=True).orphans == 0
