"""``manage.py validate_asset --as {logo,mark,image} FILE... [--stored DIR]``: one JSON object per
line, ``{"file", "ok", "errors", "warnings"}``; exit status 0 when every file is accepted, 1
otherwise. The same checks as the upload form (``catalog.validation``).

With ``--stored DIR``, each accepted file's stored form (what the portal would keep: an SVG's
canonical re-serialisation, a screenshot re-encoded without metadata) is written to
``DIR/<file name>``."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.validation import Problem, Report, images
from catalog.validation.svg import validate_svg

MAX_READ = 64 * 1024 * 1024


def check_file(path: Path, role: str) -> Report:
    """The form's checks; an accepted file's ``report.stored`` holds the bytes it would store."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_READ + 1)
    except OSError as exc:
        report = Report()
        report.errors.append(Problem("file.unreadable", f"Can't read the file: {exc.strerror}."))
        return report
    if role != "image":
        return validate_svg(data, role=role)
    report = images.validate_image(data)
    if report.ok:
        try:
            report.stored = images.sanitize_image(data).content
        except images.ImageRefused as exc:
            report.errors.extend(exc.report.errors)
    return report


class Command(BaseCommand):
    help = "Check logo/mark SVGs or screenshots with the upload form's rules; JSON lines out."

    def add_arguments(self, parser):
        parser.add_argument("--as", dest="role", required=True, choices=["logo", "mark", "image"])
        parser.add_argument(
            "--stored",
            metavar="DIR",
            help="write each accepted file's stored bytes (what the portal keeps) to DIR/<name>",
        )
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args, role: str, files: list[str], stored: str | None = None, **options):
        out_dir = Path(stored) if stored else None
        if out_dir is not None:
            try:
                out_dir.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise CommandError(f"Can't create {out_dir}: {exc.strerror}.") from exc
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
            if out_dir is not None and report.ok and report.stored is not None:
                (out_dir / Path(name).name).write_bytes(report.stored)
            self.stdout.write(json.dumps(line, ensure_ascii=False))
        self.stdout.flush()
        if not all_ok:
            sys.exit(1)


__all__ = ["Command", "CommandError", "check_file"]
