"""Partners save drafts of their catalog entry and submit them for review.

Every save is a new revision (numbered per integration, under a lock on the integration row) that
carries over whatever the partner did not change, stored files included (by name). A file that
fails validation is never stored, not even in a draft: the whole save is refused and every
problem is reported at once. "Submit" additionally needs every required field.
"""

from django.db import transaction
from django.utils import timezone

from catalog.audit import Action
from catalog.errors import Conflict, NotFound, Unavailable
from catalog.models import (
    Category,
    Integration,
    MetadataImage,
    MetadataRevision,
    ReviewStatus,
    User,
)
from catalog.notifications import Kind, notify, staff_recipients
from catalog.services.access import lock_integration, require_partner_user
from catalog.services.audit import audit_record
from catalog.services.metadata.assets import (
    STORAGE_FAILED,
    StorageFailed,
    discard,
    queue_thumbnails,
    report_entry,
    store,
)
from catalog.services.metadata.checks import (
    MetadataInput,
    MetadataInvalid,
    Prepared,
    carried_images,
    check_all,
    check_uploads,
    stored_report,
)
from catalog.validation.metadata import ASSET_ROLES, MAX_IMAGES

REPORT_VERSION = 1


def check_partner(actor: User, integration: Integration) -> None:
    require_partner_user(
        actor,
        integration,
        message="Only the integration's partner users can edit its catalog entry.",
    )


