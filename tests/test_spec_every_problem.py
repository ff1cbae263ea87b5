"""The spec editor, a spec file and a change request report every problem in one answer: the
rows' own checks, unsafe characters, the schema and the spec's sense rules together, each beside
its field, and nothing is saved (issue 11: "the spec editor reports one problem per save")."""

import json
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import ChangeRequest, SpecRevision, Stage
from catalog.validation.spec import validate_definition
from tests.fixtures_spec import acme_definition, make_live
from tests.test_spec_views import change_post, editor_post, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def spec_stage(integration):
    integration.stage = Stage.SPEC
    integration.save(update_fields=["stage"])
    return integration


RLO = "\u202e"


def every_kind_of_problem() -> dict:
    return editor_post(
        op="save",
        # the row's own check: a setting with a label but no key
        **{"s-0-key": ""},
        # the schema: a field key starting with a digit
        **{"a-0-f-0-key": "1email"},
        # a sense rule: a second action with the first one's key
        **{"a-1-key": "trackEvent", "a-1-title": "Track Again", "a-1-description": "Again."},
        # a sense rule: a preset subscription that can't be read
        **{"p-0-subscribe": "type =="},
        # unsafe text: a right-to-left override in the action's description
        **{"a-0-description": f"Sends a {RLO}track call."},
    )


def test_the_editor_shows_the_rows_checks_the_schema_the_rules_and_unsafe_text_at_once(
    partner_client, spec_stage
):
    response = partner_client.post(url(spec_stage, "spec/"), every_kind_of_problem())
    assert response.status_code == 422
    html = response.content.decode()
    assert "Give the setting a key" in html
    assert "A key starts with a letter" in html
    assert "Action key “trackEvent” is used twice" in html
    assert "This subscription can&#x27;t be read" in html
    assert "RIGHT-TO-LEFT OVERRIDE" in html
    # the input is kept, and the refused character is never written back into a message
    assert 'name="a-1-title" value="Track Again"' in html
    assert html.count(RLO) <= 1  # only in the kept input of the description
    assert SpecRevision.objects.count() == 0


def test_a_change_request_shows_its_link_problem_and_the_specs_rules_together(
    partner_client, integration
):
    make_live(integration)
    data = change_post(
        integration,
        pr_url="not a link",
        **{"a-1-key": "trackEvent", "a-1-title": "Again", "a-1-description": "Again."},
    )
    response = partner_client.post(url(integration, "changes/"), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_pr_url_errors"' in html
    assert "Action key “trackEvent” is used twice" in html
    assert ChangeRequest.objects.count() == 0


def test_a_field_the_rows_checks_refuse_keeps_their_message_only(partner_client, spec_stage):
    # an empty key is the row's own error; the schema would say "Can't be empty" as well
    response = partner_client.post(url(spec_stage, "spec/"), editor_post(**{"a-0-key": ""}))
    assert response.status_code == 422
    html = response.content.decode()
    assert "Give the action a key" in html
    assert "Can&#x27;t be empty" not in html
    assert SpecRevision.objects.count() == 0


def test_a_spec_file_with_unsafe_text_schema_and_rule_problems_lists_them_all(
    partner_client, spec_stage
):
    definition = acme_definition()
    definition["settings"][0]["type"] = "secret"  # schema
    definition["actions"][0]["fields"][1]["default"] = "$.properties..email"  # rule
    definition["actions"][0]["title"] = f"Track {RLO}Event"  # unsafe
    definition["presets"] = [{"name": "P", "partnerAction": "nope", "subscribe": 'type = "track"'}]
    upload = SimpleUploadedFile(
        "spec.json", json.dumps(definition).encode(), content_type="application/json"
    )
    response = partner_client.post(url(spec_stage, "spec/upload/"), {"file": upload})
    assert response.status_code == 422
    html = response.content.decode()
    codes = {c for c in ("schema_enum", "mapping", "unsafe_character", "unknown_action")}
    found = {c for c in codes if f'data-code="{c}"' in html}
    assert "schema_enum" in found and "unsafe_character" in found and "unknown_action" in found
    assert html.count('data-code="') >= 4
    assert RLO not in html
    assert SpecRevision.objects.count() == 0


def test_rules_about_a_row_the_schema_refused_are_not_guessed():
    definition = acme_definition()
    # the second setting's label is too long: its own key duplicate is still a sound fact
    definition["settings"].append({**definition["settings"][0], "label": "x" * 200})
    # an action whose title is refused keeps its key, so a preset naming it is not "unknown"
    definition["actions"][0]["title"] = "t" * 500
    _, errors = validate_definition(definition)
    codes = sorted((e.where, e.code) for e in errors)
    last = len(definition["settings"]) - 1
    assert (f"settings.{last}.label", "schema_maxLength") in codes
    assert (f"settings.{last}.key", "duplicate") in codes
    assert ("actions.0.title", "schema_maxLength") in codes
    assert not [c for c in codes if c[1] == "unknown_action"]


def test_a_setting_whose_type_is_refused_has_its_default_left_unjudged():
    definition = acme_definition()
    definition["settings"][0].update(type="secret", default="abc")
    _, errors = validate_definition(definition)
    assert [(e.where, e.code) for e in errors] == [("settings.0.type", "schema_enum")]


@pytest.mark.parametrize(
    "hostile",
    [
        [],
        "text",
        {"mode": 3, "authentication": [], "settings": {}, "actions": "x", "presets": None},
        {"mode": "cloud", "authentication": {"scheme": "none"}, "actions": [None, 1, "a", []]},
        {
            "mode": "cloud",
            "authentication": {"scheme": "none"},
            "actions": [{"key": "a", "title": "A", "fields": [None, {"key": 5}, {"k\u0000": 1}]}],
            "presets": [{"partnerAction": ["a"]}, {}],
        },
        {"mode": "cloud", "authentication": {"scheme": "none"}, "settings": [{"default": 10**40}]},
    ],
)
def test_any_shape_gets_errors_and_never_an_exception(hostile):
    definition, errors = validate_definition(hostile, for_submit=True)
    assert definition is None and errors
    for error in errors:
        assert "\u0000" not in error.message and RLO not in error.message


def test_garbled_editor_posts_always_get_a_page_with_their_problems(partner_client, spec_stage):
    # any mix of empty, wrong-typed, hostile and missing row values: 200 or 422, never a 500
    rng = random.Random(11)
    values = ["", " ", "1bad", "trackEvent", "x" * 3000, RLO, "\x00", "type ==", "$..a", "-1e999"]
    base = editor_post(op="save")
    for _ in range(60):
        data = dict(base)
        for name in rng.sample(sorted(base), k=rng.randint(1, 8)):
            if name == "op":
                continue
            if rng.random() < 0.2:
                data.pop(name)
            else:
                data[name] = rng.choice(values)
        if rng.random() < 0.3:
            data.update({"a-1-key": rng.choice(values), "a-1-title": rng.choice(values)})
        response = partner_client.post(url(spec_stage, "spec/"), data)
        assert response.status_code in (302, 422, 400), response.status_code
