"""Canonical SVGs end to end, as an attacker would try them: through the real HTTP metadata form,
then a GET of the served asset; and ``validate_asset --stored DIR``."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from catalog.models import MetadataRevision
from catalog.validation.svg import validate_svg
from tests.test_metadata_pages import form_data, url
from tests.validation import samples

NS = 'xmlns="http://www.w3.org/2000/svg"'

# Accepted, but the upload carries what must never be served: a comment, CDATA, an XML
# declaration, editors' and unknown (data-*) attributes, metadata markup.
DIRTY_LOGO = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<!-- Generator: Sketchy 1.0 -->\n'
    f'<svg {NS} xmlns:sketch="http://www.bohemiancoding.com/sketch/ns" viewBox="0 0 300 100" '
    'sketch:type="MSPage" data-tracking="abc123">'
    "<style><![CDATA[ .n { fill: #1a1a2e } ]]></style>"
    '<metadata><sketch:notes xmlns:sketch="http://www.bohemiancoding.com/sketch/ns">n'
    "</sketch:notes></metadata>"
    '<circle cx="50" cy="50" r="40" fill="#3b3bd6" data-layer="1"/>'
    '<path class="n" d="M110 35h170v30H110z"/></svg>'
).encode()


def _served(client, revision, role: str) -> bytes:
    response = client.get("/" + getattr(revision, role).name)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    return response.content


def test_an_uploaded_svg_is_served_as_its_canonical_form_not_its_bytes(partner_client, integration):
    logo = SimpleUploadedFile("logo.svg", DIRTY_LOGO, content_type="image/svg+xml")
    response = partner_client.post(url(integration), form_data(logo=logo))
    assert response.status_code == 302
    revision = MetadataRevision.objects.get(integration=integration)
    served = _served(partner_client, revision, "logo")
    assert served != DIRTY_LOGO
    assert served == validate_svg(DIRTY_LOGO, role="logo").stored
    for gone in (b"<?xml", b"<!--", b"CDATA", b"sketch", b"data-", b"metadata", b"Generator"):
        assert gone not in served, gone
    assert b"<style> .n { fill: #1a1a2e } </style>" in served
    assert validate_svg(served, role="logo").ok  # the served file passes the rules itself


@pytest.mark.parametrize(
    ("payload", "code_words"),
    [
        (
            f'<svg {NS} viewBox="0 0 300 100"><style><![CDATA[</style><script>alert(1)'
            '</script>]]></style><rect width="300" height="100"/></svg>',
            "CDATA section",
        ),
        (
            f'<svg {NS} viewBox="0 0 300 100"><title>&lt;img src=x onerror=alert(1)&gt;</title>'
            '<rect width="300" height="100"/></svg>',
            "looks like markup",
        ),
        (
            f'<svg {NS} viewBox="0 0 300 100"><!-- <img src=x onerror=alert(1)> -->'
            '<rect width="300" height="100"/></svg>',
            "A comment holds HTML or script",
        ),
        (
            f'<svg {NS} width="1e9" height="3e8" viewBox="0 0 300 100">'
            '<rect width="300" height="100"/></svg>',
            "larger than any logo needs",
        ),
        (
            f'<svg {NS} viewBox="0 0 300 100"><rect '
            + " ".join(f'data-a{i}="{i}"' for i in range(5000))
            + ' width="300" height="100"/></svg>',
            "attributes; the limit is 100 per element",
        ),
    ],
    ids=["cdata", "text", "comment", "dimensions", "attribute-flood"],
)
def test_hidden_hostile_svgs_are_refused_by_the_form_and_nothing_is_stored(
    partner_client, integration, payload, code_words
):
    logo = SimpleUploadedFile("logo.svg", payload.encode(), content_type="image/svg+xml")
    response = partner_client.post(url(integration), form_data(logo=logo))
    assert response.status_code == 422
    assert code_words in response.content.decode().replace("&#x27;", "'")
    assert MetadataRevision.objects.count() == 0


# --- validate_asset --stored DIR ------------------------------------------------------------------


def run(*args) -> tuple[int, list[dict]]:
    out = io.StringIO()
    try:
        call_command(*args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def test_validate_asset_stored_writes_what_the_portal_would_store(tmp_path):
    dirty, bad = tmp_path / "in" / "dirty.svg", tmp_path / "in" / "bad.svg"
    dirty.parent.mkdir()
    dirty.write_bytes(DIRTY_LOGO)
    bad.write_bytes(samples.SCRIPT_SVG)
    out = tmp_path / "out"
    code, result = run("validate_asset", "--as", "logo", str(dirty), str(bad), "--stored", str(out))
    assert code == 1
    assert [line["ok"] for line in result] == [True, False]
    assert set(result[0]) == {"file", "ok", "errors", "warnings"}  # the contract, unchanged
    assert sorted(p.name for p in out.iterdir()) == ["dirty.svg"]
    assert (out / "dirty.svg").read_bytes() == validate_svg(DIRTY_LOGO, role="logo").stored
    assert b"<!--" not in (out / "dirty.svg").read_bytes()


def test_validate_asset_stored_writes_screenshots_re_encoded(tmp_path):
    shot = tmp_path / "shot.jpg"
    shot.write_bytes(samples.jpeg(exif=samples.gps_exif()))
    out = tmp_path / "out"
    code, _ = run("validate_asset", "--as", "image", str(shot), "--stored", str(out))
    assert code == 0
    stored = (out / "shot.jpg").read_bytes()
    assert stored != shot.read_bytes()
    assert b"SpyCam" not in stored and b"Exif" not in stored
