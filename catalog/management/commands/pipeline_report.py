"""``pipeline_report [--json]``: one row per integration that is not public, with who has the
ball (DESIGN.md "Who has the ball"). ``--json`` prints one JSON array of
``{"slug", "stage", "waiting_on", "waiting_since", "due", "overdue", "next_step"}``."""

import json

from django.core.management.base import BaseCommand

from catalog.selectors import ball as ball_reads


class Command(BaseCommand):
    help = "Who has the ball for every integration that is not public."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print one JSON array.")

    def handle(self, *args, **options):
        rows = ball_reads.report_rows()
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write("No integration in flight.")
            return
        header = ("slug", "stage", "waiting on", "since", "due", "next step")
        table = [
            (
                row["slug"],
                row["stage"],
                row["waiting_on"] + (" (OVERDUE)" if row["overdue"] else ""),
                (row["waiting_since"] or "")[:16].replace("T", " "),
                (row["due"] or "")[:16].replace("T", " "),
                row["next_step"],
            )
            for row in rows
        ]
        widths = [max(len(str(r[n])) for r in [header, *table]) for n in range(5)]
        for line in [header, *table]:
            cells = [str(cell).ljust(widths[n]) for n, cell in enumerate(line[:5])]
            self.stdout.write("  ".join([*cells, line[5]]).rstrip())
