"""Rules for changing a live integration, as pure functions (the guide's "Submitting changes
after your Integration is already live"), and the diff staff read.

Each rule takes a ``Proposal`` (the live definition, the proposed one and what the database said
about the pull-request link) and returns a ``RuleResult``. A refusal names the rule and every
field it is about. ``evaluate`` runs them all; nothing here touches the database.

Settings and action fields are both "fields" in the guide's sense. Fields of an action that is
itself new are new too (they need the video), but a new action may have required fields: no
existing instance subscribes to it, so it cannot break one.
"""

from dataclasses import asdict, dataclass, field

_ATTRS_SETTING = ("label", "description", "type", "required", "default", "choices")
_ATTRS_FIELD = ("label", "description", "type", "required", "default")
_ATTRS_ACTION = ("title", "description", "defaultSubscription")


@dataclass(frozen=True)
class Problem:
    field: str  # "settings.region", "actions.trackEvent.fields.email", "name", "pr_url"…
    message: str


@dataclass(frozen=True)
class RuleResult:
    rule: str
    title: str
    guide: str
    passed: bool
    problems: tuple[Problem, ...] = ()

    def as_dict(self) -> dict:
        return {**asdict(self), "problems": [asdict(p) for p in self.problems]}

    @property
    def messages(self) -> list[str]:
        return [f"{self.title}: {p.message}" for p in self.problems]


@dataclass(frozen=True)
class Proposal:
    live: dict
    proposed: dict
    integration_name: str
    integration_slug: str
    pr_url: str = ""
    # Who else recorded this pull-request link, as words ready for a message (“Name” for the same
    # partner's integrations, "another integration" for any other partner's).
    pr_used_by: tuple[str, ...] = ()
    video_url: str = ""
    extra: dict = field(default_factory=dict)


# --- Indexing ----------------------------------------------------------------------------------


def _by_key(items: list[dict], key: str = "key") -> dict[str, dict]:
    return {item[key]: item for item in items or [] if isinstance(item, dict) and key in item}


def _fields(definition: dict) -> dict[str, tuple[str, dict]]:
    """Every field of a definition: path → (what it is called in words, the field)."""
    found: dict[str, tuple[str, dict]] = {}
    for key, setting in _by_key(definition.get("settings", [])).items():
        found[f"settings.{key}"] = (f"setting “{key}”", setting)
    for akey, action in _by_key(definition.get("actions", [])).items():
        for fkey, item in _by_key(action.get("fields", [])).items():
            found[f"actions.{akey}.fields.{fkey}"] = (f"field “{fkey}” of action “{akey}”", item)
    return found


def _changed_attrs(old: dict, new: dict, attrs: tuple[str, ...]) -> list[dict]:
    return [
        {"attr": a, "old": old.get(a), "new": new.get(a)} for a in attrs if old.get(a) != new.get(a)
    ]


# --- The rules -----------------------------------------------------------------------------------


def no_new_required_field(p: Proposal) -> RuleResult:
    live_fields = _fields(p.live)
    live_actions = set(_by_key(p.live.get("actions", [])))
    problems = []
    for path, (words, item) in _fields(p.proposed).items():
        in_new_action = path.startswith("actions.") and path.split(".")[1] not in live_actions
        if path not in live_fields and item.get("required") and not in_new_action:
            problems.append(
                Problem(
                    path,
                    f"{words} is new and required. Existing instances don't fill it in, so they "
                    "would stop working: make it optional (give it a default if you need one).",
                )
            )
    return RuleResult(
        "no_new_required_field",
        "No new required field",
        "Do not add a required field to an integration which is already in use by customers.",
        not problems,
        tuple(problems),
    )


def no_field_made_required(p: Proposal) -> RuleResult:
    live_fields = _fields(p.live)
    problems = []
    for path, (words, item) in _fields(p.proposed).items():
        before = live_fields.get(path)
        if before and not before[1].get("required") and item.get("required"):
            problems.append(
                Problem(
                    path,
                    f"{words} was optional and is now required. Keep it optional: existing "
                    "instances may leave it empty.",
                )
            )
    return RuleResult(
        "no_field_made_required",
        "No optional field made required",
        "Do not make an optional field required on an integration in use by customers.",
        not problems,
        tuple(problems),
    )


def _identity_rule(p: Proposal, attr: str, current: str, title: str) -> RuleResult:
    before = p.live.get(attr) or current
    after = p.proposed.get(attr) or current
    problems = []
    if after != before:
        problems.append(
            Problem(
                attr,
                f"The {attr} changes from “{before}” to “{after}”. The {attr} can't change after "
                "launch; to rename the integration, email partner-support@segment.com.",
            )
        )
    return RuleResult(
        f"{attr}_unchanged",
        title,
        "Do not change the name or slug of your integration after it has been deployed.",
        not problems,
        tuple(problems),
    )


def name_unchanged(p: Proposal) -> RuleResult:
    return _identity_rule(p, "name", p.integration_name, "Name unchanged")


def slug_unchanged(p: Proposal) -> RuleResult:
    return _identity_rule(p, "slug", p.integration_slug, "Slug unchanged")


def mode_unchanged(p: Proposal) -> RuleResult:
    before, after = p.live.get("mode"), p.proposed.get("mode")
    problems = []
    if before and after != before:
        problems.append(
            Problem(
                "mode",
                f"The mode changes from {before} to {after}. A {after}-mode destination is a "
                "separate integration with its own pull request.",
            )
        )
    return RuleResult(
        "mode_unchanged",
        "Mode unchanged",
        "Changes to a cloud-mode and a device-mode integration go in separate pull requests.",
        not problems,
        tuple(problems),
    )


