"""``passage audit verify``: check the audit chain and name any changed, inserted or deleted row."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from passage.audit.chain import verify
from passage.audit.models import AuditEvent
from passage.sealing.service import vault_is_sealed


class Command(BaseCommand):
    help = "Audit log tools: verify the hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        problems = verify()
        total = AuditEvent.objects.count()
        sealed = vault_is_sealed()
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            raise CommandError(f"audit chain broken: {len(problems)} problem(s) in {total} rows")
        self.stdout.write(f"audit chain intact: {total} rows")
        last = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
        if last is not None:
            # Worth noting offline: a later copy of the log must still contain this row.
            self.stdout.write(f"end of chain: row {last.seq}, hash {last.hash}")
        if sealed:
            # Without the key only the chain is checked: rows forged at the end of the chain (or
            # the last rows deleted) show only with the vault unsealed (through the key daemon).
            self.stdout.write("HMACs not checked: the vault is sealed for this process")
        else:
            self.stdout.write("HMACs checked: every row was written by Passage")
