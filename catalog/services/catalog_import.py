"""Load an existing destination catalog (the shape of ``catalog/data/segment-destinations.json``).

Every entry becomes an imported integration (no partner, ``is_imported=True``) with an approved
metadata revision. Entries that break today's rules are kept as they are, marked grandfathered
with their reasons. The import is keyed by slug and idempotent: the same file twice changes
nothing. The file's shape is checked before anything is written, and the whole import is one
transaction, so a bad file leaves the database as it was.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
from django.db import transaction
from django.utils import timezone

from catalog import search
from catalog.audit import Action
from catalog.errors import BadRequest
from catalog.models import (
    Category,
    Integration,
    ListingStatus,
    MetadataRevision,
    ReviewStatus,
    Stage,
)
from catalog.services.audit import audit_record
from catalog.validation.text import (
    DESCRIPTION_MAX_VISIBLE,
    check_description,
    render_markdown,
    visible_text,
)

MAX_VISIBLE_DESCRIPTION = DESCRIPTION_MAX_VISIBLE
MAX_CATEGORIES = 2
MAX_FILE_BYTES = 20 * 1024 * 1024
LISTING_FOR_STATUS = {
    "PUBLIC": ListingStatus.PUBLIC,
    "PUBLIC_BETA": ListingStatus.PUBLIC_BETA,
    "PRIVATE_BETA": ListingStatus.PUBLIC_BETA,
}
STAGE_FOR_STATUS = {
    "PUBLIC": Stage.PUBLIC,
    "PUBLIC_BETA": Stage.PUBLIC,
    "PRIVATE_BETA": Stage.PRIVATE_BETA,
}

_OPTIONAL_STRING = {"type": ["string", "null"]}
ENTRY_SCHEMA = {
    "type": "object",
    "required": ["name", "slug", "status", "categories"],
    "properties": {
        "id": {"type": ["string", "null"], "maxLength": 64},
        "name": {"type": "string", "minLength": 1, "maxLength": 120, "pattern": r"\S"},
        "slug": {"type": "string", "pattern": r"^[-a-zA-Z0-9_]{1,140}$"},
        "status": {"enum": list(STAGE_FOR_STATUS)},
        "categories": {"type": "array", "items": {"type": "string", "maxLength": 80}},
        "description": {"type": ["string", "null"], "maxLength": 20_000},
        "website": {"type": ["string", "null"], "maxLength": 500},
        "logo_url": {"type": ["string", "null"], "maxLength": 500},
        "mark_url": {"type": ["string", "null"], "maxLength": 500},
        "docs_url": {"type": ["string", "null"], "maxLength": 500},
        "connection_modes": {"type": ["object", "null"]},
        "action_destinations": {"type": ["object", "null"]},
    },
}
FILE_SCHEMA = {
    "type": "object",
    "required": ["destinations"],
    "properties": {
        "count": {"type": "integer"},
        "destinations": {"type": "array", "items": ENTRY_SCHEMA},
    },
}


class CatalogFileError(BadRequest):
    """The file can't be imported; ``problems`` says where and why (nothing was written)."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message, items=problems or [])
        self.problems = problems or []


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    grandfathered: list[dict] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged) + len(self.skipped)

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "skipped": self.skipped,
            "grandfathered": self.grandfathered,
        }


# --- Reading and checking the file --------------------------------------------------------------


