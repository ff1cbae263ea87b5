"""Hostile input against the spec area (issue 6): spec editor, uploads, exports, staff review,
change requests. Each test is a finding: it failed (a 500, or bad data saved) before its fix."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import AuditLog, ChangeRequest, OutboxMessage, ReviewStatus, SpecRevision, Stage
from catalog.validation.spec import MAX_BYTES, validate_definition
from tests.fixtures_spec import acme_definition, make_live, make_revision
from tests.test_spec_views import editor_post

pytestmark = pytest.mark.django_db

PR = "https://github.com/segmentio/action-destinations/pull/4100"
FORM = "application/x-www-form-urlencoded"


def url(integration, rest=""):
    return f"/partner/integrations/{integration.pk}/{rest}"


@pytest.fixture
def spec_stage(integration):
    integration.stage = Stage.SPEC
    integration.save(update_fields=["stage"])
    return integration


def upload(client, integration, content: bytes, path="spec/upload/", **extra):
    return client.post(
        url(integration, path),
        {
            "file": SimpleUploadedFile("spec.json", content, content_type="application/json"),
            **extra,
        },
    )


def with_text(value: str, where: str = "settings.0.label") -> bytes:
    """The Acme definition with ``value`` at ``where``, encoded as JSON (escapes kept as is)."""
    definition = acme_definition()
    node = definition
    *parents, last = where.split(".")
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    node[int(last) if last.isdigit() else last] = value
    return json.dumps(definition).encode()


# --- Revision numbers in query strings -----------------------------------------------------------


@pytest.mark.parametrize("number", ["²", "١٢", "9" * 5000, "-1", " 1"])
def test_odd_revision_numbers_in_the_editor_link_show_the_editor(
    partner_client, spec_stage, number
):
    # given a "from" value that str.isdigit() accepts but int() refuses ("²"), or too long for int()
    make_revision(spec_stage)
    # when
    response = partner_client.get(url(spec_stage, "spec/"), {"from": number})
    # then the editor starts from the newest revision instead of failing
    assert response.status_code == 200
    assert 'name="s-0-key" value="apiKey"' in response.content.decode()


@pytest.mark.parametrize("number", ["²", "9" * 5000, "99999999999999999999"])
def test_odd_revision_numbers_in_the_export_link_are_a_404(partner_client, spec_stage, number):
    make_revision(spec_stage)
    response = partner_client.get(url(spec_stage, "spec/export/"), {"revision": number})
    assert response.status_code == 404


# --- Characters PostgreSQL or a page can't hold --------------------------------------------------


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (with_text("API\u0000Key"), "unsafe_character"),  # PostgreSQL jsonb refuses \u0000
        (with_text("API \ud800 Key", "description"), "unsafe_character"),  # lone surrogate
        (with_text("Key\u202egnp.exe"), "unsafe_character"),  # right-to-left override
        (with_text("x\x1b[2J", "actions.0.fields.0.description"), "unsafe_character"),
        (
            b'{"mode": "cloud", "authentication": {"scheme": "none"}, "\\ud800": 1}',
            "unsafe_character",
        ),
        (b'{"\\ud800": 1, "\\ud800": 2}', "duplicate_key"),
    ],
    ids=["nul", "surrogate", "rtl-override", "escape", "surrogate-key", "duplicate-surrogate-key"],
)
def test_uploads_with_characters_that_break_storage_or_reading_are_refused(
    partner_client, spec_stage, content, code
):
    # when
    response = upload(partner_client, spec_stage, content)
    # then: a 422 that names the problem, nothing saved, and the spec page still works
    assert response.status_code == 422
    html = response.content.decode()
    assert f'data-code="{code}"' in html
    assert SpecRevision.objects.count() == 0
    assert partner_client.get(url(spec_stage, "spec/")).status_code == 200


def test_the_message_names_the_character_and_where_it_is():
    _, errors = validate_definition(json.loads(with_text("Key\u202egnp.exe")))
    assert [e.code for e in errors] == ["unsafe_character"]
    assert errors[0].path == ("settings", 0, "label")
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in errors[0].message
    assert "\u202e" not in str(errors[0])


def test_a_right_to_left_override_typed_in_the_editor_is_refused_in_place(
    partner_client, spec_stage
):
    data = editor_post(**{"s-0-label": "API\u202eKey"})
    response = partner_client.post(url(spec_stage, "spec/"), data)
    assert response.status_code == 422
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in response.content.decode()
    assert SpecRevision.objects.count() == 0


def test_a_change_request_file_with_a_lone_surrogate_is_refused(partner_client, integration):
    # given a live integration
    make_live(integration)
    content = with_text("Now \ud800 better", "description")
    # when
    response = partner_client.post(
        url(integration, "changes/"),
        {"pr_url": PR, "spec_file": SimpleUploadedFile("s.json", content)},
    )
    # then
    assert response.status_code == 422
    assert 'data-code="unsafe_character"' in response.content.decode() or (
        "half of a broken character" in response.content.decode()
    )
    assert ChangeRequest.objects.count() == 0
    assert SpecRevision.objects.count() == 1


def test_a_staff_field_comment_with_a_nul_byte_is_refused(client, staff_user, spec_stage):
    # given a submitted revision
    revision = make_revision(spec_stage, status="submitted")
    client.force_login(staff_user)
    # when a field comment carries \x00 (PostgreSQL's jsonb refuses it)
    response = client.post(
        f"/staff/integrations/{spec_stage.pk}/spec/r{revision.number}/",
        {"decision": "request_changes", "c:mode": "Use\x00cloud"},
    )
    # then
    assert response.status_code == 422
    assert "U+0000" in response.content.decode()
    revision.refresh_from_db()
    assert revision.status == ReviewStatus.SUBMITTED and revision.field_comments == {}
    assert not AuditLog.objects.filter(action="catalog.spec.changes_requested").exists()
    assert not OutboxMessage.objects.filter(event="catalog.spec.changes_requested").exists()


# --- Numbers -------------------------------------------------------------------------------------


def test_a_huge_number_typed_as_a_default_is_refused_like_in_an_upload(partner_client, spec_stage):
    # given a number setting whose default has 400 digits (an upload refuses more than 15)
    data = editor_post(
        **{"s-1-key": "limit", "s-1-label": "Limit", "s-1-type": "number", "s-1-default": "9" * 400}
    )
    # when
    response = partner_client.post(url(spec_stage, "spec/"), data)
    # then: refused, so every saved spec can be exported and uploaded again
    assert response.status_code == 422
    assert "too large" in response.content.decode()
    assert SpecRevision.objects.count() == 0


# --- Posted rows ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "rendered"),
    [
        ("p-{i}-name=x", r'name="p-\d+-name"'),
        ("s-{i}-key=x", r'name="s-\d+-key"'),
        ("a-{i}-f-0-key=x", r'name="a-\d+-f-\d+-key"'),
    ],
    ids=["presets", "settings", "actions"],
)
@pytest.mark.parametrize("op", ["save", "add-setting"])
def test_a_thousand_posted_rows_are_cut_to_the_limit_and_refused(
    partner_client, spec_stage, row, rendered, op
):
    # given a 20 KB body naming 1,000 rows: each row costs a form to build and to render, so
    # before the fix this took 5 to 19 seconds and answered 1 to 2.7 MB
    body = f"op={op}&" + "&".join(row.format(i=i) for i in range(1000))
    # when
    response = partner_client.generic("POST", url(spec_stage, "spec/"), body, content_type=FORM)
    # then: refused with the limit named, and the page holds at most the limit of rows
    html = response.content.decode()
    assert response.status_code == 400
    assert "Too many rows: at most 60 of each kind" in html
    assert len(re.findall(rendered, html)) <= 60
    assert SpecRevision.objects.count() == 0


def test_upload_limit_is_still_a_413(partner_client, spec_stage):
    response = upload(partner_client, spec_stage, b" " * (MAX_BYTES + 1))
    assert response.status_code == 413


def big_spec(actions: int, fields: int) -> dict:
    return {
        "mode": "cloud",
        "authentication": {"scheme": "none"},
        "actions": [
            {
                "key": f"action{a}",
                "title": f"Action {a}",
                "description": "Sends it.",
                "fields": [
                    {"key": f"field{f}", "label": "Field", "type": "string"} for f in range(fields)
                ],
            }
            for a in range(actions)
        ],
    }


def test_an_upload_with_thousands_of_fields_is_refused(partner_client, spec_stage):
    # given 50 actions of 50 fields each: the schema's limits, a 110 KB file. Saved, it made
    # every later visit of the editor take 24 seconds and 5.9 MB.
    content = json.dumps(big_spec(50, 50)).encode()
    # when
    response = upload(partner_client, spec_stage, content)
    # then
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-code="too_many_fields"' in html and "2500 fields in all" in html
    assert SpecRevision.objects.count() == 0


def test_a_spec_with_the_most_fields_allowed_is_saved():
    definition, errors = validate_definition(big_spec(10, 30))
    assert errors == [] and sum(len(a["fields"]) for a in definition["actions"]) == 300


# --- Wrong side ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("spec/upload/", {"file": SimpleUploadedFile("spec.json", b"{}")}),
        ("spec/", {"op": "save", "meta-mode": "nonsense"}),
        ("changes/", {"pr_url": "not a link"}),
        ("pull-requests/", {"url": ""}),
        ("docs/", {}),
    ],
)
def test_staff_posting_to_partner_pages_get_403_whatever_they_send(
    client, staff_user, integration, path, data
):
    # Before, a bad body was judged first: staff got 400 or 422 about the input instead of 403
    client.force_login(staff_user)
    response = client.post(url(integration, path), data)
    assert response.status_code == 403
    assert "partner users" in response.content.decode()
    assert SpecRevision.objects.count() == 0


def test_an_upload_with_a_100000_item_list_is_refused_before_the_schema_runs(
    partner_client, spec_stage
):
    # given a 200 KB file (under the size limit) whose settings list has 100,000 items: the
    # schema validator judged every item, 14 seconds for one request
    content = (
        b'{"mode":"cloud","authentication":{"scheme":"none"},"settings":['
        + b",".join([b"1"] * 100_000)
        + b"]}"
    )
    assert len(content) < MAX_BYTES
    # when
    response = upload(partner_client, spec_stage, content)
    # then: one error, naming the list and its length
    assert response.status_code == 422
    html = response.content.decode()
    assert html.count("data-code=") == 1
    assert 'data-code="schema_maxItems"' in html and "this list has 100000" in html
    assert SpecRevision.objects.count() == 0
