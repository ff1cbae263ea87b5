"""Asset work: screenshot thumbnails (and a metadata re-check of the stored copy), as tasks.

Screenshots are re-encoded without EXIF/GPS before they are stored, in the request, so a stored
file never carries a location even for a moment; the task makes the thumbnail the catalog shows
(pages show a placeholder until it exists) and strips metadata from anything stored otherwise.
"""

from celery import shared_task

__all__ = ["process_screenshot"]


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=6,
)
def process_screenshot(image_id: int) -> str:
    from catalog.services.metadata import metadata_image_process

    return metadata_image_process(image_id=image_id)
