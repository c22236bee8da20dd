"""``passage demo``: create (or unseal) the demo office. Only with PASSAGE_DEMO=1."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from passage.sealing import service
from passage.web.demo_office import DEMO_PASSPHRASE, create_demo_office


class Command(BaseCommand):
    help = "Create the demo office (vault, accounts with TOTP, personas as cases), or unseal it."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.PASSAGE.demo:
            raise CommandError("the demo office needs PASSAGE_DEMO=1 (it prints its passphrase and TOTP secrets)")
        if not service.vault_exists():
            service.initialise(DEMO_PASSPHRASE, actor="demo")
            accounts = create_demo_office()
            self.stdout.write("Demo office created.")
        else:
            if service.vault_is_sealed():
                service.unseal_passphrase(DEMO_PASSPHRASE, actor="demo")
            from passage.web.demo_office import _account  # refresh the demo accounts' credentials

            accounts = [
                _account(name, role)
                for name, role in (("admin", "admin"), ("lawyer", "lawyer"), ("volunteer", "volunteer"))
            ]
            self.stdout.write("Demo office unsealed.")
        self.stdout.write(f"  vault passphrase: {DEMO_PASSPHRASE}")
        for account in accounts:
            self.stdout.write(
                f"  {account.role:<9} user {account.username!r}  password {account.password!r}  "
                f"TOTP secret {account.totp_secret_base32}  ({account.otpauth_uri})"
            )
        self.stdout.write("  current TOTP code of a demo account: passage demo_code USER")
