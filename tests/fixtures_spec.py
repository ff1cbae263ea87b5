"""Realistic spec definitions built from the real destinations in catalog/data.

``catalog_definition(slug)`` takes a record of ``segment-destinations.json`` with an
``action_destinations`` entry and turns it into a spec: its real mode and authentication scheme,
its real action names (as titles, with camelCase keys), the settings that scheme asks for, and
typical fields with default mappings. ``EXAMPLES`` names one destination per (mode, scheme) pair.
"""

import copy
import json
import re
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "catalog" / "data" / "segment-destinations.json"

# One real destination for each (mode, authentication scheme) pair present in the data.
EXAMPLES = {
    ("cloud", "basic"): "actions-aampe",
    ("cloud", "custom"): "actions-absmartly",
    ("cloud", "oauth2"): "actions-amazon-amc",
    ("cloud", "oauth-managed"): "actions-attio",
    ("cloud", None): "actions-display-video-360",
    ("device", "custom"): "actions-1flow",
}

_SETTINGS = {
    "basic": [
        {"key": "username", "label": "Username", "type": "string", "required": True},
        {"key": "password", "label": "Password", "type": "password", "required": True},
    ],
    "custom": [
        {
            "key": "apiKey",
            "label": "API Key",
            "description": "Found under Settings › API keys in your account.",
            "type": "password",
            "required": True,
        },
        {
            "key": "region",
            "label": "Region",
            "description": "Where your account's data lives.",
            "type": "string",
            "required": False,
            "default": "us",
            "choices": ["us", "eu"],
        },
    ],
}

_FIELDS = [
    {
        "key": "userId",
        "label": "User ID",
        "description": "The user's ID in your product.",
        "type": "string",
        "required": True,
        "default": "$.userId",
    },
    {
        "key": "email",
        "label": "Email",
        "description": "The user's email address.",
        "type": "string",
        "required": False,
        "default": "$.properties.email",
    },
    {
        "key": "timestamp",
        "label": "Timestamp",
        "type": "datetime",
        "required": False,
        "default": "$.timestamp",
    },
    {
        "key": "properties",
        "label": "Properties",
        "type": "object",
        "required": False,
        "default": "$.properties",
    },
]


def _camel(title: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", title)
    key = words[0].lower() + "".join(w[:1].upper() + w[1:].lower() for w in words[1:])
    return key if key[:1].isalpha() else f"a{key}"


def _subscription(title: str) -> str:
    lowered = title.lower()
    if "identify" in lowered or "user" in lowered or "profile" in lowered:
        return 'type = "identify"'
    if "group" in lowered or "account" in lowered:
        return 'type = "group"'
    if "page" in lowered:
        return 'type = "page"'
    if "audience" in lowered:
        return 'type = "track" and event = "Audience Entered"'
    return 'type = "track"'


@cache
def _records() -> dict[str, dict]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return {r["slug"]: r for r in data["destinations"] if r.get("action_destinations")}


def catalog_record(slug: str) -> dict:
    return _records()[slug]


def catalog_definition(slug: str, *, name: str | None = None, own_slug: str | None = None) -> dict:
    """A full, valid definition shaped after the real destination ``slug``."""
    record = catalog_record(slug)
    real = record["action_destinations"]
    scheme = real["authentication_scheme"] or "none"
    actions = []
    for title in record["actions"]:
        actions.append(
            {
                "key": _camel(title),
                "title": title,
                "description": f"{title} in {record['name']}.",
                "defaultSubscription": _subscription(title),
                "fields": copy.deepcopy(_FIELDS),
            }
        )
    return {
        "name": name or record["name"],
        "slug": own_slug or record["slug"],
        "description": "",
        "mode": real["mode"],
        "authentication": {"scheme": scheme},
        "settings": copy.deepcopy(_SETTINGS.get(scheme, [])),
        "actions": actions,
        "presets": [
            {"name": a["title"], "partnerAction": a["key"], "subscribe": a["defaultSubscription"]}
            for a in actions[:2]
        ],
    }


def acme_definition(integration=None) -> dict:
    """The custom-scheme cloud definition renamed after ``integration`` (conftest's Acme Events)."""
    name = integration.name if integration is not None else "Acme Events"
    slug = integration.slug if integration is not None else "acme-events"
    return catalog_definition(EXAMPLES[("cloud", "custom")], name=name, own_slug=slug)


# --- Rows in the database ------------------------------------------------------------------------


def make_revision(integration, definition=None, *, status="draft", number=None, user=None):
    from django.utils import timezone

    from catalog.models import SpecRevision
    from catalog.validation.spec import normalize

    if number is None:
        last = integration.spec_revisions.order_by("-number").first()
        number = (last.number + 1) if last else 1
    now = timezone.now()
    return SpecRevision.objects.create(
        integration=integration,
        number=number,
        status=status,
        definition=normalize(definition or acme_definition(integration)),
        created_by=user,
        submitted_at=now if status != "draft" else None,
        reviewed_at=now if status in ("approved", "changes_requested") else None,
    )


def make_live(integration, definition=None, *, stage="private_beta"):
    """Put ``integration`` in a live stage with an approved, live spec; returns the revision."""
    revision = make_revision(integration, definition, status="approved")
    integration.stage = stage
    integration.live_spec = revision
    integration.save(update_fields=["stage", "live_spec"])
    return revision
