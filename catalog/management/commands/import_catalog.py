"""``python manage.py import_catalog FILE [--json]``: load an existing destination catalog."""

import json as jsonlib

from django.core.management.base import BaseCommand, CommandError

from catalog.services.catalog_import import CatalogFileError, catalog_import, read_catalog_file


class Command(BaseCommand):
    help = (
        "Import destinations in the shape of segment-destinations.json as public integrations. "
        "Entries breaking today's rules are kept and reported as grandfathered. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the catalog JSON file")
        parser.add_argument("--json", action="store_true", help="print one JSON report")

    def handle(self, *args, file: str, json: bool = False, **options):
        try:
            entries = read_catalog_file(file)
        except CatalogFileError as exc:
            lines = [exc.message, *[f"  - {p}" for p in exc.problems]]
            raise CommandError("\n".join(lines)) from None
        report = catalog_import(entries=entries)
        if json:
            self.stdout.write(_json_dumps(report.as_dict()))
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.total} entries: {len(report.created)} created, "
                f"{len(report.updated)} updated, {len(report.unchanged)} unchanged, "
                f"{len(report.skipped)} skipped."
            )
        )
        if report.grandfathered:
            self.stdout.write(
                f"{len(report.grandfathered)} grandfathered (kept as they are, breaking "
                "today's rules):"
            )
            counts: dict[str, int] = {}
            for item in report.grandfathered:
                for reason in item["reasons"]:
                    key = _reason_kind(reason)
                    counts[key] = counts.get(key, 0) + 1
                reasons = "; ".join(item["reasons"])
                self.stdout.write(f"  {item['name']} ({item['slug']}): {reasons}")
            self.stdout.write("By rule:")
            for key, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
                self.stdout.write(f"  {count:4d}  {key}")
        for item in report.skipped:
            self.stdout.write(
                self.style.WARNING(f"Skipped {item['name']} ({item['slug']}): {item['reason']}")
            )


def _reason_kind(reason: str) -> str:
    if reason.startswith("no category"):
        return "no category"
    if "categories (at most" in reason:
        return "more than two categories"
    if reason.startswith("category"):
        return "category outside the 22"
    if reason.startswith("description has"):
        return "description too long"
    if reason.startswith("description:"):
        return "description breaks another rule"
    return reason.split("“", 1)[0].strip() + " not an http(s) URL"


def _json_dumps(data) -> str:
    return jsonlib.dumps(data, ensure_ascii=False)
