"""Catalog metadata: partners save drafts and submit revisions, staff approve or request changes.

Every save is a new revision (numbered per integration, under a lock on the integration row) that
carries over whatever the partner did not change, stored files included (by name: files are
never rewritten). A file that fails validation is never stored, not even in a draft: the whole
save is refused and every problem is reported at once. "Submit" additionally needs every required
field; any error refuses it and nothing is saved. Approval points ``Integration.live_metadata`` at
the revision in the same transaction, so the catalog switches in one step.

If the file store fails half-way, the files already written are deleted and the transaction
rolls back: no half-written revision remains, and the partner is told to try again.
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from catalog.audit import Action
from catalog.errors import BadRequest, Conflict, Invalid, NotFound, Unavailable
from catalog.models import (
    Category,
    Integration,
    MetadataImage,
    MetadataRevision,
    ReviewStatus,
    User,
)
from catalog.notifications import Kind, notify, partner_recipients, staff_recipients
from catalog.services.access import (
    MAX_COMMENT,
    clean_review_comment,
    lock_integration,
    require_partner_user,
    require_reviewer,
)
from catalog.services.audit import audit_record
from catalog.services.integrations import name_taken, unique_slug
from catalog.services.pull_requests import pull_request_used_by
from catalog.validation import Problem, Report, images, problem_from_dict
from catalog.validation.metadata import MAX_IMAGES, validate_text_fields
from catalog.validation.svg import validate_svg

logger = logging.getLogger(__name__)

REPORT_VERSION = 1
ASSET_ROLES = ("logo", "mark")
# Fields staff can comment on, in form order; the partner sees each comment next to its field.
REVIEW_FIELDS = [
    ("name", "Name"),
    ("pr_url", "Pull request link"),
    ("description", "Description"),
    ("website", "Website"),
    ("categories", "Categories"),
    ("logo", "Logo"),
    ("mark", "Mark"),
    ("screenshots", "Screenshots"),
    ("support_email", "Support email"),
]
STORAGE_FAILED = (
    "We couldn't store your files: the file store didn't answer. Nothing was saved; try again "
    "in a few minutes."
)


@dataclass
class ScreenshotInput:
    """One screenshot slot: a new upload, the one already there, or removed."""

    content: bytes | None = None
    caption: str = ""
    remove: bool = False


@dataclass
class MetadataInput:
    name: str = ""
    pr_url: str = ""
    description: str = ""
    website: str = ""
    primary_category: str = ""
    secondary_category: str = ""
    support_email: str = ""
    logo: bytes | None = None
    mark: bytes | None = None
    screenshots: list[ScreenshotInput] = field(
        default_factory=lambda: [ScreenshotInput() for _ in range(MAX_IMAGES)]
    )


class MetadataInvalid(Invalid):
    """Some fields break the rules; ``errors``/``warnings`` map form fields to ``Problem``s."""

    def __init__(
        self, errors: dict[str, list[Problem]], warnings: dict[str, list[Problem]], *, submit: bool
    ):
        count = sum(len(v) for v in errors.values())
        verb = "submitted" if submit else "saved"
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} to fix; nothing was {verb}.",
            items=[p for v in errors.values() for p in v],
            errors={key: [p.message for p in problems] for key, problems in errors.items()},
        )
        self.errors = errors
        self.warnings = warnings


class StorageFailed(Exception):
    pass


# --- Checks --------------------------------------------------------------------------------------


def categories_map() -> dict[str, str]:
    return dict(Category.objects.order_by("position").values_list("slug", "name"))


def _check_reviewer(actor: User) -> None:
    require_reviewer(actor, message="Only staff with the review permission can review metadata.")


def _check_partner(actor: User, integration: Integration) -> None:
    require_partner_user(
        actor,
        integration,
        message="Only the integration's partner users can edit its catalog entry.",
    )


def _add(target: dict[str, list[Problem]], name: str, problems) -> None:
    if problems:
        target.setdefault(name, []).extend(problems)


def _identity_problems(integration: Integration, name: str) -> list[Problem]:
    if not name:
        return []
    if integration.identity_frozen and name != integration.name:
        return [
            Problem(
                "name.frozen",
                f"The name is frozen now that the integration is in "
                f"{integration.get_stage_display().lower()}; it stays “{integration.name}”. "
                "Email partner support to change it.",
                "name",
            )
        ]
    if name_taken(name, exclude_pk=integration.pk):
        return [
            Problem(
                "name.taken",
                f"Another integration is already called “{name}” (names are unique, ignoring "
                "case). Choose another name.",
                "name",
            )
        ]
    return []


@dataclass
class _Prepared:
    """New uploads that passed every check, ready to store."""

    svgs: dict[str, tuple[bytes, Report]] = field(default_factory=dict)
    screenshots: dict[int, tuple[images.EncodedImage, Report]] = field(default_factory=dict)


def _check_uploads(values: MetadataInput, errors: dict, warnings: dict) -> _Prepared:
    """Validate new files (no database): SVGs drawn and judged, screenshots re-encoded."""
    prepared = _Prepared()
    for role in ASSET_ROLES:
        data = getattr(values, role)
        if data is None:
            continue
        report = validate_svg(data, role=role)
        _add(errors, role, report.errors)
        _add(warnings, role, report.warnings)
        if report.ok:
            prepared.svgs[role] = (data, report)
    for position, slot in enumerate(values.screenshots[:MAX_IMAGES]):
        if slot.content is None or slot.remove:
            continue
        name = f"screenshot_{position + 1}"
        report = images.validate_image(slot.content)
        _add(errors, name, report.errors)
        _add(warnings, name, report.warnings)
        if report.ok:
            try:
                prepared.screenshots[position] = (images.sanitize_image(slot.content), report)
            except images.ImageRefused as exc:
                _add(errors, name, exc.report.errors)
    return prepared


def _stored_report(revision: MetadataRevision | None, role: str) -> dict | None:
    """The stored check of the file a revision carries for ``role`` (None if it has no file)."""
    if revision is None or not getattr(revision, role):
        return None
    entry = (revision.asset_report or {}).get(role) or {}
    if entry.get("name") == getattr(revision, role).name:
        return entry
    # No stored result for this file (made elsewhere, or by an older version): check it again.
    try:
        with default_storage.open(getattr(revision, role).name, "rb") as fh:
            data = fh.read()
    except Exception:  # noqa: BLE001 - a missing file is reported as a failed check
        return {
            "name": getattr(revision, role).name,
            "ok": False,
            "errors": [
                {"code": "asset.missing", "message": "The stored file is missing; upload it again."}
            ],
            "warnings": [],
            "info": {},
        }
    report = validate_svg(data, role=role)
    return {"name": getattr(revision, role).name, **report.as_dict()}


def _carried_images(latest: MetadataRevision | None) -> dict[int, MetadataImage]:
    if latest is None:
        return {}
    return {img.position: img for img in latest.images.all() if img.position < MAX_IMAGES}


def _check_all(
    *,
    integration: Integration,
    latest: MetadataRevision | None,
    values: MetadataInput,
    prepared: _Prepared,
    upload_errors: dict,
    upload_warnings: dict,
    submit: bool,
) -> tuple[dict, dict, dict]:
    """Text rules, identity rules, required files. Returns (errors, warnings, cleaned)."""
    text = validate_text_fields(
        {
            "name": values.name,
            "pr_url": values.pr_url,
            "description": values.description,
            "website": values.website,
            "primary_category": values.primary_category,
            "secondary_category": values.secondary_category,
            "support_email": values.support_email,
            "captions": [s.caption for s in values.screenshots[:MAX_IMAGES]],
        },
        categories=categories_map(),
        repository=settings.DESTINATIONS_REPOSITORY,
        required=submit,
    )
    errors = {k: list(v) for k, v in text.errors.items()}
    warnings = {k: list(v) for k, v in text.warnings.items()}
    for source, target in ((upload_errors, errors), (upload_warnings, warnings)):
        for k, v in source.items():
            _add(target, k, v)
    cleaned = dict(text.cleaned, description_html=text.description_html)
    _add(errors, "name", _identity_problems(integration, cleaned["name"]))
    if cleaned["pr_url"] and not errors.get("pr_url"):
        others = pull_request_used_by(cleaned["pr_url"], exclude_integration_id=integration.pk)
        if others:
            _add(
                errors,
                "pr_url",
                [
                    Problem(
                        "pr_url.other_integration",
                        f"That pull request belongs to {', '.join(others[:3])}. One pull request "
                        "covers one integration: link this integration's own pull request.",
                        "pr_url",
                    )
                ],
            )
    for role in ASSET_ROLES:
        if role in prepared.svgs or getattr(values, role) is not None:
            continue
        stored = _stored_report(latest, role)
        if stored is None:
            if submit:
                _add(
                    errors,
                    role,
                    [Problem(f"{role}.required", f"Upload the {role} as an SVG file.", role)],
                )
        else:
            # Show the stored file's advice again, so "submit" shows every warning at once.
            _add(warnings, role, [problem_from_dict(w) for w in stored.get("warnings", [])])
            _add(errors, role, [problem_from_dict(e) for e in stored.get("errors", [])])
    carried = _carried_images(latest)
    for position, slot in enumerate(values.screenshots[:MAX_IMAGES]):
        has_image = position in prepared.screenshots or (
            not slot.remove and slot.content is None and position in carried
        )
        captions = cleaned["captions"]
        caption = captions[position] if position < len(captions) else ""
        if caption and not has_image:
            _add(
                errors,
                f"caption_{position + 1}",
                [
                    Problem(
                        "caption.without_image",
                        "This caption has no screenshot. Add the screenshot or clear the caption.",
                        f"caption_{position + 1}",
                    )
                ],
            )
    return errors, warnings, cleaned


# --- Storage -------------------------------------------------------------------------------------


def _store(field_file, filename: str, content: bytes, written: list[str]) -> None:
    """Save under a random name (``asset_upload_to``); remember it so a failure can undo it."""
    try:
        field_file.save(filename, ContentFile(content), save=False)
    except Exception as exc:  # noqa: BLE001 - any storage backend error (OSError, botocore…)
        logger.warning("metadata asset storage failed: %s", exc)
        raise StorageFailed(str(exc)) from exc
    written.append(field_file.name)


def _discard(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:  # noqa: BLE001 - best effort; the name is random and unreferenced
            logger.warning("could not delete orphaned asset %s", name)


def _report_entry(name: str, report: Report) -> dict:
    return {"name": name, **report.as_dict()}


# --- Partner actions -----------------------------------------------------------------------------


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
    one meanwhile, nothing is saved (409) rather than silently overwriting their work.
    """
    try:
        integration = Integration.objects.select_related("partner").get(pk=integration_id)
    except (Integration.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such integration.") from None
    _check_partner(actor, integration)
    # The slow part (drawing SVGs, re-encoding screenshots) runs before any lock is taken.
    upload_errors: dict[str, list[Problem]] = {}
    upload_warnings: dict[str, list[Problem]] = {}
    prepared = _check_uploads(values, upload_errors, upload_warnings)
    written: list[str] = []
    try:
        with transaction.atomic():
            revision = _save_locked(
                actor=actor,
                integration_id=integration_id,
                values=values,
                prepared=prepared,
                upload_errors=upload_errors,
                upload_warnings=upload_warnings,
                submit=submit,
                base_number=base_number,
                written=written,
            )
    except StorageFailed:
        _discard(written)
        raise Unavailable(STORAGE_FAILED) from None
    except BaseException:
        _discard(written)
        raise
    return revision


def _save_locked(
    *,
    actor: User,
    integration_id: int,
    values: MetadataInput,
    prepared: _Prepared,
    upload_errors: dict,
    upload_warnings: dict,
    submit: bool,
    base_number: int | None,
    written: list[str],
) -> MetadataRevision:
    integration = lock_integration(integration_id)
    _check_partner(actor, integration)
    latest = integration.metadata_revisions.order_by("-number").first()
    latest_number = latest.number if latest else 0
    if base_number is not None and base_number != latest_number:
        raise Conflict(
            f"Someone saved revision r{latest_number} while you were editing r{base_number}. "
            "Nothing was saved: reload the page to see it, then make your changes again.",
        )
    errors, warnings, cleaned = _check_all(
        integration=integration,
        latest=latest,
        values=values,
        prepared=prepared,
        upload_errors=upload_errors,
        upload_warnings=upload_warnings,
        submit=submit,
    )
    if any(errors.values()):
        raise MetadataInvalid(errors, warnings, submit=submit)
    if submit:
        pending = integration.metadata_revisions.filter(status=ReviewStatus.SUBMITTED).first()
        if pending is not None:
            raise Conflict(
                f"Revision r{pending.number} is already in review. Wait for the review before "
                "submitting another one (you can keep saving drafts).",
            )
    categories = {c.slug: c for c in Category.objects.all()}
    now = timezone.now()
    revision = MetadataRevision(
        integration=integration,
        number=latest_number + 1,
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
    report: dict = {"version": REPORT_VERSION}
    for role in ASSET_ROLES:
        if role in prepared.svgs:
            data, svg_report = prepared.svgs[role]
            _store(getattr(revision, role), f"{role}.svg", data, written)
            report[role] = _report_entry(getattr(revision, role).name, svg_report)
        elif latest is not None and getattr(latest, role):
            setattr(revision, role, getattr(latest, role).name)
            report[role] = _stored_report(latest, role)
    new_images: list[MetadataImage] = []
    carried = _carried_images(latest)
    image_reports = []
    for position, slot in enumerate(values.screenshots[:MAX_IMAGES]):
        caption = cleaned["captions"][position] if position < len(cleaned["captions"]) else ""
        if position in prepared.screenshots:
            encoded, image_report = prepared.screenshots[position]
            image = MetadataImage(
                position=position, caption=caption, width=encoded.width, height=encoded.height
            )
            _store(image.image, f"screenshot.{encoded.extension}", encoded.content, written)
            new_images.append(image)
            image_reports.append(_report_entry(image.image.name, image_report))
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
            new_images.append(image)
            old_entries = {e.get("name"): e for e in (latest.asset_report or {}).get("images", [])}
            image_reports.append(
                old_entries.get(old.image.name)
                or {"name": old.image.name, "ok": True, "errors": [], "warnings": [], "info": {}}
            )
    report["images"] = image_reports
    report["ok"] = all(report.get(role) and report[role].get("ok") for role in ASSET_ROLES) and all(
        entry.get("ok") for entry in image_reports
    )
    report["checked_at"] = now.isoformat()
    revision.asset_report = report
    revision.save()
    for image in new_images:
        image.revision = revision
    MetadataImage.objects.bulk_create(new_images)
    audit_record(
        action=Action.METADATA_SUBMITTED if submit else Action.METADATA_SAVED,
        actor=actor,
        integration=integration,
        target=revision,
        old_value={"number": latest_number} if latest else None,
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
    pending_thumbnails = [img.pk for img in new_images if img.pk and not img.thumbnail]
    if pending_thumbnails:
        transaction.on_commit(lambda: _queue_thumbnails(pending_thumbnails))
    return revision


def _queue_thumbnails(image_ids: list[int]) -> None:
    from catalog.tasks.assets import process_screenshot

    for image_id in image_ids:
        process_screenshot.delay(image_id)


# --- Staff review --------------------------------------------------------------------------------


def _clean_comments(field_comments) -> dict[str, str]:
    if not field_comments:
        return {}
    if not isinstance(field_comments, dict):
        raise BadRequest("Field comments must be a mapping.")
    allowed = {key for key, _ in REVIEW_FIELDS}
    cleaned: dict[str, str] = {}
    for key, text in field_comments.items():
        text = text.strip() if isinstance(text, str) else ""
        if not text:
            continue
        if key not in allowed:
            raise BadRequest(f"“{str(key)[:60]}” isn't a metadata field.")
        if len(text) > MAX_COMMENT:
            raise Invalid(f"A comment can be at most {MAX_COMMENT} characters.", field=key)
        cleaned[key] = text
    return cleaned


def revision_problems(revision: MetadataRevision) -> tuple[dict, dict]:
    """Every error and warning a stored revision has against today's rules (for submit)."""
    text = validate_text_fields(
        {
            "name": revision.name,
            "pr_url": revision.pr_url,
            "description": revision.description,
            "website": revision.website,
            "primary_category": revision.primary_category.slug if revision.primary_category else "",
            "secondary_category": revision.secondary_category.slug
            if revision.secondary_category
            else "",
            "support_email": revision.support_email,
            "captions": [img.caption for img in revision.images.all()],
        },
        categories=categories_map(),
        repository=settings.DESTINATIONS_REPOSITORY,
        required=True,
    )
    errors = {k: list(v) for k, v in text.errors.items()}
    warnings = {k: list(v) for k, v in text.warnings.items()}
    report = revision.asset_report or {}
    for role in ASSET_ROLES:
        entry = report.get(role)
        if not getattr(revision, role):
            _add(
                errors,
                role,
                [Problem(f"{role}.required", f"Upload the {role} as an SVG file.", role)],
            )
        elif entry:
            _add(errors, role, [problem_from_dict(e) for e in entry.get("errors", [])])
            _add(warnings, role, [problem_from_dict(w) for w in entry.get("warnings", [])])
    for position, entry in enumerate(report.get("images", [])[:MAX_IMAGES]):
        name = f"screenshot_{position + 1}"
        _add(errors, name, [problem_from_dict(e) for e in entry.get("errors", [])])
        _add(warnings, name, [problem_from_dict(w) for w in entry.get("warnings", [])])
    return errors, warnings


@transaction.atomic
def metadata_review(
    *,
    actor: User,
    integration_id: int,
    number: int,
    approve: bool,
    comment: str = "",
    field_comments: dict | None = None,
) -> MetadataRevision:
    """Approve a submitted revision (it goes live at once) or send it back with comments."""
    _check_reviewer(actor)
    integration = lock_integration(integration_id)
    try:
        revision = integration.metadata_revisions.select_for_update().get(number=number)
    except (MetadataRevision.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such metadata revision.") from None
    if revision.status != ReviewStatus.SUBMITTED:
        raise Conflict(
            f"Revision r{revision.number} is {revision.get_status_display().lower()}, not in "
            "review; nothing was changed.",
        )
    comments = _clean_comments(field_comments)
    comment = clean_review_comment(
        comment,
        required=not approve and not comments,
        missing_message=(
            "Say what needs to change: write a comment on the whole entry or on a field."
        ),
    )
    old_name, old_slug, old_live = integration.name, integration.slug, integration.live_metadata_id
    if approve:
        errors, _ = revision_problems(revision)
        errors["name"] = errors.get("name", []) + _identity_problems(integration, revision.name)
        failing = [p for items in errors.values() for p in items]
        if failing or not (revision.asset_report or {}).get("ok"):
            raise Conflict(
                f"Revision r{revision.number} no longer passes the checks, so it can't be "
                "approved: "
                + "; ".join(p.message for p in failing[:3])
                + (" Request changes instead." if failing else " Its files failed validation."),
                items=failing,
            )
    now = timezone.now()
    revision.status = ReviewStatus.APPROVED if approve else ReviewStatus.CHANGES_REQUESTED
    revision.reviewed_by = actor
    revision.reviewed_at = now
    revision.review_comment = comment
    revision.field_comments = comments
    revision.save(
        update_fields=["status", "reviewed_by", "reviewed_at", "review_comment", "field_comments"]
    )
    if approve:
        fields = ["live_metadata", "updated_at"]
        integration.live_metadata = revision
        if not integration.identity_frozen and revision.name and revision.name != integration.name:
            integration.name = revision.name
            integration.slug = unique_slug(revision.name, exclude_pk=integration.pk)
            fields += ["name", "slug"]
        try:
            with transaction.atomic():
                integration.save(update_fields=fields)
        except IntegrityError:
            raise Conflict(
                f"Another integration took the name “{revision.name}” meanwhile. Request changes "
                "so the partner picks another name.",
            ) from None
    audit_record(
        action=Action.METADATA_APPROVED if approve else Action.METADATA_CHANGES_REQUESTED,
        actor=actor,
        integration=integration,
        target=revision,
        old_value={
            "status": ReviewStatus.SUBMITTED,
            "live_metadata": old_live,
            "name": old_name,
            "slug": old_slug,
        },
        new_value={
            "number": revision.number,
            "status": revision.status,
            "live_metadata": integration.live_metadata_id,
            "name": integration.name,
            "slug": integration.slug,
            "comments": comments,
        },
        note=comment,
    )
    labels = dict(REVIEW_FIELDS)
    notify(
        event=str(Action.METADATA_APPROVED if approve else Action.METADATA_CHANGES_REQUESTED),
        kind=Kind.REVIEW_RESULTS,
        recipients=partner_recipients(integration),
        template="metadata_approved" if approve else "metadata_changes_requested",
        context={
            "revision": revision,
            "comment": comment,
            "field_comments": [(labels[k], v) for k, v in comments.items()],
            "actor": actor,
        },
        integration=integration,
    )
    return revision


# --- Asset work (run by tasks) -------------------------------------------------------------------


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
        if images.has_metadata(data):
            clean = images.sanitize_image(data)
            holder = MetadataImage(position=image.position)
            _store(holder.image, f"screenshot.{clean.extension}", clean.content, written)
            with transaction.atomic():
                MetadataImage.objects.filter(image=name).update(
                    image=holder.image.name, width=clean.width, height=clean.height
                )
            data, name = clean.content, holder.image.name
        sibling = (
            MetadataImage.objects.filter(image=name)
            .exclude(thumbnail="")
            .values_list("thumbnail", flat=True)
            .first()
        )
        if sibling:
            thumb_name = sibling
        else:
            thumb = images.thumbnail(data)
            holder = MetadataImage(position=image.position)
            _store(holder.thumbnail, f"thumbnail.{thumb.extension}", thumb.content, written)
            thumb_name = holder.thumbnail.name
        with transaction.atomic():
            updated = MetadataImage.objects.filter(image=name, thumbnail="").update(
                thumbnail=thumb_name
            )
    except images.ImageRefused:
        logger.warning("stored screenshot %s can't be read; no thumbnail", name)
        return "unreadable"
    except BaseException:
        _discard([n for n in written if not _referenced(n)])
        raise
    if not updated and thumb_name in written:
        _discard([thumb_name])
    return "done"


def _referenced(name: str) -> bool:
    return MetadataImage.objects.filter(Q(image=name) | Q(thumbnail=name)).exists()


# --- Reads ---------------------------------------------------------------------------------------


def latest_revision(integration: Integration) -> MetadataRevision | None:
    return (
        integration.metadata_revisions.select_related("primary_category", "secondary_category")
        .prefetch_related("images")
        .order_by("-number")
        .first()
    )


def revision_for(integration: Integration, number) -> MetadataRevision:
    from django.http import Http404

    try:
        return (
            integration.metadata_revisions.select_related(
                "primary_category", "secondary_category", "created_by", "reviewed_by"
            )
            .prefetch_related("images")
            .get(number=int(number))
        )
    except (MetadataRevision.DoesNotExist, ValueError, TypeError):
        raise Http404("No such metadata revision.") from None


def last_reviewed(integration: Integration) -> MetadataRevision | None:
    return (
        integration.metadata_revisions.filter(
            status__in=[ReviewStatus.APPROVED, ReviewStatus.CHANGES_REQUESTED]
        )
        .order_by("-number")
        .first()
    )


def review_queue():
    """Revisions waiting for staff, oldest first."""
    return (
        MetadataRevision.objects.filter(status=ReviewStatus.SUBMITTED)
        .select_related("integration", "integration__partner")
        .order_by("submitted_at", "pk")
    )


def asset_owner_ids(name: str) -> tuple[bool, set[int]]:
    """(is shown by a live catalog entry, ids of the integrations whose revisions hold it)."""
    live = Integration.objects.filter(
        Q(live_metadata__logo=name)
        | Q(live_metadata__mark=name)
        | Q(live_metadata__images__image=name)
        | Q(live_metadata__images__thumbnail=name)
    ).exists()
    if live:
        return True, set()
    owners = set(
        MetadataRevision.objects.filter(
            Q(logo=name) | Q(mark=name) | Q(images__image=name) | Q(images__thumbnail=name)
        ).values_list("integration_id", flat=True)
    )
    return False, owners


def revision_diff(old: MetadataRevision | None, new: MetadataRevision) -> list[dict]:
    """Field-by-field comparison for the staff review (``old`` is the approved revision)."""
    from catalog.listing import asset_url

    def categories(r: MetadataRevision | None) -> str:
        if r is None:
            return ""
        names = [c.name for c in (r.primary_category, r.secondary_category) if c]
        return " · ".join(names + [c for c in r.extra_categories if c not in names])

    def shots(r: MetadataRevision | None) -> list[dict]:
        if r is None:
            return []
        return [
            {
                "url": asset_url(i.image),
                "thumbnail_url": asset_url(i.thumbnail),
                "caption": i.caption,
            }
            for i in r.images.all()
        ]

    def value(r: MetadataRevision | None, key: str):
        if r is None:
            return ""
        if key == "categories":
            return categories(r)
        if key == "screenshots":
            return shots(r)
        if key in ASSET_ROLES:
            return asset_url(getattr(r, key)) or getattr(r, f"{key}_external_url")
        return getattr(r, key)

    def identity(r: MetadataRevision | None, key: str):
        if r is None:
            return None
        if key in ASSET_ROLES:
            return getattr(r, key).name or getattr(r, f"{key}_external_url")
        if key == "screenshots":
            return [(i.image.name, i.caption) for i in r.images.all()]
        return value(r, key)

    rows = []
    for key, label in REVIEW_FIELDS:
        kind = (
            "image"
            if key in ASSET_ROLES
            else "images"
            if key == "screenshots"
            else "html"
            if key == "description"
            else "text"
        )
        row = {
            "key": key,
            "label": label,
            "kind": kind,
            "old": value(old, key),
            "new": value(new, key),
            "changed": old is None or identity(old, key) != identity(new, key),
        }
        if kind == "html":
            row["old_html"] = old.description_html if old else ""
            row["new_html"] = new.description_html
        rows.append(row)
    return rows
