"""The rules a metadata save or submission must pass, reported per form field all at once.

Uploads are checked first, without the database and before any lock (drawing SVGs and
re-encoding screenshots is the slow part); the text, identity and file rules run under the lock.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.storage import default_storage

from catalog.errors import Invalid
from catalog.models import Category, Integration, MetadataImage, MetadataRevision
from catalog.services.integrations import name_taken
from catalog.services.pull_requests import pull_request_used_by
from catalog.validation import Problem, Report, images, problem_from_dict
from catalog.validation.metadata import ASSET_ROLES, MAX_IMAGES, validate_text_fields
from catalog.validation.svg import validate_svg

Problems = dict[str, list[Problem]]


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
    # Files the form refused unread (over their size limit), by field: reported with the rest.
    refused: dict[str, list[Problem]] = field(default_factory=dict)


class MetadataInvalid(Invalid):
    """Some fields break the rules; ``errors``/``warnings`` map form fields to ``Problem``s."""

    def __init__(self, errors: Problems, warnings: Problems, *, submit: bool):
        count = sum(len(v) for v in errors.values())
        verb = "submitted" if submit else "saved"
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} to fix; nothing was {verb}.",
            items=[p for v in errors.values() for p in v],
            errors={key: [p.message for p in problems] for key, problems in errors.items()},
        )
        self.errors = errors
        self.warnings = warnings


@dataclass
class Prepared:
    """New uploads that passed every check, ready to store, and what the checks found."""

    svgs: dict[str, tuple[bytes, Report]] = field(default_factory=dict)
    screenshots: dict[int, tuple[images.EncodedImage, Report]] = field(default_factory=dict)
    errors: Problems = field(default_factory=dict)
    warnings: Problems = field(default_factory=dict)


def categories_map() -> dict[str, str]:
    return dict(Category.objects.order_by("position").values_list("slug", "name"))


def add(target: Problems, name: str, problems) -> None:
    if problems:
        target.setdefault(name, []).extend(problems)


def _problems(entry: dict, key: str) -> list[Problem]:
    return [problem_from_dict(p) for p in entry.get(key, [])]


def identity_problems(integration: Integration, name: str) -> list[Problem]:
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


def check_uploads(values: MetadataInput) -> Prepared:
    """Validate new files (no database): SVGs drawn and judged, screenshots re-encoded."""
    prepared = Prepared()
    for name, problems in values.refused.items():
        add(prepared.errors, name, problems)
    for role in ASSET_ROLES:
        data = getattr(values, role)
        if data is None:
            continue
        report = validate_svg(data, role=role)
        add(prepared.errors, role, report.errors)
        add(prepared.warnings, role, report.warnings)
        if report.ok:  # stored: the canonical re-serialisation, never the uploaded bytes
            prepared.svgs[role] = (report.stored, report)
    for position, slot in enumerate(values.screenshots[:MAX_IMAGES]):
        if slot.content is None or slot.remove:
            continue
        name = f"screenshot_{position + 1}"
        report = images.validate_image(slot.content)
        add(prepared.errors, name, report.errors)
        add(prepared.warnings, name, report.warnings)
        if report.ok:
            try:
                prepared.screenshots[position] = (images.sanitize_image(slot.content), report)
            except images.ImageRefused as exc:
                add(prepared.errors, name, exc.report.errors)
    return prepared


def stored_report(revision: MetadataRevision | None, role: str) -> dict | None:
    """The stored check of the file a revision carries for ``role`` (None if it has no file)."""
    if revision is None or not getattr(revision, role):
        return None
    name = getattr(revision, role).name
    entry = (revision.asset_report or {}).get(role) or {}
    if entry.get("name") == name:
        return entry
    # No stored result for this file (made elsewhere, or by an older version): check it again.
    try:
        with default_storage.open(name, "rb") as fh:
            data = fh.read()
    except Exception:  # noqa: BLE001 - a missing file is reported as a failed check
        return {
            "name": name,
            "ok": False,
            "errors": [
                {"code": "asset.missing", "message": "The stored file is missing; upload it again."}
            ],
            "warnings": [],
            "info": {},
        }
    return {"name": name, **validate_svg(data, role=role).as_dict()}


def carried_images(latest: MetadataRevision | None) -> dict[int, MetadataImage]:
    if latest is None:
        return {}
    return {img.position: img for img in latest.images.all() if img.position < MAX_IMAGES}


def check_all(
    *,
    integration: Integration,
    latest: MetadataRevision | None,
    values: MetadataInput,
    prepared: Prepared,
    submit: bool,
) -> tuple[Problems, Problems, dict]:
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
    for source, target in ((prepared.errors, errors), (prepared.warnings, warnings)):
        for k, v in source.items():
            add(target, k, v)
    cleaned = dict(text.cleaned, description_html=text.description_html)
    add(errors, "name", identity_problems(integration, cleaned["name"]))
    if cleaned["pr_url"] and not errors.get("pr_url"):
        add(errors, "pr_url", _pull_request_problems(integration, cleaned["pr_url"]))
    _check_kept_files(latest, values, prepared, errors, warnings, submit=submit)
    _check_captions(latest, values, prepared, cleaned["captions"], errors)
    return errors, warnings, cleaned


def _pull_request_problems(integration: Integration, pr_url: str) -> list[Problem]:
    others = pull_request_used_by(
        pr_url, exclude_integration_id=integration.pk, partner_id=integration.partner_id
    )
    if not others:
        return []
    return [
        Problem(
            "pr_url.other_integration",
            f"That pull request is already used by {' and '.join(others[:3])}. One pull request "
            "covers one integration: link this integration's own pull request.",
            "pr_url",
        )
    ]


def _required_file(role: str) -> Problem:
    return Problem(f"{role}.required", f"Upload the {role} as an SVG file.", role)


def _check_kept_files(latest, values, prepared, errors, warnings, *, submit: bool) -> None:
    """Logo and mark not uploaded now: the stored file's result again, or required to submit."""
    for role in ASSET_ROLES:
        if role in prepared.svgs or getattr(values, role) is not None or role in values.refused:
            continue
        stored = stored_report(latest, role)
        if stored is None:
            if submit:
                add(errors, role, [_required_file(role)])
        else:
            # Show the stored file's advice again, so "submit" shows every warning at once.
            add(warnings, role, _problems(stored, "warnings"))
            add(errors, role, _problems(stored, "errors"))


