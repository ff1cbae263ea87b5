"""The spec (a destination definition as JSON): parsing hostile input, schema and sense checks.

Pure functions: bytes or Python data in, a normalised definition and structured errors out. The
JSON Schema lives in ``catalog/schemas/destination_spec.schema.json``; what a schema cannot say
(keys unique, defaults of the right type, a preset naming an action that exists, mapping and
subscription syntax) is checked here. Every error carries a code, a message for a busy partner and
the path of the value it is about (``actions.0.fields.2.type``), so a form can show it in place.
"""

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from catalog.validation.characters import scrub, unsafe_in_text

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "destination_spec.schema.json"
MAX_BYTES = 256 * 1024
MAX_DEPTH = 10
MAX_ERRORS = 50
MAX_INT_DIGITS = 15
# Per action the schema allows 50 fields; in all, fewer: the editor page builds a form per row,
# and 2,500 rows made it take half a minute (real destinations have a few hundred at most).
MAX_TOTAL_FIELDS = 300
MAX_LIST_ITEMS = 50  # the schema's largest maxItems

MODES = ("cloud", "device")
SCHEMES = ("none", "basic", "custom", "oauth2", "oauth-managed")
SETTING_TYPES = ("string", "password", "number", "boolean")
FIELD_TYPES = ("string", "text", "number", "integer", "datetime", "boolean", "password", "object")
MOBILE_MODES = {"mobile", "device-mobile", "device_mobile", "ios", "android", "react-native"}
MOBILE_REFUSAL = (
    "Device-mode mobile destinations can't be built by partners. Build a cloud-mode "
    "destination, and a mobile plugin if you need data from the device (such as a session ID)."
)

MAPPING = re.compile(
    r"^\$(?:\.[A-Za-z_$][\w$-]*|\[\d{1,6}\]|\['[^'\]\\]{1,100}'\]|\[\"[^\"\]\\]{1,100}\"\])+$"
)


@dataclass(frozen=True)
class SpecError:
    code: str
    message: str
    path: tuple = ()
    place: str = ""  # the path in words ("action 1 (trackEvent) › field 2 (email) › type")

    @property
    def where(self) -> str:
        return ".".join(str(p) for p in self.path)

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "message": self.message,
            "where": self.where,
            "place": self.place,
        }

    def __str__(self) -> str:
        return f"{self.place}: {self.message}" if self.place else self.message


class _Refused(Exception):
    def __init__(self, error: SpecError):
        self.error = error


# --- Parsing -----------------------------------------------------------------------------------


def _depth(text: str) -> int:
    """Deepest nesting of arrays and objects, ignoring brackets inside strings."""
    without_strings = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)
    depth = deepest = 0
    for match in re.finditer(r"[\[\]{}]", without_strings):
        depth += 1 if match.group() in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _Refused(
                SpecError(
                    "duplicate_key",
                    f"The key “{scrub(key[:60])}” appears twice in the same object. Keep one.",
                )
            )
        seen[key] = value
    return seen


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _Refused(SpecError("number_too_large", f"The number {text[:20]}… is too large."))
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(SpecError("number_too_large", f"The number {text[:20]} is too large."))
    return value


def _parse_constant(name: str):
    raise _Refused(
        SpecError("not_json", f"{name} isn't allowed in JSON. Use a number or null instead.")
    )


