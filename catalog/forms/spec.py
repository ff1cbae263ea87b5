"""Forms of the spec area: the structured spec editor, JSON upload, pull requests, reviews.

The spec editor is one form made of small row forms (settings, actions with their fields,
presets). Rows are named by index (``s-0-key``, ``a-1-f-2-label``, ``p-0-name``); the server
finds the rows that were posted, so JavaScript may add and remove rows freely, and without
JavaScript the "Add …" and "Remove" buttons post the whole form back with ``op`` saying what to
do: the page comes back with every value kept and the row added or removed.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings

from catalog.errors import BadRequest, Invalid
from catalog.forms.base import TextRulesForm
from catalog.forms.partner import ModeRadioSelect
from catalog.models import PullRequest
from catalog.validation.spec import (
    FIELD_TYPES,
    MAX_TOTAL_FIELDS,
    SETTING_TYPES,
    SpecError,
    validate_definition,
)
from catalog.validation.urls import parse_pull_request_url

MOBILE = "device-mobile"
MODE_CHOICES = [
    ("cloud", "Cloud-mode: data goes through the platform to your API (recommended)"),
    ("device", "Device-mode (web): runs in the browser"),
    (
        MOBILE,
        "Device-mode (mobile): not available to partners; build a cloud-mode destination and "
        "a mobile plugin",
    ),
]
SCHEME_CHOICES = [
    ("custom", "Custom (an API key or other settings)"),
    ("basic", "Basic (username and password)"),
    ("oauth2", "OAuth 2.0"),
    ("oauth-managed", "OAuth managed by the platform"),
    ("none", "None"),
]
MAX_ROWS = 60
MAX_FIELD_ROWS = MAX_TOTAL_FIELDS
MAX_INDEX = 999

KEY_HELP = "Letters, digits and underscores, starting with a letter (like apiKey)."


def _key_field(label: str, what: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=64,
        error_messages={"required": f"Give the {what} a key, like apiKey."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


def _text(label: str, max_length: int = 2000, **kwargs) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=False, **kwargs)


def _small_area() -> forms.Textarea:
    return forms.Textarea(attrs={"rows": 2})


class SpecMetaForm(forms.Form):
    name = forms.CharField(label="Name", max_length=120, required=False)
    slug = forms.CharField(label="Slug", max_length=140, required=False)
    mode = forms.ChoiceField(
        label="Destination mode",
        choices=MODE_CHOICES,
        # Radios: each choice's explanation is read in full (a select cut it off); the mobile
        # one is shown disabled with why.
        widget=ModeRadioSelect,
        help_text="Partners build cloud-mode or device-mode web destinations. For data from a "
        "mobile device, build a plugin.",
    )
    scheme = forms.ChoiceField(label="Authentication scheme", choices=SCHEME_CHOICES)
    description = _text("Description", widget=_small_area())

    def __init__(self, *args, with_identity: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_identity:
            del self.fields["name"]
            del self.fields["slug"]
        else:
            self.fields["name"].help_text = "The name and slug can't change after launch."


class SettingForm(forms.Form):
    key = _key_field("Key", "setting")
    label = forms.CharField(
        label="Label", max_length=120, error_messages={"required": "Give the setting a label."}
    )
    description = _text("Description", widget=_small_area())
    type = forms.ChoiceField(label="Type", choices=[(t, t) for t in SETTING_TYPES])
    required = forms.BooleanField(label="Required", required=False)
    default = _text("Default", 500)
    choices = _text(
        "Choices", 2000, help_text="Optional, for a string setting: values separated by commas."
    )


class ActionForm(forms.Form):
    key = _key_field("Key", "action")
    title = forms.CharField(
        label="Title", max_length=120, error_messages={"required": "Give the action a title."}
    )
    description = _text("Description", widget=_small_area())
    defaultSubscription = _text(
        "Default subscription",
        500,
        help_text='Which events trigger it by default, like type = "track".',
    )


class FieldForm(forms.Form):
    key = _key_field("Key", "field")
    label = forms.CharField(
        label="Label", max_length=120, error_messages={"required": "Give the field a label."}
    )
    description = _text("Description", widget=_small_area())
    type = forms.ChoiceField(label="Type", choices=[(t, t) for t in FIELD_TYPES])
    required = forms.BooleanField(label="Required", required=False)
    default = _text(
        "Default mapping", 300, help_text="A path into the event, like $.properties.email."
    )


class PresetForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=120, error_messages={"required": "Give the preset a name."}
    )
    partnerAction = forms.CharField(
        label="Action key",
        max_length=64,
        error_messages={"required": "Name the action this preset uses (its key)."},
    )
    subscribe = forms.CharField(
        label="Subscription",
        max_length=500,
        error_messages={"required": 'Say which events it maps, like type = "track".'},
    )


ROW_FORMS = {"s": SettingForm, "a": ActionForm, "f": FieldForm, "p": PresetForm}
_ROW = re.compile(r"^(?P<kind>[sap])-(?P<i>\d{1,3})-(?P<attr>[A-Za-z]+)$")
_FIELD_ROW = re.compile(r"^a-(?P<a>\d{1,3})-f-(?P<f>\d{1,3})-(?P<attr>[A-Za-z]+)$")
_OP = re.compile(
    r"^(?:save|submit|add-setting|add-action|add-preset|add-field:\d{1,3}"
    r"|remove-(?:setting|action|preset):\d{1,3}|remove-field:\d{1,3}:\d{1,3})$"
)


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _blank(row: dict) -> bool:
    return not any(v.strip() for k, v in row.items() if k not in ("type", "required"))


def _number(text: str):
    try:
        return int(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            return text
        return value if value == value and abs(value) != float("inf") else text


def _typed_setting_default(kind: str, text: str):
    text = text.strip()
    if not text:
        return None
    if kind == "number":
        return _number(text)
    if kind == "boolean" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def _typed_field_default(kind: str, text: str):
    text = text.strip()
    if not text or text.startswith("$"):
        return text or None
    if kind in ("number", "integer"):
        return _number(text)
    if kind == "boolean" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


class SpecEditor:
    """The structured editor. Build it ``from_definition`` (GET) or ``from_post`` (POST)."""

    def __init__(self, rows: dict, *, bound: bool, with_identity: bool = False):
        self.rows = rows
        self.bound = bound
        self.with_identity = with_identity
        self.errors: list[str] = []  # errors about the whole spec (not one field)
        self.too_many_rows = False  # more rows posted than the page can send
        self._build()

    # --- building ---------------------------------------------------------------------------

    @classmethod
    def from_definition(cls, definition: dict, *, with_identity: bool = False) -> "SpecEditor":
        meta = {
            "name": definition.get("name", ""),
            "slug": definition.get("slug", ""),
            "mode": definition.get("mode", "cloud"),
            "scheme": (definition.get("authentication") or {}).get("scheme", "custom"),
            "description": definition.get("description", ""),
        }
        rows = {
            "meta": {k: _as_text(v) for k, v in meta.items()},
            "settings": [
                {a: _as_text(s.get(a)) for a in SettingForm.base_fields}
                for s in definition.get("settings", [])
            ],
            "actions": [
                {
                    "data": {a: _as_text(act.get(a)) for a in ActionForm.base_fields},
                    "fields": [
                        {a: _as_text(f.get(a)) for a in FieldForm.base_fields}
                        for f in act.get("fields", [])
                    ],
                }
                for act in definition.get("actions", [])
            ],
            "presets": [
                {a: _as_text(p.get(a)) for a in PresetForm.base_fields}
                for p in definition.get("presets", [])
            ],
        }
        for row in rows["settings"]:
            row["required"] = "on" if row["required"] == "true" else ""
        for action in rows["actions"]:
            for row in action["fields"]:
                row["required"] = "on" if row["required"] == "true" else ""
        return cls(rows, bound=False, with_identity=with_identity)

    @classmethod
    def from_post(cls, data, *, with_identity: bool = False) -> "SpecEditor":
        collected: dict = {"s": {}, "a": {}, "p": {}, "f": {}}
        too_many = False
        # Rows past the limits are never built: each costs a form to build and to render, and a
        # small hostile body can name a thousand of them.
        indexes: dict[str, set] = {"s": set(), "a": set(), "p": set()}
        field_indexes: dict[int, set] = {}

        def admit(seen: set, index: int, limit: int = MAX_ROWS) -> bool:
            if index not in seen and len(seen) >= limit:
                return False
            seen.add(index)
            return True

        for name in data:
            match = _FIELD_ROW.match(name)
            if match:
                attr = match["attr"]
                if attr in FieldForm.base_fields:
                    a, f = int(match["a"]), int(match["f"])
                    if (a, f) not in collected["f"] and (
                        len(collected["f"]) >= MAX_FIELD_ROWS
                        or not admit(indexes["a"], a)
                        or not admit(field_indexes.setdefault(a, set()), f)
                    ):
                        too_many = True
                        continue
                    collected["f"].setdefault((a, f), {})[attr] = data.get(name, "")
                continue
            match = _ROW.match(name)
            if match and match["attr"] in ROW_FORMS[match["kind"]].base_fields:
                kind, i = match["kind"], int(match["i"])
                if not admit(indexes[kind], i):
                    too_many = True
                    continue
                collected[kind].setdefault(i, {})[match["attr"]] = data.get(name, "")

        def complete(row: dict, form_class) -> dict:
            return {a: str(row.get(a, "")) for a in form_class.base_fields}

        actions = {
            i: {"data": complete(r, ActionForm), "fields": []} for i, r in collected["a"].items()
        }
        for (a, f), row in sorted(collected["f"].items()):
            actions.setdefault(a, {"data": complete({}, ActionForm), "fields": []})
            actions[a].setdefault("_raw", []).append(f)
            actions[a]["fields"].append(complete(row, FieldForm))
        meta_names = ("name", "slug", "mode", "scheme", "description")
        rows = {
            "meta": {k: str(data.get(f"meta-{k}", "")) for k in meta_names},
            "settings": [complete(collected["s"][i], SettingForm) for i in sorted(collected["s"])],
            "actions": [actions[i] for i in sorted(actions)],
            "presets": [complete(collected["p"][i], PresetForm) for i in sorted(collected["p"])],
            "_raw": {
                "settings": sorted(collected["s"]),
                "actions": sorted(actions),
                "presets": sorted(collected["p"]),
            },
        }
        editor = cls(rows, bound=True, with_identity=with_identity)
        if (
            too_many
            or any(len(rows[k]) > MAX_ROWS for k in ("settings", "actions", "presets"))
            or any(len(a["fields"]) > MAX_ROWS for a in rows["actions"])
        ):
            editor.too_many_rows = True
            editor.errors.append(
                f"Too many rows: at most {MAX_ROWS} of each kind, and {MAX_FIELD_ROWS} "
                "action fields in all."
            )
        return editor

    def _build(self) -> None:
        def make(form_class, prefix: str, row: dict):
            if self.bound:
                data = {
                    f"{prefix}-{k}": v for k, v in row.items() if not (k == "required" and not v)
                }
                return form_class(data, prefix=prefix)
            initial = {k: v for k, v in row.items()}
            if "required" in initial:
                initial["required"] = bool(initial["required"])
            return form_class(prefix=prefix, initial=initial)

        meta = self.rows["meta"]
        if self.bound:
            self.meta = SpecMetaForm(
                {f"meta-{k}": v for k, v in meta.items()},
                prefix="meta",
                with_identity=self.with_identity,
            )
        else:
            self.meta = SpecMetaForm(prefix="meta", initial=meta, with_identity=self.with_identity)
        self.settings = [
            make(SettingForm, f"s-{i}", r) for i, r in enumerate(self.rows["settings"])
        ]
        self.actions = []
        for i, action in enumerate(self.rows["actions"]):
            form = make(ActionForm, f"a-{i}", action["data"])
            form.index = i
            form.field_forms = [
                make(FieldForm, f"a-{i}-f-{j}", r) for j, r in enumerate(action["fields"])
            ]
            self.actions.append(form)
        self.presets = [make(PresetForm, f"p-{i}", r) for i, r in enumerate(self.rows["presets"])]

    # --- structural operations (the no-JavaScript add and remove buttons) ---------------------

    @staticmethod
    def valid_op(op: str) -> bool:
        return bool(_OP.match(op or ""))

    def apply(self, op: str) -> bool:
        """Add or remove a row; ``op`` indexes are the posted ones. True when the form changed."""
        if not self.valid_op(op) or op in ("save", "submit") or self.errors:
            return False
        raw = self.rows.pop("_raw", {})
        verb, _, args = op.partition(":")

        def position(kind: str, index: int) -> int | None:
            indexes = raw.get(kind, list(range(len(self.rows[kind]))))
            return indexes.index(index) if index in indexes else None

        blank = {
            "setting": {a: "" for a in SettingForm.base_fields} | {"type": "string"},
            "action": {"data": {a: "" for a in ActionForm.base_fields}, "fields": []},
            "preset": {a: "" for a in PresetForm.base_fields},
            "field": {a: "" for a in FieldForm.base_fields} | {"type": "string"},
        }
        kinds = {"setting": "settings", "action": "actions", "preset": "presets"}
        if verb in ("add-setting", "add-action", "add-preset"):
            thing = verb.removeprefix("add-")
            if len(self.rows[kinds[thing]]) < MAX_ROWS:
                self.rows[kinds[thing]].append(blank[thing])
        elif verb == "add-field":
            pos = position("actions", int(args))
            if pos is not None and len(self.rows["actions"][pos]["fields"]) < MAX_ROWS:
                self.rows["actions"][pos]["fields"].append(blank["field"])
        elif verb in ("remove-setting", "remove-action", "remove-preset"):
            kind = kinds[verb.removeprefix("remove-")]
            pos = position(kind, int(args))
            if pos is not None:
                del self.rows[kind][pos]
        elif verb == "remove-field":
            a, f = (int(x) for x in args.split(":"))
            pos = position("actions", a)
            if pos is not None:
                action = self.rows["actions"][pos]
                fields_raw = action.get("_raw", list(range(len(action["fields"]))))
                if f in fields_raw:
                    del action["fields"][fields_raw.index(f)]
        for action in self.rows["actions"]:
            action.pop("_raw", None)
        # A structural change isn't a save: show the values again without error messages.
        self.bound = False
        self._build()
        return True

    # --- reading ------------------------------------------------------------------------------

    def _all_forms(self):
        yield self.meta
        yield from self.settings
        for action in self.actions:
            yield action
            yield from action.field_forms
        yield from self.presets

    def is_valid(self) -> bool:
        if not self.bound or self.errors:
            return False
        self._drop_blank_rows()
        return all([form.is_valid() for form in self._all_forms()])  # every row checked

    def _drop_blank_rows(self) -> None:
        """Rows left empty (added but never filled in) are not part of the spec."""
        self.rows.pop("_raw", None)
        self.rows["settings"] = [r for r in self.rows["settings"] if not _blank(r)]
        self.rows["presets"] = [r for r in self.rows["presets"] if not _blank(r)]
        kept = []
        for action in self.rows["actions"]:
            action.pop("_raw", None)
            action["fields"] = [r for r in action["fields"] if not _blank(r)]
            if not _blank(action["data"]) or action["fields"]:
                kept.append(action)
        self.rows["actions"] = kept
        self._build()

    def definition(self, *, partial: bool = False) -> dict:
        """The posted spec as a definition (call after ``is_valid``). ``partial``: also when some
        rows have errors, each value that failed left empty, so the spec's own rules can judge
        the rest in the same answer (``add_spec_errors(..., beside_form_errors=True)``)."""

        def values(form) -> dict:
            if not partial:
                return form.cleaned_data
            empty = {
                name: False if isinstance(field, forms.BooleanField) else ""
                for name, field in form.fields.items()
            }
            return empty | getattr(form, "cleaned_data", {})

        meta = values(self.meta)
        definition = {
            "mode": meta["mode"],
            "authentication": {"scheme": meta["scheme"]},
            "description": meta["description"],
            "settings": [],
            "actions": [],
            "presets": [],
        }
        if self.with_identity:
            definition["name"] = meta["name"].strip()
            definition["slug"] = meta["slug"].strip()
        for form in self.settings:
            c = values(form)
            definition["settings"].append(
                {
                    "key": c["key"].strip(),
                    "label": c["label"],
                    "description": c["description"],
                    "type": c["type"],
                    "required": c["required"],
                    "default": _typed_setting_default(c["type"], c["default"]),
                    "choices": [x.strip() for x in c["choices"].split(",") if x.strip()],
                }
            )
        for form in self.actions:
            c = values(form)
            definition["actions"].append(
                {
                    "key": c["key"].strip(),
                    "title": c["title"],
                    "description": c["description"],
                    "defaultSubscription": c["defaultSubscription"],
                    "fields": [
                        {
                            "key": f["key"].strip(),
                            "label": f["label"],
                            "description": f["description"],
                            "type": f["type"],
                            "required": f["required"],
                            "default": _typed_field_default(f["type"], f["default"]),
                        }
                        for f in map(values, form.field_forms)
                    ],
                }
            )
        for form in self.presets:
            c = values(form)
            definition["presets"].append(
                {
                    "name": c["name"],
                    "partnerAction": c["partnerAction"].strip(),
                    "subscribe": c["subscribe"],
                }
            )
        return definition

    # --- errors from the spec validator, shown in place ---------------------------------------

    def check_spec(self, *, for_submit: bool) -> None:
        """After ``is_valid``: the spec's own rules on the posted rows, their errors shown beside
        the rows' own (every problem in one answer; a file or service refusal is separate)."""
        if self.too_many_rows:
            return
        _, errors = validate_definition(self.definition(partial=True), for_submit=for_submit)
        self.add_spec_errors(errors, beside_form_errors=True)

    def add_spec_errors(self, errors: list[SpecError], *, beside_form_errors: bool = False) -> None:
        """Show each error at its row and field. ``beside_form_errors``: the rows' own checks
        failed too; a field they already refused keeps their message only."""
        for error in errors:
            if not self.place(error, unless_refused=beside_form_errors):
                self.errors.append(str(error))

    def add_rule_problems(self, refused, *, form=None) -> None:
        """Show each broken change-request rule beside the field it names (call after
        ``is_valid``); ``form`` holds the pull-request and video links."""
        for result in refused:
            for problem in result.problems:
                message = f"{result.title}: {problem.message}"
                if form is not None and problem.field in ("pr_url", "video_url"):
                    form.add_error(problem.field, message)
                    continue
                if (
                    form is not None
                    and result.rule == "video_for_field_changes"
                    and "video_url" not in form.errors
                ):
                    form.add_error(
                        "video_url", "Add the video link: this change adds or amends a field."
                    )
                path = self._path_of(problem.field.split("."))
                if path is None or not self.place(SpecError(result.rule, message, path)):
                    self.errors.append(message)

    def _path_of(self, parts: list[str]) -> tuple | None:
        """``settings.region`` → ``("settings", 1, "key")``: the row holding that key."""
        if parts[0] in ("name", "slug", "mode"):
            return (parts[0],)
        if parts[0] == "settings" and len(parts) == 2:
            for i, form in enumerate(self.settings):
                if form.cleaned_data.get("key") == parts[1]:
                    return ("settings", i, "required")
            return None
        if parts[0] == "actions" and len(parts) >= 2:
            for i, form in enumerate(self.actions):
                if form.cleaned_data.get("key") != parts[1]:
                    continue
                if len(parts) == 4:
                    for j, field_form in enumerate(form.field_forms):
                        if field_form.cleaned_data.get("key") == parts[3]:
                            return ("actions", i, "fields", j, "required")
                    return None
                return ("actions", i, "key")
        return None

    def place(self, error: SpecError, *, unless_refused: bool = False) -> bool:
        """Attach ``error`` to the row and field its path names; False when there is none.
        ``unless_refused``: not to a field that has an error already."""
        path = list(error.path)
        target, field = None, None
        try:
            if path[:1] == ["mode"]:
                target, field = self.meta, "mode"
            elif path[:2] == ["authentication", "scheme"]:
                target, field = self.meta, "scheme"
            elif path[:1] in (["name"], ["slug"], ["description"]) and len(path) == 1:
                target, field = self.meta, path[0]
            elif path[:1] == ["settings"] and len(path) >= 2:
                target, field = self.settings[path[1]], path[2] if len(path) > 2 else None
            elif path[:1] == ["actions"] and len(path) >= 4 and path[2] == "fields":
                target = self.actions[path[1]].field_forms[path[3]]
                field = path[4] if len(path) > 4 else None
            elif path[:1] == ["actions"] and len(path) >= 2:
                target, field = self.actions[path[1]], path[2] if len(path) > 2 else None
            elif path[:1] == ["presets"] and len(path) >= 2:
                target, field = self.presets[path[1]], path[2] if len(path) > 2 else None
        except (IndexError, TypeError):
            return False
        if target is None:
            return False
        if not hasattr(target, "cleaned_data"):
            target.full_clean()
        field = field if field in target.fields else None
        if unless_refused and (field in target.errors or (field is None and target.errors)):
            return True
        target.add_error(field, error.message)
        return True

    @property
    def refusal_status(self) -> int:
        """The status of a page refusing this posted editor: 400 for more rows than the page can
        send, 422 for entered input that breaks a rule."""
        return BadRequest.status if self.too_many_rows else Invalid.status

    def has_errors(self) -> bool:
        return bool(self.errors) or any(form.errors for form in self._all_forms() if form.is_bound)

    # --- templates for JavaScript --------------------------------------------------------------

    @property
    def templates(self) -> dict:
        return {
            "setting": SettingForm(prefix="s-__S__", initial={"type": "string"}),
            "action": ActionForm(prefix="a-__A__"),
            "field": FieldForm(prefix="a-__A__-f-__F__", initial={"type": "string"}),
            "preset": PresetForm(prefix="p-__P__"),
        }


