"""``passage replan [--now]``: re-plan cases planned with an older knowledge base."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from passage.cases import actions
from passage.cases.jobs import replan_cases
from passage.sealing.service import vault_is_sealed


class Command(BaseCommand):
    help = "Re-plan every active case planned with an older knowledge base (queued for the worker unless --now)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="run in this process (it must reach an unsealed vault)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["now"]:
            result = replan_cases.enqueue()
            self.stdout.write(f"re-planning queued (job {result.id})")
            return
        if vault_is_sealed():
            raise CommandError("the vault is sealed: unseal it first (`passage vault unseal`)")
        count = actions.replan_stale_cases()
        self.stdout.write(f"{count} case(s) re-planned with knowledge base {actions.knowledge().version}")
