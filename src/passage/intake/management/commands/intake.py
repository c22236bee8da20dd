"""``manage.py intake fingerprint|cleanup|status``: the intake portal's maintenance."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from passage.intake.keys import fingerprint
from passage.intake.limits import pending_usage
from passage.intake.portal import clean_up


class Command(BaseCommand):
    help = (
        "fingerprint: the office public key's SHA-256, to pin with PASSAGE_INTAKE_OFFICE_KEY; "
        "cleanup: remove expired sessions, unsent files and unused codenames; status: the unread backlog."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["fingerprint", "cleanup", "status"])

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "fingerprint":
            from passage.sealing.service import load_header
            from passage.vault import VaultError

            try:  # the key itself, even if a different one is pinned: that is what to check
                self.stdout.write(fingerprint(load_header().office_public()))
            except VaultError as error:
                raise CommandError(str(error)) from None
        elif action == "cleanup":
            removed = clean_up()
            self.stdout.write(", ".join(f"{name}: {count}" for name, count in removed.items()))
        else:
            count, size = pending_usage()
            self.stdout.write(f"unread submissions: {count}; waiting bytes: {size}")