def read_catalog_file(path: str | Path) -> list[dict]:
    """The file's entries, after checking its shape; raises CatalogFileError naming each problem."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CatalogFileError(f"{path} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
        raw = path.read_bytes()
    except OSError as exc:
        raise CatalogFileError(f"Can't read {path}: {exc.strerror or exc}.") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise CatalogFileError(f"{path} is not UTF-8 text.") from None
    except json.JSONDecodeError as exc:
        raise CatalogFileError(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from None
    return check_catalog_data(data, source=str(path))


def check_catalog_data(data, *, source: str = "the file") -> list[dict]:
    problems = []
    validator = jsonschema.Draft202012Validator(FILE_SCHEMA)
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        where = "".join(
            f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path
        ).lstrip(".")
        problems.append(f"{where or 'top level'}: {error.message[:200]}")
    if not problems:
        entries = data["destinations"]
        if "count" in data and data["count"] != len(entries):
            problems.append(f"count: says {data['count']} but the file has {len(entries)} entries")
        seen_slugs: dict[str, int] = {}
        seen_names: dict[str, int] = {}
        for n, entry in enumerate(entries):
            slug, name = entry["slug"], _clean_name(entry["name"]).lower()
            if slug in seen_slugs:
                problems.append(
                    f"destinations[{n}].slug: '{slug}' repeats destinations[{seen_slugs[slug]}]"
                )
            if name in seen_names:
                problems.append(
                    f"destinations[{n}].name: '{entry['name']}' repeats "
                    f"destinations[{seen_names[name]}]"
                )
            seen_slugs.setdefault(slug, n)
            seen_names.setdefault(name, n)
    if problems:
        shown = problems[:20]
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        plural = "s" if len(problems) != 1 else ""
        raise CatalogFileError(
            f"{source} is not a catalog file this command can import: "
            f"{len(problems)} problem{plural}{more}. Nothing was imported.",
            shown,
        )
    return data["destinations"]


# --- Turning an entry into what the portal stores -----------------------------------------------


def render_description(text: str) -> str:
    """The same markdown subset and sanitiser as the metadata form (https links only)."""
    return render_markdown(text) if text else ""


def visible_length(description_html: str) -> int:
    return len(visible_text(description_html))


def _clean_name(name: str) -> str:
    return " ".join(name.split())


_URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def _mode(entry: dict) -> str:
    action = entry.get("action_destinations") or {}
    if action.get("mode") in ("cloud", "device"):
        return action["mode"]
    modes = entry.get("connection_modes") or {}
    cloud = modes.get("cloud") or {}
    device = modes.get("device") or {}
    if not any(cloud.values()) and device.get("web"):
        return "device"
    return "cloud"


@dataclass
class _Desired:
    integration: dict
    revision: dict
    reasons: list[str]


def _desired(entry: dict, categories_by_name: dict[str, Category]) -> _Desired:
    reasons: list[str] = []
    names = entry["categories"]
    known = [categories_by_name[c] for c in names if c in categories_by_name]
    unknown = [c for c in names if c not in categories_by_name]
    if not names:
        reasons.append("no category")
    if len(names) > MAX_CATEGORIES:
        reasons.append(f"{len(names)} categories (at most {MAX_CATEGORIES} today)")
    for name in unknown:
        reasons.append(f"category “{name}” is not one of the 22")
    primary = known[0] if known else None
    secondary = next((c for c in known[1:] if c != primary), None)
    categories_as_given = len(names) > MAX_CATEGORIES or bool(unknown)

    description = (entry.get("description") or "").strip()
    description_html = render_description(description)
    visible = visible_length(description_html)
    if visible > MAX_VISIBLE_DESCRIPTION:
        reasons.append(
            f"description has {visible} visible characters (about {MAX_VISIBLE_DESCRIPTION} today)"
        )
    # Today's other description rules (no HTML, https links only…), as the metadata form says them.
    _, _, problems, _ = check_description(description, required=False)
    reasons += [f"description: {p.message}" for p in problems if p.code != "description.too_long"]

    def url(key: str, label: str) -> str:
        value = (entry.get(key) or "").strip()
        if value and not _URL_RE.match(value):
            reasons.append(f"{label} “{value[:80]}” is not an http(s) URL, so it is left out")
            return ""
        return value

    website = url("website", "website")
    logo = url("logo_url", "logo URL")
    mark = url("mark_url", "mark URL")
    docs = url("docs_url", "docs URL")
    name = _clean_name(entry["name"])
    return _Desired(
        integration={
            "name": name,
            "mode": _mode(entry),
            "stage": STAGE_FOR_STATUS[entry["status"]],
            "listing_status": LISTING_FOR_STATUS[entry["status"]],
            "docs_url": docs,
            "external_id": entry.get("id") or "",
            "grandfathered": bool(reasons),
            "grandfathered_reasons": reasons,
        },
        revision={
            "name": name,
            "description": description,
            "description_html": description_html,
            "website": website,
            "primary_category_id": primary.pk if primary else None,
            "secondary_category_id": secondary.pk if secondary else None,
            "extra_categories": list(names) if categories_as_given else [],
            "logo_external_url": logo,
            "mark_external_url": mark,
        },
        reasons=reasons,
    )


def _revision_differs(revision: MetadataRevision | None, wanted: dict) -> bool:
    if revision is None:
        return True
    return any(getattr(revision, key) != value for key, value in wanted.items())


def _new_revision(integration: Integration, number: int, wanted: dict, now) -> MetadataRevision:
    return MetadataRevision(
        integration=integration,
        number=number,
        status=ReviewStatus.APPROVED,
        submitted_at=now,
        reviewed_at=now,
        created_at=now,
        review_comment="Imported from the existing catalog.",
        asset_report={"imported": True},
        **wanted,
    )


# --- The import ---------------------------------------------------------------------------------


@transaction.atomic
def catalog_import(*, entries: list[dict], actor=None) -> ImportReport:
    """Create or update one imported integration per entry (see the module docstring)."""
    report = ImportReport()
    now = timezone.now()
    categories_by_name = {c.name: c for c in Category.objects.all()}
    existing = {
        i.slug: i
        for i in Integration.objects.select_for_update(of=("self",))
        .select_related("live_metadata")
        .filter(slug__in=[e["slug"] for e in entries])
    }
    slug_for_name = {
        name.lower(): slug for name, slug in Integration.objects.values_list("name", "slug")
    }
    to_create: list[tuple[Integration, _Desired]] = []
    for entry in entries:
        slug = entry["slug"]
        wanted = _desired(entry, categories_by_name)
        name = wanted.integration["name"]
        current = existing.get(slug)
        if current is not None and not current.is_imported:
            reason = "the slug belongs to a partner's integration"
            report.skipped.append({"slug": slug, "name": name, "reason": reason})
            continue
        owner_of_name = slug_for_name.get(name.lower())
        if owner_of_name is not None and owner_of_name != slug:
            report.skipped.append(
                {"slug": slug, "name": name, "reason": f"the name is used by '{owner_of_name}'"}
            )
            continue
        if wanted.reasons:
            report.grandfathered.append({"slug": slug, "name": name, "reasons": wanted.reasons})
        if current is None:
            integration = Integration(
                slug=slug,
                is_imported=True,
                partner=None,
                created_at=now,
                stage_changed_at=now,
                **wanted.integration,
            )
            to_create.append((integration, wanted))
            slug_for_name[name.lower()] = slug
            continue
        if _update(current, wanted, now=now, actor=actor):
            report.updated.append(slug)
            slug_for_name[name.lower()] = slug
        else:
            report.unchanged.append(slug)

    report.created.extend(_create_imported(to_create, now=now, actor=actor))
    if report.created or report.updated:
        # Bulk inserts send no signals: index what this import added or changed in one statement.
        search.refresh_documents(slugs=[*report.created, *report.updated])
    return report


def _create_imported(to_create: list[tuple[Integration, _Desired]], *, now, actor) -> list[str]:
    """Insert the new imported integrations with their first (live) revision in a few bulk
    statements, audit each, and return their slugs."""
    created = Integration.objects.bulk_create([i for i, _ in to_create], batch_size=200)
    if created and created[0].pk is None:  # backends that don't return keys
        by_slug = dict(
            Integration.objects.filter(slug__in=[i.slug for i in created]).values_list("slug", "pk")
        )
        for integration in created:
            integration.pk = integration.id = by_slug[integration.slug]
    revisions = MetadataRevision.objects.bulk_create(
        [
            _new_revision(integration, 1, wanted.revision, now)
            for integration, (_, wanted) in zip(created, to_create, strict=True)
        ],
        batch_size=200,
    )
    if revisions and revisions[0].pk is None:
        by_integration = dict(
            MetadataRevision.objects.filter(integration__in=created, number=1).values_list(
                "integration_id", "pk"
            )
        )
        for revision in revisions:
            revision.pk = revision.id = by_integration[revision.integration_id]
    for integration, revision in zip(created, revisions, strict=True):
        integration.live_metadata = revision
    Integration.objects.bulk_update(created, ["live_metadata"], batch_size=200)
    for integration in created:
        audit_record(
            action=Action.INTEGRATION_IMPORTED,
            actor=actor,
            integration=integration,
            target=integration,
            new_value={
                "slug": integration.slug,
                "stage": integration.stage,
                "grandfathered_reasons": integration.grandfathered_reasons,
            },
        )
    return [integration.slug for integration in created]


def _update(integration: Integration, wanted: _Desired, *, now, actor) -> bool:
    """Bring one imported integration in line with its entry; False when nothing differs."""
    changed = {
        key: value
        for key, value in wanted.integration.items()
        if getattr(integration, key) != value
    }
    revision_changed = _revision_differs(integration.live_metadata, wanted.revision)
    if not changed and not revision_changed:
        return False
    old = {key: getattr(integration, key) for key in changed}
    fields = list(changed)
    for key, value in changed.items():
        setattr(integration, key, value)
    if "stage" in changed:
        integration.stage_changed_at = now
        fields.append("stage_changed_at")
        if integration.stage == Stage.PUBLIC and integration.public_since is None:
            integration.public_since = now
            fields.append("public_since")
    if revision_changed:
        number = (
            MetadataRevision.objects.filter(integration=integration)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
            or 0
        ) + 1
        revision = _new_revision(integration, number, wanted.revision, now)
        revision.save()
        integration.live_metadata = revision
        fields.append("live_metadata")
    integration.save(update_fields=[*fields, "updated_at"])
    audit_record(
        action=Action.INTEGRATION_IMPORTED,
        actor=actor,
        integration=integration,
        target=integration,
        old_value=old,
        new_value={**changed, "metadata_changed": revision_changed},
    )
    return True
