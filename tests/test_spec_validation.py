"""Spec JSON: the schema in the project, sense checks, and hostile uploads refused clearly."""

import copy
import json

import pytest
from jsonschema import Draft202012Validator

from catalog.validation import spec as v
from tests.fixtures_spec import EXAMPLES, catalog_definition


def codes(errors) -> list[str]:
    return [e.code for e in errors]


def test_the_schema_in_the_project_is_a_valid_json_schema():
    Draft202012Validator.check_schema(v.schema())


@pytest.mark.parametrize("pair", sorted(EXAMPLES, key=str))
def test_definitions_shaped_like_real_destinations_are_accepted(pair):
    data = catalog_definition(EXAMPLES[pair])
    definition, errors = v.validate_definition(data, for_submit=True)
    assert errors == []
    assert definition["mode"] == pair[0]
    assert definition["authentication"]["scheme"] == (pair[1] or "none")


def test_export_then_upload_gives_back_the_same_definition():
    definition, _ = v.validate_definition(catalog_definition(EXAMPLES[("cloud", "custom")]))
    again, errors = v.load_definition(v.dumps(definition).encode())
    assert errors == []
    assert again == definition


def test_minimal_upload_is_filled_to_the_full_shape():
    definition, errors = v.load_definition(
        b'{"mode": "cloud", "authentication": {"scheme": "none"}}'
    )
    assert errors == []
    assert definition["settings"] == definition["actions"] == definition["presets"] == []


@pytest.mark.parametrize("mode", ["mobile", "device-mobile", "iOS", "android"])
def test_device_mode_mobile_is_refused_pointing_to_plugins(mode):
    _, errors = v.validate_definition({"mode": mode, "authentication": {"scheme": "none"}})
    assert codes(errors) == ["mobile_refused"]
    assert "plugin" in errors[0].message
    assert errors[0].where == "mode"


def test_submit_needs_at_least_one_action_but_a_draft_does_not():
    data = {"mode": "cloud", "authentication": {"scheme": "custom"}}
    assert v.validate_definition(data)[1] == []
    _, errors = v.validate_definition(data, for_submit=True)
    assert codes(errors) == ["incomplete"] and errors[0].where == "actions"


@pytest.mark.parametrize(
    ("change", "code", "where"),
    [
        (lambda d: d.update(mode="server"), "schema_enum", "mode"),
        (
            lambda d: d["authentication"].update(scheme="apikey"),
            "schema_enum",
            "authentication.scheme",
        ),
        (lambda d: d["settings"][0].update(type="secret"), "schema_enum", "settings.0.type"),
        (lambda d: d["settings"][0].update(key="api key"), "schema_pattern", "settings.0.key"),
        (lambda d: d["settings"][0].pop("label"), "schema_required", "settings.0"),
        (lambda d: d["settings"][0].update(required="yes"), "schema_type", "settings.0.required"),
        (lambda d: d["actions"][0].update(title="x" * 121), "schema_maxLength", "actions.0.title"),
        (
            lambda d: d["actions"][0]["fields"][0].update(type="date"),
            "schema_enum",
            "actions.0.fields.0.type",
        ),
        (lambda d: d.update(extra=1), "schema_additionalProperties", ""),
        (lambda d: d.update(actions={"a": 1}), "schema_type", "actions"),
        (lambda d: d.update(settings=[d["settings"][0]] * 51), "schema_maxItems", "settings"),
        (lambda d: d["settings"][1].update(default=3), "default_type", "settings.1.default"),
        (
            lambda d: d["settings"][1].update(default="ap"),
            "default_not_a_choice",
            "settings.1.default",
        ),
        (
            lambda d: d["settings"][0].update(default="hunter2"),
            "default_type",
            "settings.0.default",
        ),
        (
            lambda d: d["settings"].append({**d["settings"][0], "key": "APIKEY"}),
            "duplicate",
            "settings.2.key",
        ),
        (
            lambda d: d["actions"][0]["fields"].append(dict(d["actions"][0]["fields"][0])),
            "duplicate",
            "actions.0.fields.4.key",
        ),
        (
            lambda d: d["actions"][0]["fields"][1].update(default="$.properties..email"),
            "mapping",
            "actions.0.fields.1.default",
        ),
        (
            lambda d: d["actions"][0]["fields"][3].update(default="{}"),
            "default_type",
            "actions.0.fields.3.default",
        ),
        (
            lambda d: d["actions"][0].update(defaultSubscription="track"),
            "subscription",
            "actions.0.defaultSubscription",
        ),
        (
            lambda d: d["presets"][0].update(partnerAction="nope"),
            "unknown_action",
            "presets.0.partnerAction",
        ),
    ],
)
def test_each_broken_part_is_refused_with_its_place(change, code, where):
    data = catalog_definition(EXAMPLES[("cloud", "custom")])
    change(data)
    definition, errors = v.validate_definition(data)
    assert definition is None
    assert code in codes(errors)
    error = next(e for e in errors if e.code == code)
    assert error.where == where
    assert error.message


