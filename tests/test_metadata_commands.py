"""validate_asset and validate_metadata: JSON out, exit status, the form's rules."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.validation import samples

FILES = Path(__file__).parent / "validation" / "files"


def run(*args, stdin: str | None = None, monkeypatch=None) -> tuple[int, str]:
    out = io.StringIO()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
    try:
        call_command(*args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue()


def lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_validate_asset_accepts_good_files_with_exit_0(tmp_path):
    logo = tmp_path / "logo.svg"
    logo.write_bytes(samples.LOGO_SVG)
    code, out = run("validate_asset", "--as", "logo", str(logo))
    assert code == 0
    assert lines(out) == [{"file": str(logo), "ok": True, "errors": [], "warnings": []}]


def test_validate_asset_reports_each_file_and_exits_1_when_one_fails():
    good, bad = FILES / "ok_mark.svg", FILES / "script_element.svg"
    code, out = run("validate_asset", "--as", "mark", str(good), str(bad))
    assert code == 1
    first, second = lines(out)
    assert first["ok"] is True
    assert second["ok"] is False
    assert second["errors"][0]["code"] == "svg.script"
    assert set(second["errors"][0]) >= {"code", "message"}


def test_validate_asset_warnings_do_not_fail():
    code, out = run("validate_asset", "--as", "logo", str(FILES / "logo_tall.svg"))
    assert code == 0
    assert [w["code"] for w in lines(out)[0]["warnings"]] == ["svg.logo_not_horizontal"]


def test_validate_asset_images(tmp_path):
    shot, gif = tmp_path / "shot.png", tmp_path / "shot.gif"
    shot.write_bytes(samples.png())
    gif.write_bytes(b"GIF89a" + b"\x00" * 20)
    code, out = run("validate_asset", "--as", "image", str(shot), str(gif))
    assert code == 1
    assert [line["ok"] for line in lines(out)] == [True, False]
    assert lines(out)[1]["errors"][0]["code"] == "image.format"


def test_validate_asset_missing_file_is_an_error_not_a_crash(tmp_path):
    code, out = run("validate_asset", "--as", "logo", str(tmp_path / "nope.svg"))
    assert code == 1
    assert lines(out)[0]["errors"][0]["code"] == "file.unreadable"


@pytest.fixture
def metadata_json(tmp_path):
    def write(data) -> str:
        path = tmp_path / "metadata.json"
        path.write_text(json.dumps(data) if not isinstance(data, str) else data)
        return str(path)

    return write


GOOD = {
    "name": "Acme Events",
    "description": "Send **events**:\n\n- one\n- two\n\n[Docs](https://acme.example.com/docs)",
    "website": "https://acme.example.com",
    "primary_category": "Analytics",
    "secondary_category": "crm",
    "support_email": "support@acme.example.com",
    "pr_url": "https://github.com/segmentio/action-destinations/pull/12",
    "captions": ["The dashboard"],
}


def test_validate_metadata_accepts_and_prints_sanitised_html(db, metadata_json):
    code, out = run("validate_metadata", metadata_json(GOOD))
    result = json.loads(out)
    assert code == 0
    assert result["ok"] is True
    assert result["errors"] == {} and result["warnings"] == {}
    assert result["description_html"].startswith("<p>Send <strong>events</strong>:</p>")
    assert 'rel="nofollow noopener noreferrer"' in result["description_html"]


def test_validate_metadata_reports_errors_per_field_with_exit_1(db, metadata_json):
    bad = dict(
        GOOD,
        name="",
        website="javascript:alert(1)",
        primary_category="Astrology",
        secondary_category="Analytics",
        support_email="nope",
        pr_url="https://github.com/other/repo/pull/1",
        description="x" * 501,
        captions=["a" * 201],
    )
    code, out = run("validate_metadata", metadata_json(bad))
    result = json.loads(out)
    assert code == 1
    assert result["ok"] is False
    assert {
        "name",
        "website",
        "primary_category",
        "support_email",
        "pr_url",
        "description",
        "caption_1",
    } <= set(result["errors"])
    assert result["errors"]["description"][0]["code"] == "description.too_long"
    assert result["errors"]["primary_category"][0]["code"] == "category.unknown"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ("{not json", "file.invalid_json"),
        ("[1, 2]", "file.not_object"),
        ('{"name": 5}', "field.not_text"),
    ],
)
def test_validate_metadata_bad_files(db, metadata_json, content, code):
    status, out = run("validate_metadata", metadata_json(content))
    assert status == 1
    assert next(iter(json.loads(out)["errors"].values()))[0]["code"] == code


def test_validate_metadata_reads_stdin(db, monkeypatch):
    code, out = run("validate_metadata", "-", stdin=json.dumps(GOOD), monkeypatch=monkeypatch)
    assert code == 0 and json.loads(out)["ok"] is True


def test_commands_and_form_share_one_code_path():
    from catalog.management.commands import validate_asset, validate_metadata
    from catalog.services import metadata as services

    assert validate_asset.validate_svg is services.validate_svg
    assert validate_metadata.validate_text_fields is services.validate_text_fields
