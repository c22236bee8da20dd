"""``passage reminders [--now]``: queue the reminder job (for cron), or run it here and now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from passage.cases.jobs import send_reminders


class Command(BaseCommand):
    help = "Create in-app reminders for tasks and follow-ups falling due (queued for the worker unless --now)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="run in this process instead of queueing for `passage db_worker`"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            created = send_reminders.call()
            self.stdout.write(f"{created} new reminder(s)")
            return
        result = send_reminders.enqueue()
        self.stdout.write(f"reminders queued (job {result.id})")