def test_errors_name_the_place_in_words():
    data = catalog_definition(EXAMPLES[("cloud", "custom")])
    data["actions"][1]["fields"][0]["type"] = "date"
    _, errors = v.validate_definition(data)
    assert str(errors[0]).startswith(
        "action 2 (trackGoal) › field 1 (userId) › type: Must be one of"
    )


@pytest.mark.parametrize(
    "text",
    [
        'type = "track"',
        'type = "identify" or type = "page"',
        'type = "track" and event = "Order Completed"',
        'type = "track" and event != "Test"',
        '(type = "track" or type = "page") and properties.email exists',
        'event = "Audience Entered"',
    ],
)
def test_real_subscriptions_are_accepted(text):
    assert v.subscription_error(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "track",
        'type == "track"',
        "type = track",
        'type = "track" and',
        '((((((type = "a"))))))',
        "hack()",
    ],
)
def test_unreadable_subscriptions_are_refused(text):
    assert "can't be read" in v.subscription_error(text)


# --- Hostile uploads ---------------------------------------------------------------------------


def test_too_large_upload_is_refused_before_parsing():
    _, errors = v.load_definition(b" " * (v.MAX_BYTES + 1))
    assert codes(errors) == ["too_large"]


def test_deeply_nested_upload_is_refused():
    _, errors = v.load_definition(b"[" * 100_000 + b"]" * 100_000)
    assert codes(errors) == ["too_deep"]
    _, errors = v.load_definition(b'{"a":' * 20 + b"1" + b"}" * 20)
    assert codes(errors) == ["too_deep"]


def test_brackets_inside_strings_do_not_count_as_nesting():
    data = catalog_definition(EXAMPLES[("cloud", "custom")])
    data["description"] = '[[[[[[[[[[[[[[[[{{{{{{{{{{{{ \\" [[[['
    _, errors = v.load_definition(json.dumps(data).encode())
    assert errors == []


def test_duplicate_keys_are_refused_naming_the_key():
    _, errors = v.load_definition(b'{"mode": "cloud", "mode": "device", "authentication": {}}')
    assert codes(errors) == ["duplicate_key"]
    assert "“mode”" in errors[0].message


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"\xff\xfe{\x00}\x00", "not_utf8"),
        (b'{"mode": "cl\xe9ud"}', "not_utf8"),
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"{'mode': 'cloud'}", "not_json"),
        (b'{"mode": "cloud",}', "not_json"),
        (b'{"mode": NaN}', "not_json"),
        (b'{"mode": Infinity}', "not_json"),
        (b'{"mode": 1e400}', "number_too_large"),
        (b'{"mode": 1' + b"0" * 5000 + b"}", "number_too_large"),
        (b"[]", "not_object"),
        (b'"cloud"', "not_object"),
        (b"null", "not_object"),
    ],
)
def test_malformed_uploads_are_refused_with_a_clear_code(raw, code):
    definition, errors = v.load_definition(raw)
    assert definition is None
    assert codes(errors) == [code]
    assert errors[0].message


def test_a_utf8_byte_order_mark_is_tolerated():
    raw = (
        b"\xef\xbb\xbf"
        + json.dumps({"mode": "cloud", "authentication": {"scheme": "none"}}).encode()
    )
    assert v.load_definition(raw)[1] == []


def test_wrong_types_everywhere_give_many_errors_but_a_bounded_number():
    data = {"mode": 1, "authentication": [], "settings": [{"key": 1}] * 50, "actions": "x"}
    _, errors = v.validate_definition(data)
    assert 3 < len(errors) <= v.MAX_ERRORS


def test_unicode_text_survives_the_round_trip():
    data = catalog_definition(EXAMPLES[("cloud", "custom")])
    data["actions"][0]["description"] = "Envoie l’événement — 送信"
    definition, errors = v.load_definition(json.dumps(data, ensure_ascii=False).encode())
    assert errors == []
    assert definition["actions"][0]["description"] == "Envoie l’événement — 送信"


def test_validation_never_changes_its_input():
    data = catalog_definition(EXAMPLES[("cloud", "custom")])
    before = copy.deepcopy(data)
    v.validate_definition(data)
    assert data == before