def parse_json(raw: bytes | str) -> tuple[Any, list[SpecError]]:
    """Bytes (an upload) to Python data, refusing what is too big, too deep or ambiguous."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", errors="surrogatepass")
    if len(raw) > MAX_BYTES:
        return None, [
            SpecError(
                "too_large",
                f"The file is {len(raw):,} bytes; a spec can be at most {MAX_BYTES // 1024} KB "
                f"({MAX_BYTES:,} bytes). Remove what customers can do without.",
            )
        ]
    if not raw.strip():
        return None, [SpecError("empty", "The file is empty. Upload the JSON of a spec.")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [
            SpecError(
                "not_utf8",
                f"The file isn't UTF-8 text (bad byte at position {exc.start}). "
                "Save it as UTF-8 JSON and upload it again.",
            )
        ]
    text = text.removeprefix("\ufeff")
    if _depth(text) > MAX_DEPTH:
        return None, [
            SpecError(
                "too_deep",
                f"The JSON is nested more than {MAX_DEPTH} levels deep; a spec never needs that.",
            )
        ]
    try:
        data = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_parse_constant,
        )
    except _Refused as exc:
        return None, [exc.error]
    except json.JSONDecodeError as exc:
        return None, [
            SpecError(
                "not_json",
                f"This isn't valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).",
            )
        ]
    except (ValueError, RecursionError):
        return None, [SpecError("not_json", "This isn't valid JSON.")]
    return data, []


# --- Paths in words ------------------------------------------------------------------------------

_NAMES = {"settings": "setting", "actions": "action", "fields": "field", "presets": "preset"}


def describe_path(path: Iterable, data: Any = None) -> str:
    """``("actions", 0, "fields", 1, "type")`` → ``action 1 (trackEvent) › field 2 › type``."""
    words: list[str] = []
    node = data
    items = list(path)
    i = 0
    while i < len(items):
        part = items[i]
        nxt = items[i + 1] if i + 1 < len(items) else None
        if part in _NAMES and isinstance(nxt, int):
            child = None
            if isinstance(node, dict) and isinstance(node.get(part), list):
                seq = node[part]
                child = seq[nxt] if 0 <= nxt < len(seq) else None
            label = f"{_NAMES[part]} {nxt + 1}"
            name = child.get("key") or child.get("name") if isinstance(child, dict) else None
            if isinstance(name, str) and name and not unsafe_in_text(name):
                label += f" ({name[:40]})"
            words.append(label)
            node = child
            i += 2
            continue
        words.append(str(part))
        node = node.get(part) if isinstance(node, dict) else None
        i += 1
    return " › ".join(words) if words else "the spec"


# --- Characters and numbers no stored spec may hold -------------------------------------------


def _unsafe_values(data: Any) -> list[SpecError]:
    """Strings PostgreSQL can't store (NUL, lone surrogates) or that read differently from what
    they say (control characters, bidi overrides), in keys or values; integers longer than an
    upload accepts. Checked first, so no later message quotes such text."""
    errors: list[SpecError] = []
    stack: list[tuple[tuple, Any]] = [((), data)]
    while stack and len(errors) < MAX_ERRORS:
        path, node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                problem = unsafe_in_text(key) if isinstance(key, str) else None
                if problem:
                    errors.append(
                        SpecError(
                            "unsafe_character",
                            f"A key contains {problem}, a character a spec can't hold. Remove it.",
                            path,
                        )
                    )
                    continue
                stack.append(((*path, key), value))
        elif isinstance(node, list):
            if len(node) > MAX_LIST_ITEMS:
                # Refused here: the schema validator judged each of 100,000 items (14 s).
                errors.append(
                    SpecError(
                        "schema_maxItems",
                        f"Too many: at most {MAX_LIST_ITEMS} (this list has {len(node)}).",
                        path,
                    )
                )
                continue
            stack.extend(((*path, n), value) for n, value in reversed(list(enumerate(node))))
        elif isinstance(node, str):
            problem = unsafe_in_text(node)
            if problem:
                errors.append(
                    SpecError(
                        "unsafe_character",
                        f"The text contains {problem}, a character that hides or breaks text. "
                        "Remove it.",
                        path,
                    )
                )
        elif isinstance(node, int) and not isinstance(node, bool):
            if abs(node) >= 10**MAX_INT_DIGITS:
                errors.append(
                    SpecError(
                        "number_too_large",
                        f"The number is too large: at most {MAX_INT_DIGITS} digits.",
                        path,
                    )
                )
    return sorted(errors, key=lambda e: list(map(str, e.path)))


def _scrubbed(data: Any) -> Any:
    """``data`` with every unsafe character in keys and text made U+FFFD and every over-long
    integer 0: what the later checks read once ``_unsafe_values`` has reported them."""
    if isinstance(data, dict):
        return {(scrub(k) if isinstance(k, str) else k): _scrubbed(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_scrubbed(v) for v in data]
    if isinstance(data, str):
        return scrub(data)
    if isinstance(data, int) and not isinstance(data, bool) and abs(data) >= 10**MAX_INT_DIGITS:
        return 0
    return data


# --- Schema ----------------------------------------------------------------------------------


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _validator() -> Draft202012Validator:
    Draft202012Validator.check_schema(schema())
    return Draft202012Validator(schema())


_TYPE_WORDS = {
    "string": "text",
    "array": "a list",
    "object": "an object",
    "boolean": "true or false",
    "number": "a number",
    "integer": "a whole number",
    "null": "null",
}


def _schema_message(error) -> str:
    v = error.validator
    if v == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        return f"Add “{missing[0] if missing else '?'}”: it is required."
    if v == "additionalProperties":
        extra = re.findall(r"'([^']+)'", error.message)
        return (
            f"Unknown key{'s' if len(extra) > 1 else ''} "
            + ", ".join(f"“{scrub(e[:40])}”" for e in extra[:5])
            + ". Remove it or check its spelling."
        )
    if v == "enum":
        return "Must be one of: " + ", ".join(str(x) for x in error.validator_value) + "."
    if v == "type":
        wanted = error.validator_value
        wanted = [wanted] if isinstance(wanted, str) else wanted
        return "Must be " + " or ".join(_TYPE_WORDS.get(w, w) for w in wanted) + "."
    if v == "maxLength":
        return f"Too long: at most {error.validator_value} characters."
    if v == "minLength":
        return "Can't be empty."
    if v == "maxItems":
        return f"Too many: at most {error.validator_value}."
    if v == "uniqueItems":
        return "Has the same value twice."
    if v == "pattern" and error.absolute_path and error.absolute_path[-1] == "slug":
        return "A slug uses lowercase letters, digits and single hyphens (like acme-events)."
    if v == "pattern":
        return (
            "A key starts with a letter and uses only letters, digits and underscores "
            "(like apiKey or track_event)."
        )
    return "Invalid value."


def _schema_errors(data: Any) -> list[SpecError]:
    errors = []
    for error in sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.path))):
        errors.append(
            SpecError(f"schema_{error.validator}", _schema_message(error), tuple(error.path))
        )
        if len(errors) >= MAX_ERRORS:
            break
    return errors


# --- Subscriptions (a small subset of the platform's filter language) -------------------------

_TOKEN = re.compile(
    r'\s*(?:(?P<string>"[^"\\]*")|(?P<number>-?\d+(?:\.\d+)?)|(?P<op>!=|=)'
    r"|(?P<paren>[()])|(?P<word>[A-Za-z_][\w.$-]*))"
)
_FIELD_ROOTS = ("type", "event", "name", "userId", "anonymousId", "properties", "traits", "context")


def _tokens(text: str) -> list[tuple[str, str]] | None:
    tokens, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            if text[pos:].strip() == "":
                break
            return None
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


def subscription_error(text: str) -> str | None:
    """None when ``text`` reads like ``type = "track" and event = "Order Completed"``."""
    tokens = _tokens(text)
    hint = 'Write it like type = "track" or type = "track" and event = "Order Completed".'
    if not tokens:
        return f"This subscription can't be read. {hint}"
    pos = 0
    depth = 0

    def peek():
        return tokens[pos] if pos < len(tokens) else (None, None)

    def term() -> bool:
        nonlocal pos, depth
        kind, value = peek()
        if kind == "word" and value == "not":
            pos += 1
            kind, value = peek()
        if kind == "paren" and value == "(":
            depth += 1
            if depth > 5:
                return False
            pos += 1
            if not expr():
                return False
            kind, value = peek()
            if (kind, value) != ("paren", ")"):
                return False
            pos += 1
            depth -= 1
            return True
        if kind != "word" or value.split(".")[0] not in _FIELD_ROOTS:
            return False
        pos += 1
        kind, value = peek()
        if kind == "word" and value == "exists":
            pos += 1
            return True
        if kind != "op":
            return False
        pos += 1
        kind, value = peek()
        if kind in ("string", "number") or (kind == "word" and value in ("true", "false", "null")):
            pos += 1
            return True
        return False

    def expr() -> bool:
        nonlocal pos
        if not term():
            return False
        while peek()[0] == "word" and peek()[1] in ("and", "or"):
            pos += 1
            if not term():
                return False
        return True

    if not expr() or pos != len(tokens):
        return f"This subscription can't be read. {hint}"
    return None


# --- Sense checks ------------------------------------------------------------------------------


def _duplicates(items: list[dict], attr: str, path: tuple, what: str) -> list[SpecError]:
    errors, seen = [], {}
    for n, item in enumerate(items):
        value = item.get(attr)
        if not isinstance(value, str):
            continue
        folded = value.casefold()
        if folded in seen:
            errors.append(
                SpecError(
                    "duplicate",
                    f"{what} “{value}” is used twice (also {what.lower()} {seen[folded] + 1}). "
                    "Each must be different.",
                    (*path, n, attr),
                )
            )
        else:
            seen[folded] = n
    return errors


def _setting_errors(n: int, setting: dict) -> list[SpecError]:
    errors = []
    path = ("settings", n)
    kind, default, choices = setting["type"], setting.get("default"), setting.get("choices") or []
    if default is not None and default != "":
        ok = {
            "string": isinstance(default, str),
            "password": False,
            "number": isinstance(default, int | float) and not isinstance(default, bool),
            "boolean": isinstance(default, bool),
        }[kind]
        if not ok:
            message = (
                "A password setting can't have a default: customers enter their own secret."
                if kind == "password"
                else f"The default must be {_TYPE_WORDS.get(kind, kind)} for a {kind} setting."
            )
            errors.append(SpecError("default_type", message, (*path, "default")))
        elif choices and kind == "string" and default not in choices:
            errors.append(
                SpecError(
                    "default_not_a_choice",
                    "The default must be one of the choices.",
                    (*path, "default"),
                )
            )
    if choices and kind != "string":
        errors.append(
            SpecError(
                "choices_type",
                "Only string settings can offer choices.",
                (*path, "choices"),
            )
        )
    return errors


def _field_errors(a: int, f: int, field: dict) -> list[SpecError]:
    path = ("actions", a, "fields", f, "default")
    default = field.get("default")
    if default is None or default == "":
        return []
    if isinstance(default, str) and default.startswith("$"):
        if not MAPPING.match(default):
            return [
                SpecError(
                    "mapping",
                    f"“{default[:60]}” isn't a valid mapping. Write a path into the event, "
                    "like $.properties.email or $.context.traits.email.",
                    path,
                )
            ]
        return []
    kind = field["type"]
    ok = {
        "number": isinstance(default, int | float) and not isinstance(default, bool),
        "integer": isinstance(default, int) and not isinstance(default, bool),
        "boolean": isinstance(default, bool),
        "object": False,
    }.get(kind, isinstance(default, str))
    if ok and kind == "password":
        ok = False
    if not ok:
        return [
            SpecError(
                "default_type",
                f"The default of a {kind} field must be a mapping (like $.properties.email)"
                + ("" if kind in ("object", "password") else f" or {_TYPE_WORDS.get(kind, kind)}")
                + ".",
                path,
            )
        ]
    return []


def _sense_errors(d: dict, *, for_submit: bool) -> list[SpecError]:
    errors: list[SpecError] = []
    errors += _duplicates(d["settings"], "key", ("settings",), "Setting key")
    errors += _duplicates(d["actions"], "key", ("actions",), "Action key")
    errors += _duplicates(d["actions"], "title", ("actions",), "Action title")
    errors += _duplicates(d["presets"], "name", ("presets",), "Preset name")
    for n, setting in enumerate(d["settings"]):
        errors += _setting_errors(n, setting)
    action_keys = {a["key"] for a in d["actions"]}
    for a, action in enumerate(d["actions"]):
        errors += _duplicates(action["fields"], "key", ("actions", a, "fields"), "Field key")
        if action["defaultSubscription"]:
            problem = subscription_error(action["defaultSubscription"])
            if problem:
                errors.append(
                    SpecError("subscription", problem, ("actions", a, "defaultSubscription"))
                )
        for f, field in enumerate(action["fields"]):
            errors += _field_errors(a, f, field)
        if for_submit and not action["description"]:
            errors.append(
                SpecError(
                    "incomplete",
                    "Describe what this action does before submitting.",
                    ("actions", a, "description"),
                )
            )
    for p, preset in enumerate(d["presets"]):
        if preset["partnerAction"] not in action_keys:
            errors.append(
                SpecError(
                    "unknown_action",
                    f"No action has the key “{preset['partnerAction']}”. "
                    "A preset must name one of the spec's actions.",
                    ("presets", p, "partnerAction"),
                )
            )
        problem = subscription_error(preset["subscribe"])
        if problem:
            errors.append(SpecError("subscription", problem, ("presets", p, "subscribe")))
    total_fields = sum(len(action["fields"]) for action in d["actions"])
    if total_fields > MAX_TOTAL_FIELDS:
        errors.append(
            SpecError(
                "too_many_fields",
                f"The actions have {total_fields} fields in all; a spec can have at most "
                f"{MAX_TOTAL_FIELDS}. Remove the fields customers can do without, or email "
                "partner-support@segment.com if your destination needs more.",
                ("actions",),
            )
        )
    if for_submit and not d["actions"]:
        errors.append(
            SpecError(
                "incomplete",
                "Add at least one action (what your destination does with an event) "
                "before submitting.",
                ("actions",),
            )
        )
    return errors


# --- The sense rules of a spec the schema refuses -----------------------------------------------
# So a partner sees every problem in one save, the rules also judge the parts the schema accepts:
# in a copy, each broken value is replaced by a neutral one (an unused key, no description), the
# copy must pass the schema, and what the rules then say about a repaired row is dropped (that row
# has its error already; about it the rules could only guess). Rows keep their places, so every
# path and "(also action 3)" still names the partner's own row.

_LISTS = ("settings", "actions", "presets")
_KINDS = {"settings": "setting", "actions": "action", "presets": "preset"}
_WHOLE = None  # a row the schema refuses as a whole (not an object, unknown or missing keys)
# The values a rule about a row's value reads (a default is judged by the row's type and choices).
_READS = {attr: {"type", "default", "choices"} for attr in ("type", "default", "choices")}


def _row_of(path: tuple) -> tuple:
    """The row ``path`` lies in (``("actions", 1, "fields", 0)`` for a field's type,
    ``("actions", 1)`` for an action's title), or its top-level key outside the lists."""
    if len(path) >= 4 and path[0] == "actions" and path[2] == "fields":
        if isinstance(path[1], int) and isinstance(path[3], int):
            return path[:4]
    if len(path) >= 2 and path[0] in _LISTS and isinstance(path[1], int):
        return path[:2]
    return path[:1]


class _Repair:
    def __init__(self, errors: list[SpecError]):
        self.broken: dict[tuple, set] = {}
        for error in errors:
            row = _row_of(error.path)
            attr = error.path[len(row)] if len(error.path) > len(row) else _WHOLE
            self.broken.setdefault(row, set()).add(attr)
        self.lost_action_keys: set[str] = set()
        self._n = 0

    def _unused(self) -> str:
        self._n += 1
        return f"repaired_{self._n}_{id(self):x}"

    def _neutral(self, attr: str) -> Any:
        if attr in ("key", "title", "name", "partnerAction"):
            return self._unused()
        return {"label": "x", "type": "string", "subscribe": 'type = "track"'}[attr]

    def row(self, kind: str, path: tuple, item: Any) -> dict:
        broken = self.broken.get(path, set())
        rules = schema()["$defs"][kind]
        item = item if isinstance(item, dict) else {}
        out = {}
        for attr in rules["properties"]:
            if attr in item and attr not in broken:
                out[attr] = item[attr]
            elif attr in rules["required"]:
                out[attr] = self._neutral(attr)
        if kind == "action":
            if "key" in broken and isinstance(item.get("key"), str):
                self.lost_action_keys.add(item["key"])
            if isinstance(out.get("fields"), list):
                out["fields"] = [
                    self.row("field", (*path, "fields", n), field)
                    for n, field in enumerate(out["fields"])
                ]
        return out

    def spec(self, data: dict) -> dict:
        out = {}
        for attr in schema()["properties"]:
            if attr in data and (attr,) not in self.broken:
                value = data[attr]
                if attr in _LISTS:
                    value = [
                        self.row(_KINDS[attr], (attr, n), item) for n, item in enumerate(value)
                    ]
                out[attr] = value
        out.setdefault("mode", "cloud")
        out.setdefault("authentication", {"scheme": "none"})
        return out

    def judged(self, error: SpecError, spec: dict) -> bool:
        """Whether a rule's ``error`` reads sound values only."""
        row = _row_of(error.path)
        if row in self.broken:
            attr = error.path[len(row)] if len(error.path) > len(row) else _WHOLE
            if self.broken[row] & (_READS.get(attr, {attr}) | {_WHOLE}):
                return False
        if error.code == "unknown_action":
            return spec["presets"][error.path[1]]["partnerAction"] not in self.lost_action_keys
        return True


def _sense_errors_of_sound_parts(
    data: dict, errors: list[SpecError], *, for_submit: bool
) -> list[SpecError]:
    repair = _Repair(errors)
    spec = repair.spec(data)
    if _schema_errors(spec):  # a repair this code does not know: judge nothing rather than guess
        return []
    spec = normalize(spec)
    return [e for e in _sense_errors(spec, for_submit=for_submit) if repair.judged(e, spec)]


# --- Normalising -------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _default(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def normalize(data: dict) -> dict:
    """Fill optional keys so every stored definition has the same shape. Assumes a valid schema."""
    return {
        "name": _text(data.get("name")),
        "slug": _text(data.get("slug")),
        "description": _text(data.get("description")),
        "mode": data["mode"],
        "authentication": {"scheme": data["authentication"]["scheme"]},
        "settings": [
            {
                "key": s["key"],
                "label": _text(s["label"]),
                "description": _text(s.get("description")),
                "type": s["type"],
                "required": bool(s.get("required", False)),
                "default": _default(s.get("default")),
                "choices": [c.strip() for c in s.get("choices") or []],
            }
            for s in data.get("settings") or []
        ],
        "actions": [
            {
                "key": a["key"],
                "title": _text(a["title"]),
                "description": _text(a.get("description")),
                "defaultSubscription": _text(a.get("defaultSubscription")),
                "fields": [
                    {
                        "key": f["key"],
                        "label": _text(f["label"]),
                        "description": _text(f.get("description")),
                        "type": f["type"],
                        "required": bool(f.get("required", False)),
                        "default": _default(f.get("default")),
                    }
                    for f in a.get("fields") or []
                ],
            }
            for a in data.get("actions") or []
        ],
        "presets": [
            {
                "name": _text(p["name"]),
                "partnerAction": p["partnerAction"],
                "subscribe": _text(p["subscribe"]),
            }
            for p in data.get("presets") or []
        ],
    }


def empty_definition(*, name: str = "", slug: str = "", mode: str = "cloud") -> dict:
    return normalize(
        {"name": name, "slug": slug, "mode": mode, "authentication": {"scheme": "custom"}}
    )


def _placed(errors: list[SpecError], data: Any) -> list[SpecError]:
    return [replace(e, place=describe_path(e.path, data)) if e.path else e for e in errors]


def validate_definition(
    data: Any, *, for_submit: bool = False
) -> tuple[dict | None, list[SpecError]]:
    """Check Python data against the schema and the sense rules; return it normalised, or every
    problem at once: unsafe characters, schema errors and the sense rules of the parts the schema
    accepts (``_sense_errors_of_sound_parts``)."""
    if not isinstance(data, dict):
        return None, [SpecError("not_object", "A spec is a JSON object ({…}) at the top level.")]
    mode = data.get("mode")
    if isinstance(mode, str) and mode.strip().lower() in MOBILE_MODES:
        return None, _placed([SpecError("mobile_refused", MOBILE_REFUSAL, ("mode",))], data)
    unsafe = _unsafe_values(data)
    if unsafe:
        # From here on the text is scrubbed, so no later message quotes what was refused.
        data = _scrubbed(data)
    if any(e.code == "schema_maxItems" for e in unsafe):
        # A list too long to judge item by item (the schema took 14 s on 100,000 items).
        return None, _placed(unsafe, data)
    said = {e.path for e in unsafe}
    errors = unsafe + [e for e in _schema_errors(data) if e.path not in said]
    if not errors:
        definition = normalize(data)
        errors = _sense_errors(definition, for_submit=for_submit)
        if not errors:
            return definition, []
        return None, _placed(errors[:MAX_ERRORS], definition)
    said |= {e.path for e in errors}
    sense = [
        e
        for e in _sense_errors_of_sound_parts(data, errors, for_submit=for_submit)
        if e.path not in said
    ]
    errors = sorted(errors + sense, key=lambda e: list(map(str, e.path)))
    return None, _placed(errors[:MAX_ERRORS], data)


def load_definition(
    raw: bytes | str, *, for_submit: bool = False
) -> tuple[dict | None, list[SpecError]]:
    """An uploaded file to a normalised definition, or the reasons it was refused."""
    data, errors = parse_json(raw)
    if errors:
        return None, errors
    return validate_definition(data, for_submit=for_submit)


def dumps(definition: dict) -> str:
    """The export: the stored definition, pretty, with the schema it follows."""
    return (
        json.dumps(
            {"$schema": schema()["$id"], **definition},
            indent=2,
            ensure_ascii=False,
            sort_keys=False,
        )
        + "\n"
    )