def metadata_save(
    *,
    actor: User,
    integration_id: int,
    values: MetadataInput,
    submit: bool = False,
    base_number: int | None = None,
) -> MetadataRevision:
    """Save ``values`` as a new revision; with ``submit`` it goes to staff for review.

    ``base_number`` is the revision the partner's form was built from: if someone saved a newer
    one meanwhile, nothing is saved (409) rather than silently overwriting their work. If the file
    store fails half-way, the files already written are deleted and the transaction rolls back.
    """
    try:
        integration = Integration.objects.select_related("partner").get(pk=integration_id)
    except (Integration.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such integration.") from None
    check_partner(actor, integration)
    # The slow part (drawing SVGs, re-encoding screenshots) runs before any lock is taken.
    prepared = check_uploads(values)
    written: list[str] = []
    try:
        with transaction.atomic():
            return _save_locked(
                actor=actor,
                integration_id=integration_id,
                values=values,
                prepared=prepared,
                submit=submit,
                base_number=base_number,
                written=written,
            )
    except StorageFailed:
        discard(written)
        raise Unavailable(STORAGE_FAILED) from None
    except BaseException:
        discard(written)
        raise


def _save_locked(
    *,
    actor: User,
    integration_id: int,
    values: MetadataInput,
    prepared: Prepared,
    submit: bool,
    base_number: int | None,
    written: list[str],
) -> MetadataRevision:
    integration = lock_integration(integration_id)
    check_partner(actor, integration)
    latest = integration.metadata_revisions.order_by("-number").first()
    _check_base(latest, base_number)
    errors, warnings, cleaned = check_all(
        integration=integration, latest=latest, values=values, prepared=prepared, submit=submit
    )
    if any(errors.values()):
        raise MetadataInvalid(errors, warnings, submit=submit)
    if submit:
        _check_none_in_review(integration)
    now = timezone.now()
    revision = _new_revision(integration, latest, cleaned, actor=actor, submit=submit, now=now)
    report: dict = {"version": REPORT_VERSION}
    report.update(_store_files(revision, latest, prepared, written))
    new_images, report["images"] = _store_screenshots(latest, values, cleaned, prepared, written)
    report["ok"] = all(report.get(role) and report[role].get("ok") for role in ASSET_ROLES) and all(
        entry.get("ok") for entry in report["images"]
    )
    report["checked_at"] = now.isoformat()
    revision.asset_report = report
    revision.save()
    for image in new_images:
        image.revision = revision
    MetadataImage.objects.bulk_create(new_images)
    _announce(actor, integration, revision, latest, submit=submit, written=written)
    pending_thumbnails = [img.pk for img in new_images if img.pk and not img.thumbnail]
    if pending_thumbnails:
        transaction.on_commit(lambda: queue_thumbnails(pending_thumbnails))
    return revision


def _check_base(latest: MetadataRevision | None, base_number: int | None) -> None:
    latest_number = latest.number if latest else 0
    if base_number is not None and base_number != latest_number:
        raise Conflict(
            f"Someone saved revision r{latest_number} while you were editing r{base_number}. "
            "Nothing was saved: reload the page to see it, then make your changes again.",
        )


def _check_none_in_review(integration: Integration) -> None:
    pending = integration.metadata_revisions.filter(status=ReviewStatus.SUBMITTED).first()
    if pending is not None:
        raise Conflict(
            f"Revision r{pending.number} is already in review. Wait for the review before "
            "submitting another one (you can keep saving drafts).",
        )


def _new_revision(integration, latest, cleaned: dict, *, actor, submit: bool, now):
    categories = {c.slug: c for c in Category.objects.all()}
    return MetadataRevision(
        integration=integration,
        number=(latest.number if latest else 0) + 1,
        status=ReviewStatus.SUBMITTED if submit else ReviewStatus.DRAFT,
        name=cleaned["name"],
        pr_url=cleaned["pr_url"],
        description=cleaned["description"],
        description_html=cleaned["description_html"],
        website=cleaned["website"],
        primary_category=categories.get(cleaned["primary_category"]),
        secondary_category=categories.get(cleaned["secondary_category"]),
        extra_categories=[],
        support_email=cleaned["support_email"],
        created_by=actor,
        created_at=now,
        submitted_at=now if submit else None,
    )


def _store_files(revision, latest, prepared: Prepared, written: list[str]) -> dict:
    """Logo and mark: the new upload stored, or the latest revision's file kept by name.
    Returns the check result of each role that has a file."""
    reports: dict = {}
    for role in ASSET_ROLES:
        if role in prepared.svgs:
            data, svg_report = prepared.svgs[role]
            store(getattr(revision, role), f"{role}.svg", data, written)
            reports[role] = report_entry(getattr(revision, role).name, svg_report)
        elif latest is not None and getattr(latest, role):
            setattr(revision, role, getattr(latest, role).name)
            reports[role] = stored_report(latest, role)
    return reports


def _store_screenshots(latest, values, cleaned, prepared, written) -> tuple[list, list[dict]]:
    """The screenshots of the new revision (unsaved) and their check results, slot by slot: a
    new upload stored, the latest revision's kept (unless removed), or none."""
    carried = carried_images(latest)
    old_entries = {
        e.get("name"): e for e in ((latest and latest.asset_report) or {}).get("images", [])
    }
    new_images: list[MetadataImage] = []
    reports: list[dict] = []
    captions = cleaned["captions"]
    for position, slot in enumerate(values.screenshots[:MAX_IMAGES]):
        caption = captions[position] if position < len(captions) else ""
        if position in prepared.screenshots:
            encoded, image_report = prepared.screenshots[position]
            image = MetadataImage(
                position=position, caption=caption, width=encoded.width, height=encoded.height
            )
            store(image.image, f"screenshot.{encoded.extension}", encoded.content, written)
            reports.append(report_entry(image.image.name, image_report))
        elif not slot.remove and position in carried:
            old = carried[position]
            image = MetadataImage(
                position=position,
                caption=caption,
                image=old.image.name,
                thumbnail=old.thumbnail.name,
                width=old.width,
                height=old.height,
            )
            reports.append(
                old_entries.get(old.image.name)
                or {"name": old.image.name, "ok": True, "errors": [], "warnings": [], "info": {}}
            )
        else:
            continue
        new_images.append(image)
    return new_images, reports


def _announce(actor, integration, revision, latest, *, submit: bool, written: list[str]) -> None:
    audit_record(
        action=Action.METADATA_SUBMITTED if submit else Action.METADATA_SAVED,
        actor=actor,
        integration=integration,
        target=revision,
        old_value={"number": latest.number} if latest else None,
        new_value={
            "number": revision.number,
            "status": revision.status,
            "name": revision.name,
            "files": sorted(written),
        },
    )
    if submit:
        notify(
            event=str(Action.METADATA_SUBMITTED),
            kind=Kind.REVIEW_QUEUE,
            recipients=staff_recipients(),
            template="metadata_submitted",
            context={"revision": revision, "actor": actor},
            integration=integration,
        )
