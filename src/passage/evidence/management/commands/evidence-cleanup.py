"""``passage evidence-cleanup``: remove what killed uploads and dossier builds left on disk.

Run at start-up (before the server takes requests) and whenever wanted: it never touches a
file whose writer is alive (those hold a lock), so it is safe while the office is running.
Needs no keys: it works while the vault is sealed.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from passage.evidence import locker


class Command(BaseCommand):
    help = "Delete unfinished (.part) and unclaimed encrypted files from the evidence and dossier stores."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--parts-only", action="store_true", help="only unfinished uploads, keep unclaimed files")
        parser.add_argument("--json", action="store_true", help="print the counts as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        report = locker.sweep(full=not options["parts_only"])
        if options["json"]:
            self.stdout.write(json.dumps(report))
            return
        for store, counts in report.items():
            self.stdout.write(
                f"{store}: removed {counts['parts_removed']} unfinished and {counts['orphans_removed']} unclaimed files"
                + (f"; {counts['busy']} in use, left alone" if counts["busy"] else "")
            )