def _check_captions(latest, values, prepared, captions: list[str], errors: Problems) -> None:
    carried = carried_images(latest)
    for position, slot in enumerate(values.screenshots[:MAX_IMAGES]):
        has_image = (
            position in prepared.screenshots
            or f"screenshot_{position + 1}" in values.refused
            or (not slot.remove and slot.content is None and position in carried)
        )
        caption = captions[position] if position < len(captions) else ""
        if caption and not has_image:
            name = f"caption_{position + 1}"
            message = "This caption has no screenshot. Add the screenshot or clear the caption."
            add(errors, name, [Problem("caption.without_image", message, name)])


def revision_problems(revision: MetadataRevision) -> tuple[Problems, Problems]:
    """Every error and warning a stored revision has against today's rules (for submit)."""
    primary, secondary = revision.primary_category, revision.secondary_category
    text = validate_text_fields(
        {
            "name": revision.name,
            "pr_url": revision.pr_url,
            "description": revision.description,
            "website": revision.website,
            "primary_category": primary.slug if primary else "",
            "secondary_category": secondary.slug if secondary else "",
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
            add(errors, role, [_required_file(role)])
        elif entry:
            add(errors, role, _problems(entry, "errors"))
            add(warnings, role, _problems(entry, "warnings"))
    for position, entry in enumerate(report.get("images", [])[:MAX_IMAGES]):
        name = f"screenshot_{position + 1}"
        add(errors, name, _problems(entry, "errors"))
        add(warnings, name, _problems(entry, "warnings"))
    return errors, warnings
