"""Stored files of catalog entries: writing them (undone if the save fails), thumbnails.

Stored names are random (``asset_upload_to``) and files are never rewritten: a revision that keeps
a file refers to the same name. If the file store fails half-way, what was written is deleted.
"""

import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q

from catalog.models import MetadataImage
from catalog.validation import Report, images

logger = logging.getLogger(__name__)

STORAGE_FAILED = (
    "We couldn't store your files: the file store didn't answer. Nothing was saved; try again "
    "in a few minutes."
)


class StorageFailed(Exception):
    pass


def store(field_file, filename: str, content: bytes, written: list[str]) -> None:
    """Save under a random name (``asset_upload_to``); remember it so a failure can undo it."""
    try:
        field_file.save(filename, ContentFile(content), save=False)
    except Exception as exc:  # noqa: BLE001 - any storage backend error (OSError, botocore…)
        logger.warning("metadata asset storage failed: %s", exc)
        raise StorageFailed(str(exc)) from exc
    written.append(field_file.name)


def discard(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:  # noqa: BLE001 - best effort; the name is random and unreferenced
            logger.warning("could not delete orphaned asset %s", name)


def report_entry(name: str, report: Report) -> dict:
    return {"name": name, **report.as_dict()}


def queue_thumbnails(image_ids: list[int]) -> None:
    from catalog.tasks.assets import process_screenshot

    for image_id in image_ids:
        process_screenshot.delay(image_id)


def metadata_image_process(*, image_id: int) -> str:
    """Make the screenshot's thumbnail, and make sure the stored copy carries no metadata.

    Uploads are re-encoded before they are stored, so the second part normally finds nothing to
    do; it covers files stored by other means (admin, imports). Idempotent.
    """
    image = MetadataImage.objects.filter(pk=image_id).first()
    if image is None or not image.image:
        return "gone"
    name = image.image.name
    with default_storage.open(name, "rb") as fh:
        data = fh.read()
    written: list[str] = []
    try:
        data, name = _strip_metadata(image, data, name, written)
        thumb_name = _thumbnail_for(image, data, name, written)
        with transaction.atomic():
            updated = MetadataImage.objects.filter(image=name, thumbnail="").update(
                thumbnail=thumb_name
            )
    except images.ImageRefused:
        logger.warning("stored screenshot %s can't be read; no thumbnail", name)
        return "unreadable"
    except BaseException:
        discard([n for n in written if not _referenced(n)])
        raise
    if not updated and thumb_name in written:
        discard([thumb_name])
    return "done"


def _strip_metadata(image: MetadataImage, data: bytes, name: str, written: list[str]):
    """A clean copy in place of a stored file that carries metadata: (data, name) to use."""
    if not images.has_metadata(data):
        return data, name
    clean = images.sanitize_image(data)
    holder = MetadataImage(position=image.position)
    store(holder.image, f"screenshot.{clean.extension}", clean.content, written)
    with transaction.atomic():
        MetadataImage.objects.filter(image=name).update(
            image=holder.image.name, width=clean.width, height=clean.height
        )
    return clean.content, holder.image.name


def _thumbnail_for(image: MetadataImage, data: bytes, name: str, written: list[str]) -> str:
    """The thumbnail's stored name: one another revision already made of this file, or new."""
    sibling = (
        MetadataImage.objects.filter(image=name)
        .exclude(thumbnail="")
        .values_list("thumbnail", flat=True)
        .first()
    )
    if sibling:
        return sibling
    thumb = images.thumbnail(data)
    holder = MetadataImage(position=image.position)
    store(holder.thumbnail, f"thumbnail.{thumb.extension}", thumb.content, written)
    return holder.thumbnail.name


def _referenced(name: str) -> bool:
    return MetadataImage.objects.filter(Q(image=name) | Q(thumbnail=name)).exists()
