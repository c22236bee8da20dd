"""``passage vault init|unseal|seal|status|rotate|shred``."""

from __future__ import annotations

import getpass
import os
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from passage.sealing import service
from passage.vault import NotEnoughSharesError, VaultError, WrongSecretError


def _passphrase(prompt: str, confirm: bool = False) -> str:
    # Non-interactive runs (the demo, scripts) pass it through the environment, never argv,
    # so it does not show in the process list or shell history.
    value = os.environ.get("PASSAGE_VAULT_PASSPHRASE")
    if value:
        return value
    value = getpass.getpass(prompt)
    if confirm and getpass.getpass("Repeat: ") != value:
        raise CommandError("the two passphrases differ")
    return value


class Command(BaseCommand):
    help = "Vault tools: init, unseal, seal, status, rotate, shred CASE_ID."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["init", "unseal", "seal", "status", "rotate", "shred"])
        parser.add_argument("case", nargs="?", help="case id (for shred)")
        parser.add_argument("--shares", default=None, help="k-of-n recovery shares, e.g. 3-of-5 (init, rotate)")
        parser.add_argument("--yes", action="store_true", help="confirm crypto-shredding without asking")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        shares = self._shares(options["shares"])
        try:
            if action == "init":
                words = service.initialise(_passphrase("New vault passphrase: ", confirm=True), shares, actor="cli")
                self.stdout.write("vault created and unsealed")
                self._print_shares(words)
            elif action == "unseal":
                service.unseal_passphrase(_passphrase("Vault passphrase: "), actor="cli")
                self.stdout.write("vault unsealed")
            elif action == "seal":
                service.seal(actor="cli")
                self.stdout.write("vault sealed")
            elif action == "status":
                state = (
                    "missing" if not service.vault_exists() else ("sealed" if service.vault_is_sealed() else "unsealed")
                )
                self.stdout.write(f"vault {state}")
            elif action == "rotate":
                words = service.rotate(
                    _passphrase("Passphrase for the rotated vault: ", confirm=True), shares, actor="cli"
                )
                self.stdout.write("master key rotated; case keys re-wrapped")
                self._print_shares(words)
            else:
                self._shred(options["case"], options["yes"])
        except (WrongSecretError, NotEnoughSharesError) as error:
            raise CommandError(f"refused: {error}") from None
        except VaultError as error:
            raise CommandError(str(error)) from None

    def _shares(self, raw: str | None) -> tuple[int, int] | None:
        if raw is None:
            return None
        try:
            k, n = (int(part) for part in raw.lower().split("-of-"))
        except ValueError:
            raise CommandError("--shares must look like 3-of-5") from None
        if not 1 <= k <= n <= 16:
            raise CommandError("--shares needs 1 ≤ k ≤ n ≤ 16")
        return k, n

    def _print_shares(self, words: list[str]) -> None:
        for number, share in enumerate(words, start=1):
            self.stdout.write(f"share {number}: {share}")

    def _shred(self, case: str | None, yes: bool) -> None:
        if not case:
            raise CommandError("shred needs a case id")
        try:
            case_id = uuid.UUID(case)
        except ValueError:
            raise CommandError(f"not a case id: {case!r}") from None
        if not yes:
            answer = input(f"Destroy the key of case {case_id}? Its data can never be read again. Type 'shred': ")
            if answer.strip() != "shred":
                raise CommandError("not confirmed; nothing destroyed")
        from passage.cases.actions import shred_case

        shred_case(case_id, actor="cli")
        self.stdout.write(f"case {case_id} crypto-shredded")
