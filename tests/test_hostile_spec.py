"""Hostile input against the spec area (issue 6): spec editor, uploads, exports, staff review,
change requests. Each test is a finding: it failed (a 500, or bad data saved) before its fix."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import Stage
from tests.fixtures_spec import acme_definition, make_revision

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
