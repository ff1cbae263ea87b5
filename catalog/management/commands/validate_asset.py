"""``manage.py validate_asset --as {logo,mark,image} FILE...``: one JSON object per line,
``{"file", "ok", "errors", "warnings"}``; exit status 0 when every file is accepted, 1 otherwise.
The same checks as the upload form (``catalog.validation``)."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.validation import Problem, Report, images
from catalog.validation.svg import validate_svg

MAX_READ = 64 * 1024 * 1024


def check_file(path: Path, role: str) -> Report:
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_READ + 1)
    except OSError as exc:
        report = Report()
        report.errors.append(Problem("file.unreadable", f"Can't read the file: {exc.strerror}."))
        return report
    if role == "image":
        return images.validate_image(data)
    return validate_svg(data, role=role)


class Command(BaseCommand):
    help = "Check logo/mark SVGs or screenshots with the upload form's rules; JSON lines out."

    def add_arguments(self, parser):
        parser.add_argument("--as", dest="role", required=True, choices=["logo", "mark", "image"])
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args, role: str, files: list[str], **options):
        all_ok = True
        for name in files:
            report = check_file(Path(name), role)
            all_ok &= report.ok
            line = {
                "file": name,
                "ok": report.ok,
                "errors": [p.as_dict() for p in report.errors],
                "warnings": [p.as_dict() for p in report.warnings],
            }
            self.stdout.write(json.dumps(line, ensure_ascii=False))
        self.stdout.flush()
        if not all_ok:
            sys.exit(1)


__all__ = ["Command", "CommandError", "check_file"]