def no_deleted_action(p: Proposal) -> RuleResult:
    proposed = _by_key(p.proposed.get("actions", []))
    problems = [
        Problem(
            f"actions.{key}",
            f"Action “{action.get('title') or key}” ({key}) is deleted. Deleting an action isn't "
            "supported yet; keep it, or email partner-support@segment.com.",
        )
        for key, action in _by_key(p.live.get("actions", [])).items()
        if key not in proposed
    ]
    return RuleResult(
        "no_deleted_action",
        "No deleted action",
        "Do not delete an action from an integration.",
        not problems,
        tuple(problems),
    )


def one_integration_per_pull_request(p: Proposal) -> RuleResult:
    problems = []
    if p.pr_used_by:
        names = " and ".join(p.pr_used_by[:3])
        problems.append(
            Problem(
                "pr_url",
                f"This pull request is already used by {names}. A pull request changes one "
                "integration only: open a separate pull request for this one.",
            )
        )
    return RuleResult(
        "one_integration_per_pull_request",
        "One integration per pull request",
        "Do not raise a pull request containing changes for more than one integration.",
        not problems,
        tuple(problems),
    )


def field_changes(live: dict, proposed: dict) -> list[tuple[str, str, str]]:
    """(path, words, "added" or "amended") for every field added or amended."""
    live_fields = _fields(live)
    changes = []
    for path, (words, item) in _fields(proposed).items():
        before = live_fields.get(path)
        attrs = _ATTRS_SETTING if path.startswith("settings.") else _ATTRS_FIELD
        if before is None:
            changes.append((path, words, "added"))
        elif _changed_attrs(before[1], item, attrs):
            changes.append((path, words, "amended"))
    return changes


def video_for_field_changes(p: Proposal) -> RuleResult:
    changes = field_changes(p.live, p.proposed)
    problems = []
    if changes and not p.video_url.strip():
        problems = [
            Problem(
                path,
                f"{words} is {how}: attach a link to a video of it tested in the action tester "
                "(video link).",
            )
            for path, words, how in changes
        ]
    return RuleResult(
        "video_for_field_changes",
        "Video for added or amended fields",
        "If adding a new field or amending an existing one, attach a video of you testing the "
        "change using the action tester.",
        not problems,
        tuple(problems),
    )


RULES = (
    no_new_required_field,
    no_field_made_required,
    name_unchanged,
    slug_unchanged,
    mode_unchanged,
    no_deleted_action,
    one_integration_per_pull_request,
    video_for_field_changes,
)


def evaluate(proposal: Proposal) -> list[RuleResult]:
    return [rule(proposal) for rule in RULES]


def refusals(results: list[RuleResult]) -> list[RuleResult]:
    return [r for r in results if not r.passed]


# --- The diff ------------------------------------------------------------------------------------


def _list_diff(old: list[dict], new: list[dict], attrs: tuple[str, ...], key: str = "key") -> dict:
    before, after = _by_key(old, key), _by_key(new, key)
    return {
        "added": [after[k] for k in after if k not in before],
        "removed": [before[k] for k in before if k not in after],
        "changed": [
            {"key": k, "changes": changes}
            for k in after
            if k in before and (changes := _changed_attrs(before[k], after[k], attrs))
        ],
    }


def _is_empty(part: dict) -> bool:
    return not (part["added"] or part["removed"] or part["changed"])


def diff(live: dict, proposed: dict) -> dict:
    """What changes between two definitions, for people (JSON-serialisable)."""
    top = [
        {"attr": attr, "old": live.get(attr), "new": proposed.get(attr)}
        for attr in ("name", "slug", "description", "mode")
        if live.get(attr) != proposed.get(attr)
    ]
    old_scheme = (live.get("authentication") or {}).get("scheme")
    new_scheme = (proposed.get("authentication") or {}).get("scheme")
    if old_scheme != new_scheme:
        top.append({"attr": "authentication.scheme", "old": old_scheme, "new": new_scheme})
    actions = _list_diff(live.get("actions", []), proposed.get("actions", []), _ATTRS_ACTION)
    before, after = _by_key(live.get("actions", [])), _by_key(proposed.get("actions", []))
    changed = {c["key"]: c for c in actions["changed"]}
    for key in after:
        if key not in before:
            continue
        fields = _list_diff(
            before[key].get("fields", []), after[key].get("fields", []), _ATTRS_FIELD
        )
        if not _is_empty(fields):
            entry = changed.setdefault(key, {"key": key, "changes": []})
            entry["fields"] = fields
    for entry in changed.values():
        entry.setdefault("fields", {"added": [], "removed": [], "changed": []})
        entry["title"] = after[entry["key"]].get("title", entry["key"])
    actions["changed"] = list(changed.values())
    result = {
        "top": top,
        "settings": _list_diff(
            live.get("settings", []), proposed.get("settings", []), _ATTRS_SETTING
        ),
        "actions": actions,
        "presets": _list_diff(
            live.get("presets", []),
            proposed.get("presets", []),
            ("partnerAction", "subscribe"),
            key="name",
        ),
    }
    result["empty"] = not top and all(
        _is_empty(result[part]) for part in ("settings", "actions", "presets")
    )
    return result
