"""``passage seed-institutions``: fill the institutions directory from the knowledge base."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from passage.cases.actions_office import seed_directory


class Command(BaseCommand):
    help = "Add the knowledge base's institutions to the directory, or update their names and countries."

    def handle(self, *args: Any, **options: Any) -> None:
        count = seed_directory("cli")
        self.stdout.write(f"{count} institution(s) added or updated from the knowledge base")
