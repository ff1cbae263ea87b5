"""Catalog metadata: partners save drafts and submit revisions, staff approve or request changes.

- ``save``: a save or submission is a new revision carrying over what did not change.
- ``checks``: the rules, every problem per form field at once (also for a stored revision).
- ``assets``: storing files (undone on failure) and screenshot thumbnails.
- ``review``: staff decide; approval points ``Integration.live_metadata`` at the revision in the
  same transaction, so the catalog switches in one step.

Reads (the latest revision, the review queue, who may see a stored file…) are in
``catalog.selectors.metadata``.
"""

from catalog.services.metadata.assets import (
    STORAGE_FAILED,
    StorageFailed,
    metadata_image_process,
)
from catalog.services.metadata.checks import (
    MetadataInput,
    MetadataInvalid,
    ScreenshotInput,
    categories_map,
    revision_problems,
    validate_svg,
    validate_text_fields,
)
from catalog.services.metadata.review import metadata_review
from catalog.services.metadata.save import metadata_save
from catalog.services.review import MAX_COMMENT
from catalog.validation.metadata import ASSET_ROLES, REVIEW_FIELDS

__all__ = [
    "ASSET_ROLES",
    "MAX_COMMENT",
    "REVIEW_FIELDS",
    "STORAGE_FAILED",
    "MetadataInput",
    "MetadataInvalid",
    "ScreenshotInput",
    "StorageFailed",
    "categories_map",
    "metadata_image_process",
    "metadata_review",
    "metadata_save",
    "revision_problems",
    "validate_svg",
    "validate_text_fields",
]
