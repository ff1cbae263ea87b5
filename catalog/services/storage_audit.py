"""The storage audit: files that rows point to but the store lacks, and files in the store that
no row points to.

A quick pass (every ``STORAGE_AUDIT_QUICK_INTERVAL`` seconds) asks the store about each file
referenced by revisions created since the last full pass, and about each file known to be
missing, with one ``HEAD`` request each. A full pass (every ``STORAGE_AUDIT_FULL_INTERVAL``)
lists the store (1,000 names a request on S3) and compares it with every reference: it finds
missing files and orphans alike. Files younger than ``ORPHAN_GRACE`` are never called orphans (an
upload is stored before its revision commits).

A missing file of a live or in-review revision is mailed to staff once, with every other such
file found in the same pass. The pages need no change to survive one: the asset URL answers 404
and the catalog's images fall back to the name or initials, as for a slow CDN.
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from catalog.models import (
    Integration,
    MetadataImage,
    MetadataRevision,
    ReviewStatus,
    StorageAuditRun,
    StorageProblem,
)
from catalog.notifications import Kind, notify, staff_recipients

PREFIX = "assets/"
ORPHAN_GRACE = timedelta(hours=1)
Kinds = StorageProblem.Kind


@dataclass(frozen=True)
class Reference:
    """Where a stored name is used; the most important use when there are several."""

    name: str
    revision_id: int
    integration_id: int
    field: str
    in_use: bool  # the revision is live or in review
    rank: tuple  # lower is more important


# --- References ---------------------------------------------------------------------------------


def references(*, since: datetime | None = None, names=None) -> dict[str, Reference]:
    """Every stored name rows point to (of revisions created since ``since``, or only
    ``names``), in three queries however many there are."""
    live = set(
        Integration.objects.filter(live_metadata__isnull=False).values_list(
            "live_metadata_id", flat=True
        )
    )
    revisions = MetadataRevision.objects.all()
    images = MetadataImage.objects.all()
    if since is not None:
        revisions = revisions.filter(created_at__gte=since)
        images = images.filter(revision__created_at__gte=since)
    if names is not None:
        names = list(names)
        revisions = revisions.filter(Q(logo__in=names) | Q(mark__in=names))
        images = images.filter(Q(image__in=names) | Q(thumbnail__in=names))
    rows = [
        (pk, integration, status, field, name)
        for pk, integration, status, logo, mark in revisions.values_list(
            "pk", "integration_id", "status", "logo", "mark"
        )
        for field, name in (("logo", logo), ("mark", mark))
    ] + [
        (pk, integration, status, field, name)
        for pk, integration, status, image, thumbnail in images.values_list(
            "revision_id", "revision__integration_id", "revision__status", "image", "thumbnail"
        )
        for field, name in (("image", image), ("thumbnail", thumbnail))
    ]
    found: dict[str, Reference] = {}
    for pk, integration, status, field, name in rows:
        if not name:
            continue
        in_use = pk in live or status == ReviewStatus.SUBMITTED
        rank = (0 if pk in live else 1 if status == ReviewStatus.SUBMITTED else 2, -pk)
        if name not in found or rank < found[name].rank:
            found[name] = Reference(name, pk, integration, field, in_use, rank)
    return found


# --- The store ----------------------------------------------------------------------------------


def stored_files(storage=None) -> dict[str, datetime | None]:
    """Every stored name under ``assets/`` with its last change."""
    storage = storage or default_storage
    if hasattr(storage, "bucket"):  # S3: one listing request per 1,000 names
        location = storage.location.strip("/")
        prefix = f"{location}/{PREFIX}" if location else PREFIX
        cut = len(prefix) - len(PREFIX)
        return {
            summary.key[cut:]: summary.last_modified
            for summary in storage.bucket.objects.filter(Prefix=prefix)
        }
    root = Path(storage.path(PREFIX))
    if not root.is_dir():
        return {}
    zone = timezone.get_current_timezone()
    return {
        f"{PREFIX}{path.relative_to(root).as_posix()}": datetime.fromtimestamp(
            path.stat().st_mtime, tz=zone
        )
        for path in root.rglob("*")
        if path.is_file()
    }


def absent(names, storage=None) -> set[str]:
    """The names the store does not have, one HEAD request each on S3. Asked one after the
    other: 16 threads measured 2.7× slower than this against moto (each thread builds its own
    boto3 client; ``python -m benchmarks.storage_audit``)."""
    storage = storage or default_storage
    return {name for name in sorted(set(names)) if not storage.exists(name)}


# --- The pass -----------------------------------------------------------------------------------


def storage_audit(*, full: bool, now: datetime | None = None) -> StorageAuditRun:
    now = now or timezone.now()
    clock = time.monotonic()
    last_full = (
        StorageAuditRun.objects.filter(full=True, finished_at__isnull=False)
        .order_by("-started_at")
        .first()
    )
    run = StorageAuditRun.objects.create(full=full, started_at=now)
    if full:
        refs = references()
        stored = stored_files()
        missing = {name for name in refs if name not in stored}
        orphans = {
            name
            for name, changed in stored.items()
            if name not in refs and (changed is None or changed < now - ORPHAN_GRACE)
        }
        checked, run.stored = None, len(stored)  # everything: any open problem not found ends
    else:
        known = set(_open(Kinds.MISSING).values_list("name", flat=True))
        refs = references(since=last_full.started_at if last_full else None)
        refs.update(references(names=known))
        checked = set(refs)
        missing, orphans = absent(checked), None
    with transaction.atomic():
        new = _record(Kinds.MISSING, found=missing, checked=checked, refs=refs, now=now)
        if orphans is not None:
            _record(Kinds.ORPHAN, found=orphans, checked=checked, refs={}, now=now)
        _mail_staff(new, now=now)
        run.finished_at = timezone.now()
        run.checked = len(refs) + run.stored if checked is None else len(checked)
        run.missing = _open(Kinds.MISSING).count()
        run.orphans = _open(Kinds.ORPHAN).count()
        run.seconds = round(time.monotonic() - clock, 3)
        run.save()
    return run


def _open(kind: str):
    return StorageProblem.objects.filter(kind=kind, resolved_at__isnull=True)


def _record(kind: str, *, found: set[str], checked, refs, now) -> list[StorageProblem]:
    """Open (or reopen) a problem for each name found; resolve the checked ones (every one when
    ``checked`` is None) not found. Returns the problems that are new in this pass."""
    resolved = _open(kind).exclude(name__in=found)
    if checked is not None:
        resolved = resolved.filter(name__in=checked)
    resolved.update(resolved_at=now)
    existing = {p.name: p for p in StorageProblem.objects.filter(kind=kind, name__in=found)}
    new, seen = [], []
    for name in sorted(found):
        ref = refs.get(name)
        problem = existing.get(name) or StorageProblem(kind=kind, name=name, first_seen_at=now)
        if problem.pk is None or problem.resolved_at is not None:
            problem.first_seen_at, problem.notified_at = now, None
            new.append(problem)
        problem.resolved_at, problem.last_seen_at = None, now
        if ref is not None:
            problem.revision_id, problem.integration_id = ref.revision_id, ref.integration_id
            problem.field, problem.in_use = ref.field, ref.in_use
        seen.append(problem)
    StorageProblem.objects.bulk_create([p for p in seen if p.pk is None])
    StorageProblem.objects.bulk_update(
        [p for p in seen if p.pk is not None],
        ["first_seen_at", "last_seen_at", "resolved_at", "notified_at", "revision", "integration"]
        + ["field", "in_use"],
    )
    return new


def _mail_staff(new: list[StorageProblem], *, now) -> None:
    """One email for the files of live or in-review revisions found missing in this pass."""
    urgent = [p for p in new if p.kind == Kinds.MISSING and p.in_use]
    if not urgent:
        return
    rows = list(
        StorageProblem.objects.filter(
            kind=Kinds.MISSING, name__in=[p.name for p in urgent], notified_at__isnull=True
        ).select_related("integration", "revision")
    )
    if not rows:
        return
    notify(
        event="catalog.storage.files_missing",
        kind=Kind.OPERATIONS,
        recipients=staff_recipients(),
        template="storage_files_missing",
        context={"problems": rows},
    )
    StorageProblem.objects.filter(pk__in=[p.pk for p in rows]).update(notified_at=now)