class SpecUploadForm(forms.Form):
    file = forms.FileField(
        label="Spec JSON file",
        help_text="A file exported from this page, or written to the spec's JSON Schema.",
    )


def _pull_request_link(value: str, repository: str) -> str:
    """The link checked as the service checks it, so a wrong one shows with the form's other
    problems (the service still checks, and stores the canonical form)."""
    parsed = parse_pull_request_url(value, repository)
    if not parsed.ok:
        raise forms.ValidationError(parsed.error.message)
    return value


class PullRequestForm(TextRulesForm):
    url = forms.CharField(
        label="Pull request link",
        max_length=500,
        widget=forms.URLInput(
            attrs={"placeholder": "https://github.com/segmentio/action-destinations/pull/1234"}
        ),
    )
    description = forms.CharField(
        label="Description",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the pull request changes and why.",
    )
    unit_tests_added = forms.BooleanField(
        label="I added unit tests for the new functionality", required=False
    )
    tested_end_to_end = forms.BooleanField(
        label="I tested it end-to-end with the local server (action tester)", required=False
    )

    def __init__(self, *args, repository: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        repository = self.repository = repository or settings.DESTINATIONS_REPOSITORY
        self.fields["url"].widget.attrs["placeholder"] = f"{repository}/pull/1234"
        self.fields["url"].help_text = f"A pull request on {repository}."

    def clean_url(self) -> str:
        return _pull_request_link(self.cleaned_data["url"], self.repository)


class PullRequestEditForm(TextRulesForm):
    description = PullRequestForm.base_fields["description"]
    unit_tests_added = PullRequestForm.base_fields["unit_tests_added"]
    tested_end_to_end = PullRequestForm.base_fields["tested_end_to_end"]


class DocsPullRequestForm(TextRulesForm):
    url = forms.CharField(label="Docs pull request link", max_length=500, widget=forms.URLInput())
    description = forms.CharField(
        label="Note", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["url"].widget.attrs["placeholder"] = f"{settings.DOCS_REPOSITORY}/pull/1234"
        self.fields["url"].help_text = f"A pull request on {settings.DOCS_REPOSITORY}."

    def clean_url(self) -> str:
        return _pull_request_link(self.cleaned_data["url"], settings.DOCS_REPOSITORY)


class PullRequestStateForm(TextRulesForm):
    state = forms.ChoiceField(label="State", choices=PullRequest.State.choices)
    merged_at = forms.DateTimeField(
        label="Merged at",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    note = forms.CharField(label="Note to the partner", max_length=2000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["merged_at"].help_text = (
            f"In {settings.PLATFORM_TIME_ZONE} time; leave empty for now, or to keep the merge "
            "time already recorded."
        )

    def clean_merged_at(self):
        value = self.cleaned_data.get("merged_at")
        if value is None:
            return None
        # Read the wall-clock time the reviewer typed in the platform's time zone.
        naive = value.replace(tzinfo=None) if isinstance(value, datetime) else value
        return naive.replace(tzinfo=ZoneInfo(settings.PLATFORM_TIME_ZONE))


class EmergencyDeployForm(TextRulesForm):
    reason = forms.CharField(
        label="Why it was deployed outside the Wednesday train",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why this pull request was deployed outside the train."},
    )


class ReviewForm(TextRulesForm):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("request_changes", "Request changes")]
    )
    comment = forms.CharField(
        label="Comment to the partner",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ChangeRequestReviewForm(TextRulesForm):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("refuse", "Refuse")])
    comment = ReviewForm.base_fields["comment"]


class ChangeRequestForm(TextRulesForm):
    pr_url = forms.CharField(label="Pull request link", max_length=500, widget=forms.URLInput())
    video_url = forms.CharField(
        label="Video link",
        max_length=500,
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://www.loom.com/share/…"}),
        help_text="Needed when you add or amend a field: a recording of you testing the change "
        "in the action tester.",
    )
    summary = forms.CharField(
        label="What changes and why",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    spec_file = forms.FileField(
        label="Or upload the new spec as JSON",
        required=False,
        help_text="When given, the file is used instead of the form below.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pr_url"].widget.attrs["placeholder"] = (
            f"{settings.DESTINATIONS_REPOSITORY}/pull/1234"
        )
        self.fields[
            "pr_url"
        ].help_text = (
            f"One pull request on {settings.DESTINATIONS_REPOSITORY}, for this integration only."
        )

    def clean_pr_url(self) -> str:
        return _pull_request_link(self.cleaned_data["pr_url"], settings.DESTINATIONS_REPOSITORY)
