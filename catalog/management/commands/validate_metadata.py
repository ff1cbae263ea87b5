"""``manage.py validate_metadata FILE.json``: the text fields of a metadata submission (name,
description, website, primary_category, secondary_category, support_email, pr_url, captions)
checked by the same code as the form. Prints ``{"ok", "errors": {field: [...]}, "warnings":
{...}, "description_html"}``; exit status 0 when accepted, 1 otherwise."""

import json
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from catalog.services.metadata import categories_map
from catalog.validation.metadata import validate_text_fields

MAX_BYTES = 1024 * 1024


def _refuse(stdout, field: str, code: str, message: str) -> None:
    out = {"ok": False, "errors": {field: [{"code": code, "message": message}]}, "warnings": {},
           "description_html": ""}  # fmt: skip
    stdout.write(json.dumps(out, ensure_ascii=False))
    sys.exit(1)


class Command(BaseCommand):
    help = "Check the text fields of a metadata submission (JSON file, or - for stdin)."

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.json")

    def handle(self, *args, file: str, **options):
        try:
            if file == "-":
                raw = sys.stdin.buffer.read(MAX_BYTES + 1)
            else:
                with open(file, "rb") as fh:
                    raw = fh.read(MAX_BYTES + 1)
        except OSError as exc:
            _refuse(self.stdout, "file", "file.unreadable", f"Can't read {file}: {exc.strerror}.")
        if len(raw) > MAX_BYTES:
            _refuse(self.stdout, "file", "file.too_large", "The JSON file is larger than 1 MB.")
        try:
            values = json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            _refuse(self.stdout, "file", "file.invalid_json", f"The file isn't valid JSON: {exc}.")
        if not isinstance(values, dict):
            _refuse(self.stdout, "file", "file.not_object", "The JSON must be an object of fields.")
        for key, value in values.items():
            if key != "captions" and value is not None and not isinstance(value, str):
                _refuse(self.stdout, key, "field.not_text", f"“{key}” must be a string.")
        report = validate_text_fields(
            {k: v for k, v in values.items() if v is not None},
            categories=categories_map(),
            repository=settings.DESTINATIONS_REPOSITORY,
            required=True,
        )
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        if not report.ok:
            sys.exit(1)
